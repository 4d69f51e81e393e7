#include "viewer/gui/layout/lane_geometry.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace tracelane::gui {

std::vector<uint32_t> SortLanes(const analysis::Model& m, LaneSort sort,
                                const std::vector<analysis::ThreadStatesRow>& rows) {
  std::vector<uint32_t> order(m.threads.size());
  std::iota(order.begin(), order.end(), 0u);
  const auto& th = m.threads;
  switch (sort) {
    case LaneSort::kTraceOrder:
      break;
    case LaneSort::kName:
      std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        if (th[a].name != th[b].name) return th[a].name < th[b].name;
        return th[a].tid < th[b].tid;
      });
      break;
    case LaneSort::kTid:
      std::stable_sort(order.begin(), order.end(),
                       [&](uint32_t a, uint32_t b) { return th[a].tid < th[b].tid; });
      break;
    case LaneSort::kNotRunning: {
      std::vector<int64_t> not_running(th.size(), 0);
      for (const analysis::ThreadStatesRow& r : rows) {
        if (r.thread < th.size()) not_running[r.thread] = r.non_running_ns();
      }
      std::stable_sort(order.begin(), order.end(),
                       [&](uint32_t a, uint32_t b) { return not_running[a] > not_running[b]; });
      break;
    }
  }
  return order;
}

std::vector<LaneBox> LayoutLanes(const analysis::Model& m, const std::vector<uint32_t>& order,
                                 const std::vector<bool>& collapsed, const LaneMetrics& metrics) {
  std::vector<LaneBox> boxes;
  boxes.reserve(order.size());
  float y = 0;
  for (uint32_t ti : order) {
    if (ti >= m.threads.size()) continue;
    LaneBox b;
    b.thread = ti;
    b.y = y;
    b.depths = static_cast<int>(m.threads[ti].scopes_by_depth.size());
    b.collapsed = ti < collapsed.size() && collapsed[ti];
    b.height = metrics.header + metrics.state +
               (b.collapsed ? 0.0f : static_cast<float>(b.depths) * metrics.scope_row);
    boxes.push_back(b);
    y += b.height + metrics.gap;
  }
  return boxes;
}

float LanesHeight(const std::vector<LaneBox>& boxes) {
  return boxes.empty() ? 0.0f : boxes.back().y + boxes.back().height;
}

std::pair<size_t, size_t> VisibleLanes(const std::vector<LaneBox>& boxes, float scroll_y,
                                       float view_h) {
  const float bottom = scroll_y + view_h;
  // Boxes are stacked, so both their tops and their bottoms are sorted.
  auto first = std::partition_point(boxes.begin(), boxes.end(),
                                    [&](const LaneBox& b) { return b.y + b.height <= scroll_y; });
  auto last =
      std::partition_point(first, boxes.end(), [&](const LaneBox& b) { return b.y < bottom; });
  return {static_cast<size_t>(first - boxes.begin()), static_cast<size_t>(last - boxes.begin())};
}

size_t LaneAt(const std::vector<LaneBox>& boxes, float y) {
  auto it =
      std::partition_point(boxes.begin(), boxes.end(), [&](const LaneBox& b) { return b.y <= y; });
  if (it == boxes.begin()) return boxes.size();
  --it;
  return y < it->y + it->height ? static_cast<size_t>(it - boxes.begin()) : boxes.size();
}

}  // namespace tracelane::gui
