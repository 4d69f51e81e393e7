// The range-selection panel: for a Shift+dragged time range and the selected
// lanes (all by default; Ctrl+click lane names to choose), the time in each
// state, the scopes most present and the locks waited on in it, from
// analysis::ComputeRangeStats (the same numbers the CLI would report).
#ifndef TRACELANE_VIEWER_GUI_SELECTION_PANEL_H_
#define TRACELANE_VIEWER_GUI_SELECTION_PANEL_H_

#include "viewer/gui/document.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// Draws the panel in the current window (nothing without a range selection);
// computes the statistics when stale
// (once per selection change; O(log n + items in range) per lane).
void DrawSelectionPanel(const Document& doc, TimelineState& s);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_SELECTION_PANEL_H_
