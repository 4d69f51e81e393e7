// "Why was this slow?": one scope instance's wall time split into thread states,
// with each non-running part attributed to a cause that names what was waited
// for (the lock and its holder with the holder's scope, the condvar and its
// notifier, the pause or stop-the-world, the block) — dominant cause first.
#ifndef TRACELANE_VIEWER_ANALYSIS_EXPLAIN_H_
#define TRACELANE_VIEWER_ANALYSIS_EXPLAIN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::analysis {

enum class CauseKind : uint8_t {
  kLockWait,
  kCondvarWait,
  kIoWait,
  kSleep,
  kSyscall,
  kPause,
  kStopTheWorld,
  kRunnable,
  kUnknown,
  kDataLost,  // Unknown time inside a DataGap: the thread's events were lost
};
// "lock_wait", "condvar_wait", "io_wait", "sleep", "syscall", "pause",
// "stop_the_world", "runnable", "unknown", "data_lost" (stable JSON values).
const char* CauseKindKey(CauseKind k);

// Time of one instance attributed to one cause. Spans with the same identity
// (kind, object, other thread, other scope) are merged and counted.
struct Cause {
  CauseKind kind;
  std::string what;               // lock/condvar name, block/pause location, or ""
  uint64_t object_id = 0;         // lock or condvar id; kDataLost: events lost (0 if unknown)
  uint32_t other_thread = kNone;  // lock holder, condvar notifier, stop-the-world initiator
  std::string other_scope;        // the holder's innermost scope then (lock waits)
  int64_t duration_ns = 0;        // attributed time inside the instance
  uint64_t count = 0;             // spans merged (e.g. number of scheduler waits)
  int64_t first_ns = 0;           // start of the first span (clipped to the instance)
};

struct Explanation {
  ScopeInstance instance;
  std::string scope;  // the instance's scope name
  StateDurations states{};
  std::vector<Cause> causes;  // largest first; Running is not a cause
};

// Explains one instance. O(log n + spans inside the instance).
Explanation Explain(const Model& m, const ScopeInstance& instance);

// One line for people: `lock wait on "db" held by writer [12] in "flush"`.
std::string DescribeCause(const Model& m, const Cause& c);

// Short label used for timeline slices and pprof leaf frames: "lock wait: db",
// "pause: compaction", "stop-the-world: gc", "runnable", "io wait: read", ...
std::string CauseLabel(const Cause& c);

// What thread `thread`, in non-running state `state` at time `at`, was waiting
// for (duration_ns, count and first_ns are left 0). O(log n).
Cause CauseAt(const Model& m, uint32_t thread, ThreadState state, int64_t at);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_EXPLAIN_H_
