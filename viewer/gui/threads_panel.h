// The Threads panel (Go's goroutine analysis, for OS threads): per thread, or
// per thread name, the time in each of the nine states (they sum to the wall
// time), from the Document's analysis::ThreadStates / GroupByName rows, as a
// sortable table with a stacked bar per row. Clicking a row selects its lane
// (Ctrl+click adds it to the lane selection) and scrolls the timeline to it.
#ifndef TRACELANE_VIEWER_GUI_THREADS_PANEL_H_
#define TRACELANE_VIEWER_GUI_THREADS_PANEL_H_

#include <cstdint>
#include <vector>

#include "viewer/gui/document.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// The panel's view options and the current row order.
struct ThreadsPanelState {
  bool by_name = false;  // one row per thread name instead of per thread
  bool percent = false;  // cells as a share of the row's wall time
  // Row order for the current sort (indices into the shown rows) and what it
  // was computed for.
  std::vector<uint32_t> order;
  const Document* order_doc = nullptr;
  bool order_by_name = false;
  int sort_column = -1;
  bool sort_ascending = false;
};

// Draws the panel into the current window's remaining region. O(visible rows)
// per frame, plus O(rows log rows) when the sort or the grouping changes.
void DrawThreadsPanel(const Document& doc, TimelineState& timeline, ThreadsPanelState& s);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_THREADS_PANEL_H_
