// Lock contention per lock: acquisitions, contended acquisitions, wait time, and
// the call sites that waited (the waiter's innermost scope) and the holders that
// made them wait: each wait split by who held the lock at each moment (as
// blame.h's LockHolders, so a convoy behind a long hold is charged to that hold,
// not to the waiters that handed the lock over; after a release, the hand-off,
// to the last holder), each piece charged to that thread and its scope over the
// piece (ScopeOver); ranked by the wait they account for.
#ifndef TRACELANE_VIEWER_ANALYSIS_LOCK_CONTENTION_H_
#define TRACELANE_VIEWER_ANALYSIS_LOCK_CONTENTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/model.h"

namespace tracelane::analysis {

struct CallSite {
  uint32_t location = kNone;  // kNone: no enclosing scope, or holder unknown
  std::string name;           // scope name, "(no scope)" or "(unknown holder)"
  uint64_t waits = 0;         // waits charged (at least in part) to this site
  int64_t wait_ns = 0;        // their total duration
};

struct LockReport {
  uint64_t lock_id = 0;
  std::string name;
  uint64_t acquisitions = 0;           // successful acquisitions (contended or not)
  uint64_t contended = 0;              // acquisitions that had to wait
  uint64_t try_failed = 0;             // failed try-locks and timed-out waits
  uint64_t releases_with_waiters = 0;  // releases that woke a waiter (all that abseil reports)
  // The four counters above come from per-capture counts: known for
  // LockContention, not for a time range (LockContentionIn leaves them 0).
  bool counters_known = true;
  // Of `contended` (and of `waits`, in a range): acquisitions whose wait was
  // inferred (absl::Mutex, absl_waits.h), not recorded, and their mean
  // confidence in percent (100 when none).
  uint64_t inferred = 0;
  int inferred_confidence = 100;
  // False when only contended acquisitions are known (abseil reports contended
  // releases only): `acquisitions` is then a lower bound (= contended).
  bool acquisitions_recorded = true;
  uint64_t waits = 0;                    // wait spans, including timed-out and still-open ones
  int64_t total_wait_ns = 0;             // sum of wait spans (kLockWait to acquire/give-up/end)
  int64_t max_wait_ns = 0;               // longest complete wait (cut ones are never the max)
  uint64_t cut_waits = 0;                // waits whose end was not recorded (kOpen, kLost)
  std::vector<CallSite> waiting_sites;   // by wait_ns, largest first
  std::vector<CallSite> holding_sites;   // by wait caused, largest first
  std::vector<CallSite> holder_threads;  // name = "thread [tid]", by wait caused
};

// Every lock that was acquired or waited for, sorted by total wait (largest
// first), then acquisitions. O(holds log holds + waits x (log holds + holds
// overlapping each) + locks log locks); 32 bytes per hold of a waited-for lock.
std::vector<LockReport> LockContention(const Model& m);

// The same report over the waits of the threads `threads` (indices into
// m.threads; empty = every thread) that overlap [from_ns, to_ns) (as in
// range_stats.h): waits and cut_waits count them, total_wait_ns and the call
// sites' wait_ns are their time inside the range (equal to RangeLock::inside_ns),
// max_wait_ns is the whole span of the longest complete one; counters_known is
// false. Per thread O(log waits + waits overlapping the range), plus sorting.
std::vector<LockReport> LockContentionIn(const Model& m, int64_t from_ns, int64_t to_ns,
                                         const std::vector<uint32_t>& threads = {});

// A reference to one lock wait: m.threads[thread].lock_waits[index].
struct LockWaitRef {
  uint32_t thread;
  uint32_t index;
};

// Every lock's waits, by lock id, each list sorted by start time (then thread).
// O(waits log waits); 8 bytes per wait.
absl::flat_hash_map<uint64_t, std::vector<LockWaitRef>> WaitsByLock(const Model& m);

// Total of LockReport::total_wait_ns over all locks.
int64_t TotalLockWait(const Model& m);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_LOCK_CONTENTION_H_
