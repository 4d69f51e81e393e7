#include "viewer/gui/layout/state_index.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace tracelane::gui {

using analysis::StateDurations;
using analysis::ThreadModel;

namespace {

void AddSpan(const ThreadModel& t, size_t i, int64_t sign, StateDurations* d) {
  (*d)[static_cast<int>(t.states[i].state)] += sign * (t.StateEnd(i) - t.states[i].start_ns);
}

}  // namespace

StateIndex::StateIndex(const ThreadModel& t) : spans_(t.states.size()) {
  checkpoints_.reserve(spans_ / kStride + 1);
  StateDurations sum{};
  checkpoints_.push_back(sum);
  for (size_t i = 0; i < spans_; ++i) {
    AddSpan(t, i, 1, &sum);
    if ((i + 1) % kStride == 0) checkpoints_.push_back(sum);
  }
}

StateDurations StateIndex::Prefix(const ThreadModel& t, size_t i, uint64_t* visited) const {
  if (checkpoints_.empty()) return StateDurations{};
  i = std::min(i, spans_);
  const size_t k = i / kStride;
  const size_t r = i % kStride;
  StateDurations d;
  size_t walked = 0;
  if (r > kStride / 2 && k + 1 < checkpoints_.size()) {
    // Nearer to the next checkpoint: subtract spans [i, (k + 1) * kStride).
    d = checkpoints_[k + 1];
    for (size_t j = i; j < (k + 1) * kStride; ++j, ++walked) AddSpan(t, j, -1, &d);
  } else {
    d = checkpoints_[k];
    for (size_t j = k * kStride; j < i; ++j, ++walked) AddSpan(t, j, 1, &d);
  }
  if (visited != nullptr) *visited += walked;
  return d;
}

StateDurations StateIndex::Between(const ThreadModel& t, size_t first, size_t last) const {
  last = std::min(last, spans_);
  if (first >= last) return StateDurations{};
  const StateDurations hi = Prefix(t, last);
  const StateDurations lo = Prefix(t, first);
  StateDurations d;
  for (size_t s = 0; s < d.size(); ++s) d[s] = hi[s] - lo[s];
  return d;
}

}  // namespace tracelane::gui
