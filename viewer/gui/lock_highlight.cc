#include "viewer/gui/lock_highlight.h"

#include <algorithm>

#include "viewer/gui/colors.h"

namespace tracelane::gui {
namespace {

bool IsCut(const analysis::LockWait& w) {
  return w.outcome == analysis::WaitOutcome::kOpen || w.outcome == analysis::WaitOutcome::kLost;
}

}  // namespace

void SetLockHighlight(const Document& doc, TimelineState& s, uint64_t lock,
                      const std::vector<analysis::LockWaitRef>& waits) {
  s.highlight_lock = lock;
  const size_t n = doc.model.threads.size();
  s.highlight_waits.assign(n, {});
  s.highlight_max_end.assign(n, {});
  for (const analysis::LockWaitRef& r : waits) {  // in time order, so each list is too
    if (r.thread >= n) continue;
    const analysis::LockWait& w = doc.model.threads[r.thread].lock_waits[r.index];
    std::vector<int64_t>& max_end = s.highlight_max_end[r.thread];
    s.highlight_waits[r.thread].push_back(r.index);
    max_end.push_back(max_end.empty() ? w.end_ns : std::max(max_end.back(), w.end_ns));
  }
}

void DrawLockHighlight(const Document& doc, const TimelineState& s, const LaneMetrics& metrics,
                       ImDrawList* dl, float lanes_y0, size_t first, size_t last) {
  if (!s.highlight_lock_on) return;
  const int64_t view_from = s.axis.start_ns, view_to = s.axis.end_ns();
  for (size_t i = first; i < last && i < s.boxes.size(); ++i) {
    const LaneBox& b = s.boxes[i];
    if (b.thread >= s.highlight_waits.size()) continue;
    const std::vector<uint32_t>& idx = s.highlight_waits[b.thread];
    const std::vector<int64_t>& max_end = s.highlight_max_end[b.thread];
    const PodVector<analysis::LockWait>& w = doc.model.threads[b.thread].lock_waits;
    if (idx.empty()) continue;
    const float y0 = lanes_y0 + StateY(b, metrics) - s.scroll_y - 1;
    const float y1 = y0 + metrics.state + 2;
    const auto start_of = [&](uint32_t k) { return w[k].start_ns; };
    // The first wait that ends in view: max_end is non-decreasing.
    size_t k = static_cast<size_t>(std::upper_bound(max_end.begin(), max_end.end(), view_from) -
                                   max_end.begin());
    while (k < idx.size() && start_of(idx[k]) < view_to) {
      const analysis::LockWait& first_wait = w[idx[k]];
      float x0 = s.axis.ToX(first_wait.start_ns), x1 = s.axis.ToX(first_wait.end_ns);
      bool cut = IsCut(first_wait);
      ++k;
      // Merge every wait beginning within a pixel of the run; skip ahead by
      // binary search, taking the skipped waits' ends from max_end.
      for (;;) {
        const int64_t next_ns = s.axis.ToNs(x1 + 1);
        const size_t j = static_cast<size_t>(
            std::lower_bound(idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(), next_ns,
                             [&](uint32_t a, int64_t v) { return start_of(a) < v; }) -
            idx.begin());
        if (j == k) break;
        x1 = std::max(x1, s.axis.ToX(max_end[j - 1]));
        for (size_t q = k; q < j && q < k + 4; ++q) cut = cut || IsCut(w[idx[q]]);
        k = j;
      }
      dl->AddRect(ImVec2(x0 - 1, y0), ImVec2(std::max(x1, x0 + 2) + 1, y1),
                  cut ? kCutMark : kLockHighlight, 0, 0, 2.0f);
    }
    // The wait being stepped through.
    if (b.thread == s.highlight_wait_thread && s.highlight_wait_index < w.size()) {
      const analysis::LockWait& c = w[s.highlight_wait_index];
      if (c.end_ns >= view_from && c.start_ns < view_to) {
        const float x0 = s.axis.ToX(c.start_ns), x1 = std::max(s.axis.ToX(c.end_ns), x0 + 2);
        dl->AddRectFilled(ImVec2(x0 - 1, y0), ImVec2(x1 + 1, y1), kLockCurrent);
        dl->AddRect(ImVec2(x0 - 3, y0 - 2), ImVec2(x1 + 3, y1 + 2), 0xFFFFFFFF, 0, 0, 2.0f);
      }
    }
  }
}

}  // namespace tracelane::gui
