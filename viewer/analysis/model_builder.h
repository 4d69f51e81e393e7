// Internal: turns a stream of event blocks into a Model. One state machine per
// thread, O(1) per event; Finish() resolves what needs the whole trace (capture
// cuts, stop-the-world, schedstat spreading, lock holders). Used by model.cc.
#ifndef TRACELANE_VIEWER_ANALYSIS_MODEL_BUILDER_H_
#define TRACELANE_VIEWER_ANALYSIS_MODEL_BUILDER_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/states.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::analysis::internal {

class ModelBuilder {
 public:
  // Adds one block of events of thread `thread` (index into tables.threads).
  // Blocks of one thread must arrive in time order; threads may interleave.
  void AddBlock(const reader::Trace& tables, uint32_t thread,
                const std::vector<reader::Event>& events);
  // Finalizes every thread. `info` is the trace as returned by the reader.
  Model Finish(reader::Trace info);

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
  struct ThreadBuilder {
    ThreadModel m;
    bool started = false;
    int64_t last_ts = INT64_MIN;
    int64_t exit_event_ns = 0;
    StateTracker tracker;
    bool saw_sched = false;
    std::vector<uint32_t> scope_stack;
    std::vector<std::pair<int64_t, uint32_t>> cut_ends;  // (end, location), begin lost to the cut
    std::vector<OpenWait> open_lock_waits;
    std::vector<int64_t> lock_wait_holder_tids;  // parallel to m.lock_waits until Finish
    std::vector<OpenSpan> open_holds;
    std::vector<OpenWait> open_cond_waits;
    std::vector<int64_t> cond_notifier_tids;  // parallel to m.cond_waits until Finish
    std::vector<OpenSpan> open_blocks;
    std::vector<OpenSpan> open_pauses;
    std::vector<OpenSpan> open_stw;
    std::vector<std::pair<int64_t, uint32_t>>
        cut_block_ends;               // (end, location): kind resolved later
    std::vector<StateOverlay> retro;  // states that held from the life start (cut begins)
    std::vector<SchedSample> samples;
  };

  void Start(ThreadBuilder& b, const reader::Thread& t, int64_t first_ts);
  void OnEvent(ThreadBuilder& b, uint32_t thread, const reader::Event& e);
  void CloseAtEnd(ThreadBuilder& b, uint32_t thread);
  void FinishScopes(ThreadBuilder& b);
  void ResolveHolders(Model& m);
  // Moves counters_ into m.counters: points by time, tracks by name. O(p log p).
  void FinishCounters(Model& m);

  int64_t capture_start_ = 0;
  int64_t capture_end_ = 0;
  bool have_tables_ = false;
  std::vector<ThreadBuilder> threads_;
  std::vector<StwSpan> stw_;
  absl::flat_hash_map<uint64_t, LockCounters> locks_;
  absl::flat_hash_map<uint32_t, format::BlockKind> block_kinds_;       // location -> kind seen
  absl::flat_hash_map<uint32_t, std::vector<CounterPoint>> counters_;  // location -> samples
  uint64_t unmatched_ = 0;
};

}  // namespace tracelane::analysis::internal

#endif  // TRACELANE_VIEWER_ANALYSIS_MODEL_BUILDER_H_
