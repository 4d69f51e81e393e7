// A bounded, chronological history of one thread's scheduler records.
#ifndef TRACELANE_TRACER_SCHED_SCHED_HISTORY_H_
#define TRACELANE_TRACER_SCHED_SCHED_HISTORY_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tracelane/format.h"

namespace tracelane::internal {

// One scheduler record, timestamped in CLOCK_MONOTONIC ns (perf's clock and
// schedstat's sampling clock); converted to ticks when a snapshot is taken.
struct SchedRecord {
  int64_t mono_ns = 0;
  uint64_t payload = 0;  // kSchedOut: flags; kSchedIn: cpu; kSchedStat: run ns delta
  int64_t arg = 0;       // kSchedStat: wait ns delta
  format::EventType type = format::EventType::kSchedIn;
  bool has_arg = false;
};

// Ring of at most `capacity` records; when full the oldest is overwritten and
// counted in lost(). Grows on demand, so idle threads cost almost nothing.
class SchedHistory {
 public:
  explicit SchedHistory(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  void Push(const SchedRecord& r) {
    if (ring_.size() < capacity_) {
      ring_.push_back(r);
      return;
    }
    ring_[head_] = r;
    head_ = (head_ + 1) % ring_.size();
    ++lost_;
  }

  // Calls f(record) oldest first.
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < ring_.size(); ++i) f(ring_[(head_ + i) % ring_.size()]);
  }

  // Changes the capacity, keeping the newest records.
  void SetCapacity(size_t capacity) {
    if (capacity == 0) capacity = 1;
    std::vector<SchedRecord> kept;
    kept.reserve(ring_.size() < capacity ? ring_.size() : capacity);
    const size_t skip = ring_.size() > capacity ? ring_.size() - capacity : 0;
    lost_ += skip;
    size_t i = 0;
    ForEach([&](const SchedRecord& r) {
      if (i++ >= skip) kept.push_back(r);
    });
    ring_.swap(kept);
    head_ = 0;
    capacity_ = capacity;
  }

  void Clear() {
    ring_.clear();
    head_ = 0;
  }

  size_t size() const { return ring_.size(); }
  uint64_t lost() const { return lost_; }

 private:
  size_t capacity_;
  std::vector<SchedRecord> ring_;
  size_t head_ = 0;  // index of the oldest record once the ring is full
  uint64_t lost_ = 0;
};

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_SCHED_SCHED_HISTORY_H_
