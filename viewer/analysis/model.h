// The analysis model: a trace loaded into per-thread sorted vectors of state
// spans, scopes, waits, holds and pauses, plus an index from source location to
// scope instances. Every analysis (thread states, MMU, locks, scopes, explain,
// exports) and the GUI read this model; none of them touch raw events.
//
//   absl::StatusOr<Model> m = LoadModel("spike.tlt");
//   for (const ThreadModel& t : m->threads) ... t.states ... t.scopes ...
//
// Loading decodes the file's blocks on every core (reader::ParallelStreamTrace)
// and runs each thread's events through a state machine that is O(1) per event,
// threads concurrently, then finalizes each thread (capture cuts,
// stop-the-world overlay, schedstat spreading, lock holder resolution). Nothing is
// paired across a loss (kDataLost): spans open at a gap are closed at its start
// and marked cut, and the gap itself is Unknown time listed in ThreadModel::gaps.
// Memory: about 16-40 bytes per event depending on the mix (docs/ANALYSIS.md).
#ifndef TRACELANE_VIEWER_ANALYSIS_MODEL_H_
#define TRACELANE_VIEWER_ANALYSIS_MODEL_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "viewer/analysis/states.h"
#include "viewer/lib/pod_vector.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::analysis {

// "No such index" for scope, thread and location references.
inline constexpr uint32_t kNone = UINT32_MAX;

// One TRACE_SCOPE instance, [begin_ns, end_ns). 24 bytes.
struct Scope {
  int64_t begin_ns;
  int64_t end_ns;
  uint32_t location;  // index into Model::info.locations
  uint32_t parent;    // index of the enclosing scope on the same thread, or kNone
};

// A TRACE_INSTANT on one thread. 16 bytes.
struct Instant {
  int64_t ts_ns;
  uint32_t location;  // index into Model::info.locations
};

// One TRACE_COUNTER sample. 24 bytes.
struct CounterPoint {
  int64_t ts_ns;
  double value;     // the counter's value from this instant on
  uint32_t thread;  // thread that emitted it (index into Model::threads)
};

// Every sample of one counter (one source location), from all threads, by time.
struct CounterTrack {
  uint32_t location;
  std::vector<CounterPoint> points;
  double min_value = 0, max_value = 0;  // over points (0, 0 if empty; NaN samples skipped)
};

// How a lock or condvar wait ended.
enum class WaitOutcome : uint8_t {
  kAcquired = 0,  // kLockAcquired / kCondWake
  kFailed = 1,    // kLockTryFailed after a kLockWait (timed lock gave up)
  kOpen = 2,      // still waiting when the capture or the thread ended
  kLost = 3,      // still waiting when the thread's events were lost (a DataGap)
};

// A contended lock acquisition (kLockWait .. kLockAcquired). 40 bytes.
struct LockWait {
  int64_t start_ns;
  int64_t end_ns;
  uint64_t lock_id;
  uint32_t holder_thread;  // thread that handed the lock over (index), kNone if unknown
  uint32_t holder_scope;   // holder's scope over its hold's overlap with the wait (blame.h
                           // HolderScopeOverWait), kNone
  uint32_t scope;          // waiter's innermost scope when it started waiting, kNone
  WaitOutcome outcome;
  // 100: recorded by the tracer; lower: inferred (absl::Mutex waits, absl_waits.h),
  // the heuristic's confidence in percent.
  uint8_t confidence = 100;
};

// A lock held by a thread, [acquired_ns, released_ns). 24 bytes.
struct LockHold {
  int64_t acquired_ns;
  int64_t released_ns;
  uint64_t lock_id;
};

// A condition-variable wait (kCondWait .. kCondWake). 32 bytes.
struct CondWait {
  int64_t start_ns;
  int64_t end_ns;
  uint64_t cond_id;
  uint32_t notifier_thread;  // thread that notified (index), kNone if unknown/timeout
  WaitOutcome outcome;
};

// A kCondNotify: a thread signalled a condvar.
struct CondNotify {
  int64_t ts_ns;
  uint64_t cond_id;
  bool all;
};

// A TRACE_BLOCK span (kBlockBegin .. kBlockEnd).
// `cut` (here, in Pause and in StwSpan): the begin or the end was not recorded
// (outside the capture window, or lost in a DataGap), so the span is a lower bound.
struct Block {
  int64_t start_ns;
  int64_t end_ns;
  uint32_t location;
  format::BlockKind kind;
  bool cut = false;
};

// A pause of one thread (allocator or TRACE_PAUSE).
struct Pause {
  int64_t start_ns;
  int64_t end_ns;
  int64_t arg;  // size for allocator pauses, else 0
  uint32_t location;
  bool cut = false;
};

// A stop-the-world span: every live thread is paused.
struct StwSpan {
  int64_t start_ns;
  int64_t end_ns;
  uint32_t thread;  // index of the thread that stopped the world
  uint32_t location;
  bool cut = false;
};

// A stretch of a thread's time whose events were lost (a kDataLost record):
// [start_ns, end_ns) runs from the thread's last event before the loss to the
// first one after it. Its time is Unknown, and nothing is paired across it.
struct DataGap {
  int64_t start_ns;
  int64_t end_ns;
  uint64_t lost_events;  // valid if events_known
  uint64_t lost_chunks;
  bool events_known;
};

// The latest span of `v` (a vector sorted by start_ns, each with an end_ns) with start <= x
// < end that satisfies `pred`, looking back at most 256 spans; nullptr if none.
// O(log n + 256).
template <typename V, typename Pred>
const typename V::value_type* LatestCovering(const V& v, int64_t x, Pred pred) {
  using T = typename V::value_type;
  auto it =
      std::upper_bound(v.begin(), v.end(), x, [](int64_t t, const T& s) { return t < s.start_ns; });
  for (int n = 0; it != v.begin() && n < 256; ++n) {
    --it;
    if (it->end_ns > x && pred(*it)) return &*it;
  }
  return nullptr;
}

// One thread of the trace with everything it did, each vector sorted by start.
struct ThreadModel {
  int64_t tid = 0;
  std::string name;
  bool exited = false;
  uint64_t dropped = 0;
  uint64_t overwritten = 0;
  uint64_t events = 0;
  // Life inside the capture: [max(capture start, start), min(capture end, exit)],
  // widened to cover every event of the thread.
  int64_t life_start_ns = 0;
  int64_t life_end_ns = 0;

  PodVector<StateSpan> states;                       // partition of [life_start_ns, life_end_ns)
  PodVector<Scope> scopes;                           // by begin (preorder: parents before children)
  std::vector<PodVector<uint32_t>> scopes_by_depth;  // scope indices per depth, by begin
  // Sorted indices of the scopes cut by the capture window or by lost data (their
  // begin or end not recorded), and of the subset cut by lost data (a DataGap).
  std::vector<uint32_t> cut_scopes;
  std::vector<uint32_t> lost_scopes;
  PodVector<DataGap> gaps;  // by start; their time is Unknown in `states`
  PodVector<LockWait> lock_waits;
  PodVector<LockHold> lock_holds;
  PodVector<CondWait> cond_waits;
  PodVector<CondNotify> cond_notifies;
  PodVector<Block> blocks;
  PodVector<Pause> pauses;
  PodVector<Instant> instants;  // by time
  // Longest of lock_waits: a wait overlapping time t began after t - this, which
  // bounds searches by time (range statistics).
  int64_t max_lock_wait_ns = 0;

  int64_t wall_ns() const { return life_end_ns - life_start_ns; }
  // End of state span i. O(1).
  int64_t StateEnd(size_t i) const {
    return i + 1 < states.size() ? states[i + 1].start_ns : life_end_ns;
  }
  // Index of the state span containing t (clamped to the life). O(log n).
  size_t StateIndexAt(int64_t t) const;
  // Deepest scope with begin <= t < end, or kNone. O(log n + depth).
  uint32_t InnermostScopeAt(int64_t t) const;
  // True if scope i was cut (begin or end not recorded): by the capture window or
  // by lost data. O(log cut scopes).
  bool IsCut(uint32_t i) const;
  // True if scope i was cut by lost data (a DataGap). O(log lost scopes).
  bool IsCutByLoss(uint32_t i) const;
  // The gap containing t (start <= t < end), or nullptr. O(log gaps).
  const DataGap* GapAt(int64_t t) const;
  // Nesting depth of scope i (0 = top level). O(depth).
  int Depth(uint32_t i) const;
};

// A reference to one scope instance.
struct ScopeRef {
  uint32_t thread;
  uint32_t index;
};

// Per-lock counters that are not spans.
struct LockCounters {
  uint64_t acquisitions = 0;           // kLockAcquired events, plus `inferred`
  uint64_t contended = 0;              // acquisitions preceded by a kLockWait, plus `inferred`
  uint64_t try_failed = 0;             // kLockTryFailed events
  uint64_t releases_with_waiters = 0;  // kLockReleased with arg 1 (handed to a waiter)
  // Contended acquisitions inferred, not recorded (absl::Mutex waits,
  // absl_waits.h): included in acquisitions and contended; the sum of their
  // confidences in percent (mean = inferred_confidence_sum / inferred).
  uint64_t inferred = 0;
  uint64_t inferred_confidence_sum = 0;
  // True when the lock's acquisitions are not recorded (abseil reports only its
  // contended releases): `acquisitions` then counts only the inferred ones, a
  // lower bound. O(1).
  bool acquisitions_unrecorded() const {
    return acquisitions == inferred && releases_with_waiters > 0;
  }
};

enum class SchedulerSource : uint8_t { kNone, kPerf, kSchedStat };

// Everything an analysis needs. Movable; build with LoadModel or BuildModel.
struct Model {
  reader::Trace info;    // header, properties and tables; Thread::events are empty
  int64_t start_ns = 0;  // analysis domain: the capture, widened to cover all events
  int64_t end_ns = 0;
  SchedulerSource scheduler = SchedulerSource::kNone;
  std::vector<ThreadModel> threads;
  std::vector<StwSpan> stw;  // sorted by start
  absl::flat_hash_map<uint64_t, LockCounters> locks;
  // Scope instances per source location (index = location index), by thread then begin.
  std::vector<PodVector<ScopeRef>> scopes_by_location;
  // One track per counter location with samples, sorted by location name (then index).
  std::vector<CounterTrack> counters;
  uint64_t events = 0;
  uint64_t unmatched_events = 0;  // ends whose begin was lost (not capture cuts)

  int64_t duration_ns() const { return end_ns - start_ns; }
  // Name of a lock / condvar from the objects table, else "lock 0x1f" / "condvar 0x1f".
  std::string LockName(uint64_t id) const;
  std::string CondName(uint64_t id) const;
  // Name of a source location, or "(no scope)" for kNone.
  const std::string& LocationName(uint32_t location) const;
  // Name of the scope `index` of thread `thread` ("(no scope)" for kNone).
  const std::string& ScopeName(uint32_t thread, uint32_t index) const;
  // "name [tid]" of a thread, or "unknown" for kNone.
  std::string ThreadLabel(uint32_t thread) const;
  const Scope& scope(ScopeRef r) const { return threads[r.thread].scopes[r.index]; }

  absl::flat_hash_map<uint64_t, std::string> object_names;  // (kind << 56 ^ id) -> name
};

struct LoadOptions {
  // Decode the intact parts of a damaged file (see reader::ReadOptions).
  bool salvage = false;
  // Called with (bytes consumed, file size) as blocks are decoded: monotonic,
  // ending at (size, size) before the model is finalized. Called on loading
  // threads, never concurrently. May be empty.
  std::function<void(uint64_t, uint64_t)> progress;
  // Polled between blocks and between finalization steps, on loading threads,
  // never concurrently; returning true stops the load with absl::CancelledError
  // ("<name>: loading cancelled"). May be empty. Lets a viewer abandon a long load
  // from another thread (e.g. return an atomic flag).
  std::function<bool()> cancelled;
  // Loading threads, the caller included (0: the TRACELANE_LOAD_WORKERS
  // environment variable if set, else one per core). The model never depends on it.
  int workers = 0;
};

// Loads a trace file into a model: blocks are decoded on options.workers threads
// and each thread's events go through its own state machine, threads
// concurrently (reader::ParallelStreamTrace); then each thread is finalized, also
// in parallel. O(events) work; memory the model plus a few blocks in flight.
// Errors are the reader's; CancelledError if options.cancelled returned true.
absl::StatusOr<Model> LoadModel(const std::string& path, const LoadOptions& options = {});
// As LoadModel, from bytes in memory (same cost, cancellation and errors).
absl::StatusOr<Model> LoadModelFromBytes(std::string_view bytes, const std::string& name,
                                         const LoadOptions& options = {});
// Builds a model from a trace already read with reader::ReadTrace (pass it with
// std::move to avoid a copy; its events are released as they are consumed).
Model BuildModel(reader::Trace trace);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_MODEL_H_
