// "Why was this slow?": one scope instance's wall time split into thread states,
// with each non-running part attributed to a cause that names what was waited
// for (the lock and the thread that held it with its scope over the hold, the
// condvar and its notifier, the pause or stop-the-world, the block), each lock
// or condvar wait followed down its blame chain to the root (blame.h), and the
// running time split by the instance's own scopes (self time and each child) —
// dominant part first.
#ifndef TRACELANE_VIEWER_ANALYSIS_EXPLAIN_H_
#define TRACELANE_VIEWER_ANALYSIS_EXPLAIN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "viewer/analysis/blame.h"
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
  kRunning,   // on CPU (or off CPU unobserved) in a scope: Explanation::running, roots
};
// "lock_wait", "condvar_wait", "io_wait", "sleep", "syscall", "pause",
// "stop_the_world", "runnable", "unknown", "data_lost", "running" (stable JSON
// values).
const char* CauseKindKey(CauseKind k);

// One hop of a blame chain: the previous thread (for the first hop, the
// explained one) waited via `via` on `what` for `thread`, which was in `scope`
// over that time (ScopeOver: the scope covering most of it).
struct BlameHop {
  CauseKind via = CauseKind::kLockWait;  // kLockWait (held the lock) or kCondvarWait (notified)
  std::string what;                      // lock or condvar name
  uint64_t object_id = 0;
  uint32_t thread = kNone;  // the holder or notifier
  std::string scope;        // its scope over the overlap; "(no scope)" if none
  bool hold_cut = false;    // the hold's start was not recorded: held "since before"
  // 100: the wait on `what` was recorded; lower: inferred (absl::Mutex,
  // absl_waits.h), the heuristic's confidence in percent.
  int confidence = 100;
};

// Where a blame chain ends: its last thread and what that thread was doing.
struct BlameRoot {
  uint32_t thread = kNone;  // kNone: no chain (or the holder is unknown / already released)
  ThreadState state = ThreadState::kRunning;
  // The root's cause: kRunning, kSleep, kIoWait, kSyscall, kRunnable, kPause,
  // kStopTheWorld, kUnknown or kDataLost; kLockWait / kCondvarWait when the chain
  // stopped at a wait it could not follow (see `end`).
  CauseKind kind = CauseKind::kRunning;
  std::string what;   // the root's block / pause / lock location or name, or ""
  std::string scope;  // the root thread's scope over that time
  BlameEnd end = BlameEnd::kRoot;
};

// Time of one instance attributed to one cause. Spans with the same identity
// (kind, object, other thread, other scope, chain and root) are merged and counted.
struct Cause {
  CauseKind kind;
  std::string what;               // lock/condvar name, block/pause location, or ""
  uint64_t object_id = 0;         // lock or condvar id; kDataLost: events lost (0 if unknown)
  uint32_t other_thread = kNone;  // lock holder, condvar notifier, stop-the-world initiator
  std::string other_scope;        // the holder's innermost scope then (lock waits)
  int64_t duration_ns = 0;        // attributed time inside the instance
  uint64_t count = 0;             // spans merged (e.g. number of scheduler waits)
  int64_t first_ns = 0;           // start of the first span (clipped to the instance)
  // Lock and condvar waits: the blame chain (chain[0] is other_thread, with its
  // scope over the hold) and where it ends; empty / root.thread == kNone otherwise.
  std::vector<BlameHop> chain{};
  BlameRoot root{};
  // kRunnable causes and runnable roots (with scheduler data): the mean number of
  // traced threads running or runnable meanwhile (CPU oversubscription); 0 unknown.
  double busy_threads = 0;
  // 100: recorded; lower: the wait was inferred (absl::Mutex, absl_waits.h), in %.
  int confidence = 100;
  bool self = false;  // kRunning: the instance's own code, outside its child scopes
};

// The CPU a machine had, from the capture's "cpus" property; 0 if not recorded.
int CaptureCpus(const Model& m);

struct Explanation {
  ScopeInstance instance;
  std::string scope;  // the instance's scope name
  StateDurations states{};
  std::vector<Cause> causes;  // largest first; Running is not a cause
  // Running time split by the innermost scope inside the instance: kind kRunning,
  // what = the scope's name (the instance's own name for self time), object_id =
  // its location; largest first. Sums to states[kRunning].
  std::vector<Cause> running;
  // causes and running together, largest first (sum = wall time): parts.front()
  // is the dominant cause, be it a wait's root or a CPU-heavy child scope.
  std::vector<Cause> parts;
};

// Explains one instance. O(log n + spans inside the instance + spans of the
// blamed threads inside their overlaps x threads), bounded by a step budget.
Explanation Explain(const Model& m, const ScopeInstance& instance);

// One line for people: `lock wait on "db" held by writer [12] in "flush", running`;
// a chain reads `lock wait on "a" held by x [1] in "f", itself waiting on lock
// "b" held by y [2] in "g", sleeping in "nap"`.
std::string DescribeCause(const Model& m, const Cause& c);

// Short label used for timeline slices and pprof leaf frames: "lock wait: db",
// "pause: compaction", "stop-the-world: gc", "runnable", "io wait: read", ...
std::string CauseLabel(const Cause& c);

// The same without thread ids and counts, so that instances on different
// threads of a pool aggregate (`why`): `lock wait on "db" held by writer in
// "flush", running`.
std::string SummarizeCause(const Model& m, const Cause& c);
// SummarizeCause without where the chain ends (`lock wait on "db" held by
// writer in "flush"`), and where it ends (`running`; "" without a chain): `why`
// groups causes by the first and breaks each group down by the second.
std::string SummarizeWait(const Model& m, const Cause& c);
std::string SummarizeRoot(const Model& m, const Cause& c);
// Where a lock or condvar wait's chain ends, for people (with the CPU context of
// a runnable root): `running`, `sleeping in "nap"`, `runnable (waiting for a
// CPU; 3.1 traced threads running or runnable meanwhile on 2 CPUs)`, `holder
// unknown`, `already released: the next holder's wake-up (hand-off)`. O(1).
std::string DescribeRoot(const Model& m, const Cause& c);

// What thread `thread`, in non-running state `state` at time `at`, was waiting
// for (duration_ns, count and first_ns are left 0; no chain). For a lock wait,
// other_scope is the holder's scope over its hold's overlap with the wait
// (ScopeOver). O(log n).
Cause CauseAt(const Model& m, uint32_t thread, ThreadState state, int64_t at);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_EXPLAIN_H_
