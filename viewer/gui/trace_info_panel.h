// The Trace info panel: the facts of the capture from
// analysis::DescribeCapture (held by the Document): process, duration, capture
// mode and window, threads and events, losses per thread with totals (non-zero
// in orange), clock, scheduler data, the file, salvage warnings and every
// property.
#ifndef TRACELANE_VIEWER_GUI_TRACE_INFO_PANEL_H_
#define TRACELANE_VIEWER_GUI_TRACE_INFO_PANEL_H_

#include "viewer/gui/document.h"

namespace tracelane::gui {

// Draws the panel into the current window's remaining region. O(visible
// threads + properties) per frame.
void DrawTraceInfoPanel(const Document& doc);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_TRACE_INFO_PANEL_H_
