// tracelane/sched.h: OS scheduler data for traced threads.
//
// Every traced thread gets one perf event (perf_event_open, PERF_COUNT_SW_DUMMY
// with context_switch=1) when it registers. The kernel writes a record at each
// switch-out (flagged "preempted" when the thread was still runnable) and
// switch-in; a collector thread drains the rings every poll interval into a
// bounded per-thread history, and a capture adds that history to the trace as
// kSchedOut / kSchedIn events. This needs no privileges (perf_event_paranoid <= 2
// allows a process to watch its own threads).
//
// If perf is refused (seccomp, perf_event_paranoid 3, RLIMIT_MEMLOCK), or forced
// off, the collector samples /proc/self/task/<tid>/schedstat instead and the
// trace gets kSchedStat events (run and wait nanoseconds since the previous
// sample): approximate, but still "how long did this thread wait for a CPU".
// The trace property "scheduler_source" says which source was used:
// "perf" (exact), "schedstat" (approximate) or "none".
// docs/LOCKS_AND_SCHEDULING.md has the details and the costs.
#ifndef TRACELANE_SCHED_H_
#define TRACELANE_SCHED_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace tracelane {

enum class SchedulerSource {
  kPerf,       // perf context-switch records; threads perf refuses use schedstat
  kSchedstat,  // /proc/self/task/<tid>/schedstat deltas only (approximate)
  kOff,        // no scheduler data
};

// Defaults come from the environment when set: TRACELANE_SCHED=perf|schedstat|off,
// TRACELANE_SCHED_POLL_MS.
struct SchedulerOptions {
  SchedulerSource source = SchedulerSource::kPerf;
  // How often the collector drains perf rings / samples schedstat. Each traced
  // thread's ring holds about 500 switches, so this bounds the switch rate that
  // can be recorded without loss (~25k switches/s per thread at 20 ms).
  absl::Duration poll_interval = absl::Milliseconds(20);
  // Scheduler records kept per thread (oldest dropped first, and counted);
  // 32 bytes each.
  size_t history_per_thread = 32768;
};

// Applies `options` to every live traced thread now and to threads registering
// later (opens or closes their perf events, switches the fallback). Keeps the
// history recorded so far. Fails with InvalidArgument on a non-positive poll
// interval or an empty history. Takes the collector lock; O(threads) syscalls.
absl::Status SetSchedulerOptions(const SchedulerOptions& options);
// The options in force.
SchedulerOptions CurrentSchedulerOptions();

struct SchedulerStats {
  uint64_t threads_perf = 0;       // live threads with a perf event
  uint64_t threads_schedstat = 0;  // live threads sampled through schedstat
  uint64_t records = 0;            // records in the histories (live and exited threads)
  uint64_t lost = 0;               // records lost: perf ring overflow + history overflow
  std::string perf_error;          // why perf was refused, "" if it never was
};
// A snapshot of the collector's counters. Takes the collector lock; O(threads).
SchedulerStats GetSchedulerStats();

}  // namespace tracelane

#endif  // TRACELANE_SCHED_H_
