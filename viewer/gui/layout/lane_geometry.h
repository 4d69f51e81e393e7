// Vertical geometry of the timeline: the order of the lanes (one per thread),
// each lane's box (header, state strip, one row per scope depth), and which
// lanes a scrolled view shows.
#ifndef TRACELANE_VIEWER_GUI_LAYOUT_LANE_GEOMETRY_H_
#define TRACELANE_VIEWER_GUI_LAYOUT_LANE_GEOMETRY_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::gui {

// How the lanes are ordered.
enum class LaneSort {
  kTraceOrder,  // as in Model::threads
  kName,        // by thread name, then tid
  kTid,         // by tid
  kNotRunning,  // most non-running time first
};

// Lane order (thread indices, every thread of m once) for the sort. kNotRunning
// takes each thread's non-running time from `rows` (analysis::ThreadStates(m);
// rows of groups or of unknown threads are ignored, threads without a row count
// 0); the other sorts ignore `rows`. Stable: ties keep trace order. O(n log n).
std::vector<uint32_t> SortLanes(const analysis::Model& m, LaneSort sort,
                                const std::vector<analysis::ThreadStatesRow>& rows);

// Heights (px) of the parts of a lane.
struct LaneMetrics {
  float header = 18;     // thread name bar
  float state = 12;      // state strip
  float scope_row = 16;  // one row per scope depth
  float gap = 6;         // between consecutive lanes
};

// One lane's box: y relative to the top of the lane area.
struct LaneBox {
  uint32_t thread;  // index into Model::threads
  float y;          // top of the header
  float height;     // header + state strip + depths * scope_row (0 rows when collapsed)
  int depths;       // scope depths of the thread (t.scopes_by_depth.size())
  bool collapsed;   // scope rows hidden
};

// Top of the state strip and of scope row `depth` inside box b. O(1).
inline float StateY(const LaneBox& b, const LaneMetrics& metrics) { return b.y + metrics.header; }
inline float ScopeRowY(const LaneBox& b, const LaneMetrics& metrics, int depth) {
  return b.y + metrics.header + metrics.state + static_cast<float>(depth) * metrics.scope_row;
}

// Vertical layout of the lanes in `order`: per lane its y and height, lanes
// stacked top to bottom with metrics.gap between them. `collapsed` is indexed by
// thread (missing entries mean expanded); order entries that are not thread
// indices are skipped. O(lanes).
std::vector<LaneBox> LayoutLanes(const analysis::Model& m, const std::vector<uint32_t>& order,
                                 const std::vector<bool>& collapsed, const LaneMetrics& metrics);

// Total height of the laid-out lanes (bottom of the last box; 0 for none). O(1).
float LanesHeight(const std::vector<LaneBox>& boxes);

// Indices [first, last) into `boxes` of the lanes intersecting
// [scroll_y, scroll_y + view_h), by binary search. O(log n).
std::pair<size_t, size_t> VisibleLanes(const std::vector<LaneBox>& boxes, float scroll_y,
                                       float view_h);

// Index into `boxes` of the lane whose box holds y (box.y <= y < box.y + height), or
// boxes.size() when y falls in a gap or outside. O(log n).
size_t LaneAt(const std::vector<LaneBox>& boxes, float y);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LAYOUT_LANE_GEOMETRY_H_
