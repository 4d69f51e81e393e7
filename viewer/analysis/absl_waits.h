// absl::Mutex waits inferred from abseil's release-side hook and the scheduler.
//
// Abseil's mutex tracer fires only on the thread that releases a contended
// absl::Mutex, with the total time its woken waiter(s) waited; the waiters are
// not named (docs/LOCKS_AND_SCHEDULING.md, section 2). So the trace has, on the
// releaser's lane, kLockReleased(mutex, 1) and a sample of the counter
// "absl.Mutex contended wait (us)", and nothing on the waiter's lane: the wait
// shows as Unknown (a voluntary switch-out). With exact scheduler data (perf)
// the waiter can be inferred: a thread that blocked voluntarily before the
// release and was switched in first after it, and whose block matches the
// reported wait. AttributeAbslWaits adds those waits to the model as Lock wait
// with the releaser as holder and the heuristic's confidence
// (LockWait::confidence < 100); docs/ANALYSIS.md, "absl::Mutex waits".
#ifndef TRACELANE_VIEWER_ANALYSIS_ABSL_WAITS_H_
#define TRACELANE_VIEWER_ANALYSIS_ABSL_WAITS_H_

#include <cstdint>

#include "viewer/analysis/model.h"

namespace tracelane::analysis {

// Name of abseil's wait counter (tracer/sync/abseil_locks.cc).
inline constexpr char kAbslWaitCounterName[] = "absl.Mutex contended wait (us)";

// A blocked thread must be switched in within this long after the release to
// be a candidate waiter (wake-up latency on a busy machine).
inline constexpr int64_t kAbslMaxWakeNs = 5000000;

struct AbslWaitStats {
  uint64_t releases = 0;   // contended releases of release-only (abseil) locks
  uint64_t inferred = 0;   // waits added
  uint64_t ambiguous = 0;  // of which several candidates fit (lower confidence)
  uint64_t unmatched = 0;  // releases whose waiter could not be inferred (left Unknown)
};

// Infers the waiter of each contended release of a lock that has releases with
// waiters but no recorded acquisition (abseil's hooks), when the model has perf
// scheduler data; no-op otherwise (returns zero stats). For each release at r
// by H with reported wait W (the counter sample on H's lane at r, if any):
// candidates are other threads in an Unknown span (a voluntary switch-out, not
// a user block nor a gap of lost data) that began before r and ended (switch-in)
// in [r, r + kAbslMaxWakeNs], not claimed by another release. A candidate is
// consistent when its block began within max(200 us, W/10) of r - W (the
// waiter blocks right after it starts waiting). The consistent candidate
// switched in first is chosen (confidence 90 if it is the only consistent one,
// 70 otherwise); without W the first to switch in (60 if alone, 40 otherwise);
// if W is known and nobody is consistent, nothing is inferred. The wait
// [max(r - W, its block start walked back over Running/Runnable/Unknown),
// switch-in) becomes a LockWait (holder H, outcome kAcquired) and Lock wait in
// the waiter's states, and a contended acquisition of the lock in m.locks
// (LockCounters::inferred, with its confidence). Idempotent (an inferred wait is no longer
// Unknown). O(releases x threads x log n + states of the touched threads).
AbslWaitStats AttributeAbslWaits(Model& m);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_ABSL_WAITS_H_
