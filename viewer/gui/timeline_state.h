// The timeline's UI state: what is visible, what is selected, how lanes are
// ordered and folded. Everything the timeline frame needs besides the Document;
// the frame is a function of (Document, TimelineState, input).
#ifndef TRACELANE_VIEWER_GUI_TIMELINE_STATE_H_
#define TRACELANE_VIEWER_GUI_TIMELINE_STATE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/range_stats.h"
#include "viewer/gui/layout/lane_geometry.h"
#include "viewer/gui/layout/time_axis.h"

namespace tracelane::gui {

// A view to return to (Backspace / Ctrl+Z).
struct NavPoint {
  int64_t start_ns;
  double start_frac;
  double ns_per_px;
};

// A selected time range (Shift+drag) and its statistics, computed once per change.
struct RangeSelection {
  int64_t from_ns = 0;
  int64_t to_ns = 0;
  std::optional<analysis::RangeStats> stats;  // for `lanes` below; reset when stale
};

struct TimelineState {
  TimeAxis axis;
  bool axis_ready = false;  // set once the first frame fitted the trace
  std::optional<std::pair<int64_t, int64_t>> pending_range;  // show this on the next frame
  float scroll_y = 0;
  float requested_scroll_y = -1;  // >= 0: scroll there on the next frame

  // Lanes.
  LaneSort sort = LaneSort::kTraceOrder;
  std::vector<bool> collapsed;      // by thread index
  std::vector<uint32_t> order;      // thread indices, top to bottom
  std::vector<LaneBox> boxes;       // geometry of `order`
  bool lanes_dirty = true;          // recompute order and boxes
  std::vector<bool> lane_selected;  // by thread index; none selected = all lanes

  // Overlays.
  bool show_wakeups = true;
  bool show_legend = true;

  // Navigation history, most recent last; bounded.
  std::vector<NavPoint> history;
  double last_push_time = -1;  // ImGui time of the last push (coalesces wheel zooms)

  // Selection.
  std::optional<RangeSelection> range;
  uint32_t selected_thread = analysis::kNone;  // a selected scope instance
  uint32_t selected_scope = analysis::kNone;
  // The scope under the mouse in the last frame (for '.' and ',').
  uint32_t hovered_thread = analysis::kNone;
  uint32_t hovered_scope = analysis::kNone;

  // The Locks panel's selected lock (highlight_lock_on): its waits are outlined
  // on the lanes, the current one (thread, index into its lock_waits) brighter.
  bool highlight_lock_on = false;
  uint64_t highlight_lock = 0;
  uint32_t highlight_wait_thread = analysis::kNone;
  uint32_t highlight_wait_index = analysis::kNone;
  // Per thread, the indices (into its lock_waits) of the highlighted lock's
  // waits, and the running maximum of their end times (LockHighlightIndex).
  std::vector<std::vector<uint32_t>> highlight_waits;
  std::vector<std::vector<int64_t>> highlight_max_end;

  // Mouse gestures in progress.
  bool panning = false;
  bool selecting = false;
  int64_t select_anchor_ns = 0;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_TIMELINE_STATE_H_
