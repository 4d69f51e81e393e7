// Thread state analysis (Go's per-goroutine breakdown, for OS threads): time in
// each ThreadState per thread, per thread name, and over any time range.
#ifndef TRACELANE_VIEWER_ANALYSIS_THREAD_STATES_H_
#define TRACELANE_VIEWER_ANALYSIS_THREAD_STATES_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/states.h"

namespace tracelane::analysis {

// Nanoseconds per state, indexed by static_cast<int>(ThreadState).
using StateDurations = std::array<int64_t, kNumStates>;

inline int64_t Get(const StateDurations& d, ThreadState s) { return d[static_cast<int>(s)]; }
int64_t Sum(const StateDurations& d);

// Time of thread `t` in each state over [from, to) clipped to its life.
// O(log n + spans in the range).
StateDurations StatesIn(const ThreadModel& t, int64_t from, int64_t to);
// Over the thread's whole life; sums to wall_ns(). O(spans).
StateDurations ThreadTotals(const ThreadModel& t);

// One row of the thread table: a thread, or all threads sharing a name.
struct ThreadStatesRow {
  std::string name;
  int64_t tid = 0;          // 0 for a group
  uint32_t thread = kNone;  // index into Model::threads; kNone for a group
  uint32_t threads = 1;     // threads in the row
  int64_t wall_ns = 0;      // sum of lives; equals Sum(ns)
  StateDurations ns{};
  int64_t non_running_ns() const { return wall_ns - Get(ns, ThreadState::kRunning); }
};

// Per thread, in trace order. O(total spans).
std::vector<ThreadStatesRow> ThreadStates(const Model& m);
// Per thread name (like Go's grouping by start function), sorted by name.
// Equals GroupByName(ThreadStates(m)). O(total spans + threads log threads).
std::vector<ThreadStatesRow> ThreadStatesByName(const Model& m);
// Per-thread rows (as from ThreadStates) summed per name, sorted by name; each
// group has tid 0, thread kNone and `threads` = rows summed. O(n log n).
std::vector<ThreadStatesRow> GroupByName(const std::vector<ThreadStatesRow>& rows);
// Every row summed into one named `name` (tid 0, thread kNone, `threads` = sum of
// the rows' threads). Over ThreadStates(m) its ns equal TotalStates(m). O(n).
ThreadStatesRow SumRows(const std::vector<ThreadStatesRow>& rows, std::string name);
// Per thread of `threads` (indices into m.threads; empty = every thread) alive
// in [from, to), in trace order: wall_ns is its life inside the range and ns its
// StatesIn. The rows' sums equal RangeStats::states and their number
// RangeStats::threads (range_stats.h). O(log n + spans in the range) per thread.
std::vector<ThreadStatesRow> ThreadStatesIn(const Model& m, int64_t from, int64_t to,
                                            const std::vector<uint32_t>& threads = {});
// Sum over all threads.
StateDurations TotalStates(const Model& m);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_THREAD_STATES_H_
