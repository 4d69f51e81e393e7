// The Threads panel (Go's goroutine analysis, for OS threads): per thread, or
// per thread name, the time in each of the nine states (they sum to the wall
// time), from the Document's analysis::ThreadStates / GroupByName rows, as a
// sortable table with a stacked bar per row. Clicking a row selects its lane
// (Ctrl+click adds it to the lane selection) and scrolls the timeline to it.
#ifndef TRACELANE_VIEWER_GUI_THREADS_PANEL_H_
#define TRACELANE_VIEWER_GUI_THREADS_PANEL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "viewer/gui/background_job.h"
#include "viewer/gui/document.h"
#include "viewer/gui/range_limit.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// Range-limited rows: per thread, per name, all threads.
struct ThreadRangeRows {
  std::vector<analysis::ThreadStatesRow> rows, groups;
  analysis::ThreadStatesRow total;
};

// The panel's view options and the current row order.
struct ThreadsPanelState {
  bool by_name = false;  // one row per thread name instead of per thread
  bool percent = false;  // cells as a share of the row's wall time
  // Row order for the current sort (indices into the shown rows) and what it
  // was computed for.
  std::vector<uint32_t> order;
  const std::vector<analysis::ThreadStatesRow>* order_rows = nullptr;
  int sort_column = -1;
  bool sort_ascending = false;
  int resort_each_frame = 0;  // headless benchmark: > 0 sorts by the next column every frame
  // Limited to the selected range.
  bool limit_to_range = false;
  bool showing_range = false;  // the last frame showed `ranged`
  const Document* ranged_doc = nullptr;
  std::unique_ptr<BackgroundJob<ThreadRangeRows>> ranged;
  std::optional<RangeKey> ranged_key;
  bool waiting = false;  // the last frame showed rows still being computed
};

// Draws the panel into the current window's remaining region. O(visible rows)
// per frame, plus O(rows log rows) when the sort or the grouping changes.
void DrawThreadsPanel(const std::shared_ptr<const Document>& doc, TimelineState& timeline,
                      ThreadsPanelState& s);

// True while the last frame showed rows still being computed. O(1).
inline bool ThreadsPanelBusy(const ThreadsPanelState& s) { return s.waiting; }

// The rows the panel shows (per thread or per name), as `tracelane threads
// --json [--by-name]` prints them (analysis::ThreadRowJson), in the panel's
// order; nullopt while computing. O(rows).
std::optional<std::string> ThreadsPanelJson(const Document& doc, const ThreadsPanelState& s);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_THREADS_PANEL_H_
