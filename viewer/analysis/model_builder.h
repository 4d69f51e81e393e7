// Internal: turns a stream of event blocks into a Model. One state machine per
// thread, O(1) per event (model_builder.cc); Finish() resolves what needs the
// whole trace (capture cuts, stop-the-world, schedstat spreading, lock holders;
// model_finish.cc). Used by model.cc.
//
// A loss record (kDataLost) splits a thread's events into segments: every span
// open at the gap is closed at its start and marked cut, and an end whose begin
// fell in an earlier segment starts at its segment's anchor (the end of the gap,
// or the thread's life start for the first segment), like an end whose begin
// preceded the capture.
#ifndef TRACELANE_VIEWER_ANALYSIS_MODEL_BUILDER_H_
#define TRACELANE_VIEWER_ANALYSIS_MODEL_BUILDER_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/states.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::analysis::internal {

// Every piece of state lives with its thread until Finish, so the blocks of
// different threads can be added concurrently and the result never depends on
// the order in which threads' blocks arrive.
class ModelBuilder {
 public:
  // Prepares one state machine per thread of `tables`. Call once, first. O(threads).
  void Begin(const reader::Trace& tables);
  // Adds one block of events of thread `thread` (index into tables.threads).
  // Blocks of one thread must arrive in file order; threads may interleave. Events
  // out of time order within a block are stable-sorted first (O(n log n) then);
  // an event earlier than the thread's previous blocks is clamped to their end.
  // Thread-safe for different `thread` values (never for the same one). O(events).
  void AddBlock(const reader::Trace& tables, uint32_t thread,
                const std::vector<reader::Event>& events);
  // Finalizes every thread, on `workers` threads (the caller included); the
  // result does not depend on `workers`. `info` is the trace as returned by the
  // reader. O(model) total.
  Model Finish(reader::Trace info, int workers = 1);

 private:
  struct OpenWait {
    uint64_t id;
    int64_t start;
    uint32_t scope;
  };
  struct OpenSpan {  // holds, blocks, pauses, stop-the-world
    uint64_t id;     // lock id, or location index
    int64_t start;
    int64_t arg;
  };
  // A scope end whose begin was not recorded (before the capture or lost).
  struct CutEnd {
    int64_t end;
    uint32_t location;
    uint32_t segment;  // 0: since the life start; k: since the end of gap k-1
  };
  // A block end whose begin was not recorded; the kind is resolved in Finish.
  struct CutBlockEnd {
    int64_t start;  // the segment's anchor
    int64_t end;
    uint32_t location;
  };
  struct ThreadBuilder {
    ThreadModel m;
    bool started = false;
    int64_t last_ts = INT64_MIN;
    int64_t last_own_ts = INT64_MIN;  // last event other than a scheduler record
    int64_t anchor = 0;               // where the current segment starts
    int64_t exit_event_ns = 0;
    StateTracker tracker;
    bool saw_sched = false;
    std::vector<uint32_t> scope_stack;
    std::vector<CutEnd> cut_ends;
    std::vector<uint32_t> segment_first;  // per gap: index of the first scope after it
    std::vector<OpenWait> open_lock_waits;
    PodVector<int64_t> lock_wait_holder_tids;  // parallel to m.lock_waits until Finish
    std::vector<OpenSpan> open_holds;
    std::vector<OpenWait> open_cond_waits;
    PodVector<int64_t> cond_notifier_tids;  // parallel to m.cond_waits until Finish
    std::vector<OpenSpan> open_blocks;
    std::vector<OpenSpan> open_pauses;
    std::vector<OpenSpan> open_stw;
    std::vector<CutBlockEnd> cut_block_ends;
    std::vector<StateOverlay> retro;  // states that held from a segment's anchor (cut begins)
    PodVector<SchedSample> samples;
    // This thread's share of what Finish merges across threads, in thread order.
    std::vector<StwSpan> stw;         // stop-the-world spans it recorded
    std::vector<StwSpan> stw_at_end;  // ... and those still open at its life end
    absl::flat_hash_map<uint64_t, LockCounters> locks;
    absl::flat_hash_map<uint32_t, format::BlockKind> block_kinds;       // location -> first kind
    absl::flat_hash_map<uint32_t, std::vector<CounterPoint>> counters;  // location -> samples
    uint64_t unmatched = 0;
  };

  void Start(ThreadBuilder& b, const reader::Thread& t, int64_t first_ts);
  // A loss before the thread's first event that the file cannot record (the
  // thread's oldest chunks overwritten before a last-N, whole-buffer or crash
  // capture): the time from its life start to its first event (or to the
  // overwrite horizon, when earlier) becomes a data gap, so what ended after it
  // is cut by lost data, not by the capture window. O(1).
  void LeadingLoss(ThreadBuilder& b, uint32_t thread, const reader::Thread& t, int64_t first_ts);
  void OnEvent(ThreadBuilder& b, uint32_t thread, const reader::Event& e);
  // Closes every span open at `at` with `outcome` for waits (`lost`: they are cut
  // by lost data, else by the capture window). Empties the open lists. O(open).
  void CloseOpen(ThreadBuilder& b, uint32_t thread, int64_t at, WaitOutcome outcome, bool lost);
  // A kDataLost record at `ts`: closes what is open at the gap's start, makes the
  // gap Unknown and starts a new segment at `ts`. O(open spans).
  void OnDataLost(ThreadBuilder& b, uint32_t thread, const reader::Event& e, int64_t ts);
  void CloseAtEnd(ThreadBuilder& b, uint32_t thread);
  // Finish, per thread: life end, open spans, scopes (before the merge) ...
  void FinishThreadEvents(const reader::Thread& t, uint32_t thread);
  // ... then what needs every thread's block kinds and stop-the-world spans.
  void FinishThreadStates(ThreadBuilder& b, SchedulerSource scheduler);
  // Merges the threads' shares of stop-the-world spans, lock counters, block kinds,
  // unmatched ends and counters in thread order. O(their size).
  void MergeThreads();
  // Inserts the scopes whose begins were not recorded (one chain per segment,
  // enclosing what ended before them) and renumbers the rest; the depth index,
  // built while reading, is renumbered and redone where the chains changed
  // depths. O(scopes); nothing without a cut chain.
  void FinishScopes(ThreadBuilder& b);
  // Lock holders and condvar notifiers, each thread on a worker. O(waits log holds).
  void ResolveHolders(Model& m, int workers);
  // Moves counters_ into m.counters: points by time, tracks by name. O(p log p).
  void FinishCounters(Model& m);

  int64_t capture_start_ = 0;
  int64_t capture_end_ = 0;
  bool lifetime_counts_ = true;  // property loss_counts is not "window"
  bool horizon_known_ = false;   // property overwrite_horizon_ns present
  int64_t overwrite_horizon_ = 0;
  std::vector<ThreadBuilder> threads_;
  std::vector<StwSpan> stw_;
  absl::flat_hash_map<uint64_t, LockCounters> locks_;
  absl::flat_hash_map<uint32_t, format::BlockKind> block_kinds_;       // location -> kind seen
  absl::flat_hash_map<uint32_t, std::vector<CounterPoint>> counters_;  // location -> samples
  uint64_t unmatched_ = 0;
};

}  // namespace tracelane::analysis::internal

#endif  // TRACELANE_VIEWER_ANALYSIS_MODEL_BUILDER_H_
