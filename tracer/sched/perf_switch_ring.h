// One thread's perf context-switch event and its ring buffer.
#ifndef TRACELANE_TRACER_SCHED_PERF_SWITCH_RING_H_
#define TRACELANE_TRACER_SCHED_PERF_SWITCH_RING_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "tracer/sched/sched_history.h"

namespace tracelane::internal {

class PerfSwitchRing {
 public:
  // Opens a PERF_COUNT_SW_DUMMY event with context_switch=1 on thread `tid` of
  // this process (cpu = any) and maps 1 + `data_pages` pages (a power of two),
  // retrying with fewer pages when the mlock budget is short. Errors:
  // PermissionDenied when perf itself is refused (paranoid, seccomp, no
  // perf_event_open): the caller should stop trying for every thread;
  // ResourceExhausted when this one thread cannot get an fd or a ring.
  static absl::StatusOr<std::unique_ptr<PerfSwitchRing>> Open(int64_t tid, int data_pages);
  ~PerfSwitchRing();
  PerfSwitchRing(const PerfSwitchRing&) = delete;
  PerfSwitchRing& operator=(const PerfSwitchRing&) = delete;

  // Moves every record written since the last call into `out` (kSchedOut /
  // kSchedIn records) and adds records the kernel had to drop to `*lost`.
  // Returns the number of switch records read. Never blocks; O(records).
  size_t Drain(SchedHistory* out, uint64_t* lost);

  // In a child after fork(): the ring was not inherited (perf maps it
  // VM_DONTCOPY) and the event watches a parent thread. Closes the fd and
  // forgets the mapping without unmapping (its range may be reused by now).
  void AbandonAfterFork();

  size_t data_bytes() const { return data_size_; }

 private:
  PerfSwitchRing(int fd, void* base, size_t map_bytes, size_t data_offset, size_t data_size)
      : fd_(fd), base_(base), map_bytes_(map_bytes), data_offset_(data_offset),
        data_size_(data_size) {}

  int fd_;
  void* base_;
  size_t map_bytes_;
  size_t data_offset_;
  size_t data_size_;
};

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_SCHED_PERF_SWITCH_RING_H_
