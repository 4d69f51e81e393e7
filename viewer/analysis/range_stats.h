// Statistics over a time range, for the viewer's range selection: for the
// selected threads (all by default) the time in each state, the scopes most
// present and the locks waited on in [from_ns, to_ns).
//
//   RangeStats r = ComputeRangeStats(m, from, to);        // every thread
//   RangeStats r = ComputeRangeStats(m, from, to, {2, 5});  // threads 2 and 5
//
// An item (scope instance, lock wait) overlaps the range if it begins before
// to_ns and ends after from_ns, or is zero-length with from_ns <= begin < to_ns.
#ifndef TRACELANE_VIEWER_ANALYSIS_RANGE_STATS_H_
#define TRACELANE_VIEWER_ANALYSIS_RANGE_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::analysis {

// One source location's presence in the range.
struct RangeScope {
  uint32_t location;
  std::string name;
  uint64_t instances = 0;  // instances overlapping the range
  // Their time inside the range, summed over threads (an instance nested in
  // another instance of the same location is not counted twice).
  int64_t inside_ns = 0;
};

// One lock's waits in the range.
struct RangeLock {
  uint64_t lock_id;
  std::string name;
  uint64_t waits = 0;       // lock waits overlapping the range
  int64_t inside_ns = 0;    // wait time inside the range, summed over waits
  int64_t max_wait_ns = 0;  // longest complete one of those waits (whole span)
  uint64_t cut_waits = 0;   // of the waits, those whose end was not recorded (never the max)
};

struct RangeStats {
  int64_t from_ns = 0, to_ns = 0;
  uint32_t threads = 0;            // threads counted (alive in the range)
  StateDurations states{};         // sum over the threads of StatesIn(t, from, to)
  std::vector<RangeScope> scopes;  // by inside_ns, largest first (then instances, name)
  std::vector<RangeLock> locks;    // by inside_ns, largest first (then waits, lock id)
};

// Whether [begin, end) overlaps [from, to): it begins before `to` and ends after
// `from`, or is zero-length with from <= begin < to. O(1).
inline bool RangeOverlaps(int64_t begin, int64_t end, int64_t from, int64_t to) {
  return begin < to && (end > from || begin >= from);
}
// Length of [begin, end) inside [from, to) (0 if none). O(1).
inline int64_t TimeInside(int64_t begin, int64_t end, int64_t from, int64_t to) {
  const int64_t lo = begin > from ? begin : from, hi = end < to ? end : to;
  return hi > lo ? hi - lo : 0;
}
// The thread indices a range statistic covers: every thread if `threads` is
// empty, else `threads` sorted, deduplicated, out-of-range ones dropped.
// O(n log n).
std::vector<uint32_t> SelectedThreads(const Model& m, const std::vector<uint32_t>& threads);

// Statistics over [from_ns, to_ns) for `threads` (indices into m.threads; empty =
// every thread; out-of-range and repeated indices are ignored). Empty stats if
// from_ns >= to_ns. Scope instances and lock waits come from every selected
// thread; `threads` and `states` count the threads alive in the range, so
// Sum(states) is the threads' life time inside it. Per thread O(log n + depth +
// items overlapping the range + lock waits that began within max_lock_wait_ns
// before from_ns), plus sorting the result.
RangeStats ComputeRangeStats(const Model& m, int64_t from_ns, int64_t to_ns,
                             const std::vector<uint32_t>& threads = {});

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_RANGE_STATS_H_
