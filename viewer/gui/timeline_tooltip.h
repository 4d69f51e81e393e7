// Tooltips of the timeline: exact start, duration, thread and state of what the
// mouse is over; for a wait, what was waited for (the lock and its holder with
// the holder's scope, from analysis::CauseAt), for a merged block, what it holds.
#ifndef TRACELANE_VIEWER_GUI_TIMELINE_TOOLTIP_H_
#define TRACELANE_VIEWER_GUI_TIMELINE_TOOLTIP_H_

#include "viewer/gui/document.h"
#include "viewer/gui/hover.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// Shows the tooltip for `hover`. O(log n + 16).
void ShowTooltip(const Document& doc, const TimelineState& s, const HoverInfo& hover);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_TIMELINE_TOOLTIP_H_
