// Blame chains: following the wait-for graph from a wait to its root.
//
// A lock wait is blamed on whoever HELD the lock at each moment of the wait (from
// the lock's recorded holds), not on the thread that handed it over: in a convoy
// the waiter that got the lock first only held it briefly. What that holder was
// doing over the overlap is read from its states; where it was itself waiting (a
// lock, or a condvar with a known notifier) the walk recurses into that wait, so
// every nanosecond of the original wait ends at exactly one root: a thread
// running, sleeping, in IO, paused, runnable, off CPU for an unknown reason, or in
// a gap of lost data. The walk is bounded (kMaxBlameDepth hops, a step budget)
// and cycle-safe (a thread already on the path ends the chain).
//
// Internal to the analysis library (explain.cc); the results are published as
// Cause::chain / Cause::root (explain.h).
#ifndef TRACELANE_VIEWER_ANALYSIS_BLAME_H_
#define TRACELANE_VIEWER_ANALYSIS_BLAME_H_

#include <cstdint>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/states.h"

namespace tracelane::analysis {

// Longest blame chain followed (hops); deeper waits end with BlameEnd::kDepthLimit.
inline constexpr int kMaxBlameDepth = 8;

// The deepest scope of `t` that covers more than half of [a, b) (for an empty
// interval: the innermost scope at a), or kNone. This is "the holder's scope over
// the hold": a hold released just after its scope ended still names the scope.
// O(log n + depth): a scope covering more than half the interval contains its
// midpoint, and at each depth at most one scope does.
uint32_t ScopeOver(const ThreadModel& t, int64_t a, int64_t b);

// The holder's scope over a lock wait `w` (of another thread, whose
// holder_thread is resolved): ScopeOver the part of the wait that overlapped the
// holder's last hold of w.lock_id acquired before the wait ended (a release
// without its acquisition was held since before: up to its release). Without an
// overlap, the holder's innermost scope at its hold's last nanosecond. kNone if
// the holder is unknown or was in no scope. This is LockWait::holder_scope, the
// one number the lock table (holding sites), explain, the timeline tooltips and
// the Chrome export's flow labels show. O(log n + depth), looks back at most 256
// holds.
uint32_t HolderScopeOverWait(const Model& m, const LockWait& w);

// Who held `lock` over [a, b), as a partition of that interval (excluding the
// thread `waiter`). `thread` is kNone where no traced thread is known to have
// held it; `hold_cut` says the hold's start was not recorded (a release without
// its acquisition: before the capture window, or abseil's release-only reports),
// so it is known to have been held only up to its release.
struct HolderSpan {
  int64_t start_ns;
  int64_t end_ns;
  uint32_t thread;
  bool hold_cut;
};
// `fallback` (the recorded releaser, or kNone) is used when no hold of the lock
// is recorded inside [a, b) at all. O(holds overlapping x threads x log n).
std::vector<HolderSpan> LockHolders(const Model& m, uint64_t lock, uint32_t waiter, int64_t a,
                                    int64_t b, uint32_t fallback);

// How a chain ended.
enum class BlameEnd : uint8_t {
  kRoot,           // the last thread was not waiting for another traced thread
  kCycle,          // the next hop is a thread already on the chain (a deadlock-like cycle)
  kDepthLimit,     // kMaxBlameDepth hops (or the step budget) reached
  kUnknownHolder,  // nobody is known to have held the lock then (holder not traced)
  kHandoff,        // the lock was already released: the waiter's wake-up after the hand-off
};

// One piece of a wait with its chain, as the walk produces it.
struct BlameHopRaw {
  bool condvar;        // false: held the lock; true: notified the condvar
  uint64_t object_id;  // lock or condvar id
  uint32_t thread;     // holder / notifier (kNone for kUnknownHolder / kHandoff ends)
  uint32_t scope;      // its ScopeOver the piece, index into its scopes or kNone
  bool hold_cut;
  uint8_t confidence;  // of the wait this hop explains (LockWait::confidence; 100 recorded)
};
struct BlameSegment {
  int64_t start_ns;
  int64_t end_ns;
  std::vector<BlameHopRaw> hops;  // first = whom the explained thread waited for
  uint32_t root_thread;           // = hops.back().thread (kNone for some ends)
  ThreadState root_state;         // its state over the piece
  int64_t root_at;                // where the root's state was read (for CauseAt)
  BlameEnd end;
};

// Follows the chain of the explained thread `waiter`, which is in `state` (Lock
// wait or Condvar wait) over [a, b), appending the pieces to `out` (they
// partition [a, b) unless the wait itself is unknown, then nothing is added and
// false is returned). `budget` counts state spans visited and is decremented.
bool FollowWait(const Model& m, uint32_t waiter, ThreadState state, int64_t a, int64_t b,
                int64_t* budget, std::vector<BlameSegment>* out);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_BLAME_H_
