// A prefix-sum index over a thread's state spans, so the time in each state over
// any run of spans (a merged block of the state strip, a tooltip over a region)
// costs O(16) instead of O(run length).
#ifndef TRACELANE_VIEWER_GUI_LAYOUT_STATE_INDEX_H_
#define TRACELANE_VIEWER_GUI_LAYOUT_STATE_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::gui {

// Cumulative time per ThreadState at every 16th state span of a thread:
// checkpoint k holds the time in each state over spans [0, 16k). A prefix at any
// span walks at most 8 spans from the nearest checkpoint. About 4.5 bytes per
// span (72 bytes per 16 spans). Build O(spans).
//
// The index does not keep a reference to the thread; pass the same (unchanged)
// ThreadModel to every query.
class StateIndex {
 public:
  // Spans between checkpoints.
  static constexpr size_t kStride = 16;

  StateIndex() = default;  // an index over no spans
  explicit StateIndex(const analysis::ThreadModel& t);

  // Time in each state over spans [first, last) (whole spans; indices are clamped
  // to the span count, an empty or reversed range gives zeros). O(16).
  analysis::StateDurations Between(const analysis::ThreadModel& t, size_t first, size_t last) const;
  // Time in each state over spans [0, i) (i clamped to the span count). Adds the
  // spans it reads (at most 8) to *visited when given. O(8).
  analysis::StateDurations Prefix(const analysis::ThreadModel& t, size_t i,
                                  uint64_t* visited = nullptr) const;

  // Number of spans indexed. O(1).
  size_t spans() const { return spans_; }
  // Heap bytes held. O(1).
  size_t MemoryBytes() const { return checkpoints_.capacity() * sizeof(analysis::StateDurations); }

 private:
  std::vector<analysis::StateDurations> checkpoints_;  // [k] = Prefix(k * kStride)
  size_t spans_ = 0;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LAYOUT_STATE_INDEX_H_
