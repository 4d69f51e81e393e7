// The process-wide recorder: chunk pool, thread registry and named objects.
// Shared by the slow path (recorder.cc) and the capture (snapshot.cc).
#ifndef TRACELANE_TRACER_RECORDER_STATE_H_
#define TRACELANE_TRACER_RECORDER_STATE_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "tracelane/config.h"
#include "tracelane/format.h"
#include "tracer/chunk_pool.h"
#include "tracer/thread_registry.h"

namespace tracelane::internal {

struct ObjectName {
  format::ObjectKind kind;
  uint64_t id;
  std::string name;
};

// The default retention target (capture.h: SetKeepSeconds), 10 s.
inline constexpr int64_t kDefaultKeepNs = int64_t{10} * 1000000000;

struct RecorderState {
  ChunkPool pool;
  ThreadRegistry registry;
  RecorderOptions options;
  // Serializes Configure() against captures.
  absl::Mutex config_mu;
  absl::Mutex objects_mu;
  absl::flat_hash_map<uint64_t, ObjectName> objects ABSL_GUARDED_BY(objects_mu);
  // Events emitted by a thread after its exit hook ran (thread_local destructors).
  std::atomic<uint64_t> lost_after_exit{0};

  // -- Flight-recorder retention and capture windows (tracer/capture) ----------
  // Retention target: full chunks whose events are all older than this are reused
  // first (overwrite policy only). TRACELANE_KEEP_SECONDS; 0 disables aging.
  std::atomic<int64_t> keep_ns{kDefaultKeepNs};
  // keep_ns on the tick axis; 0 until the tick rate is known (computed lazily on
  // the slow path from the (ticks, ns) pair below, at least 50 ms after it).
  std::atomic<uint64_t> keep_ticks{0};
  uint64_t rate_ticks0 = 0;
  int64_t rate_ns0 = 0;
  // Non-zero while a next-N capture records: the window's first tick. Chunks with
  // events at or after it are never aged out, and overwritten events at or after
  // it are counted per thread in ThreadRecord::window_overwritten.
  std::atomic<uint64_t> window_start_ticks{0};
  // Window losses of thread records recycled while the window was open.
  std::atomic<uint64_t> window_lost_recycled{0};
  // Events discarded by retention (older than keep_ns): not losses.
  std::atomic<uint64_t> aged_out{0};
  // Newest event tick ever lost to budget-forced reuse or streamed out of the
  // buffers by a next-N capture (0: none). A capture whose window starts after it
  // has lost nothing to the flight recorder.
  std::atomic<uint64_t> overwrite_horizon_ticks{0};
  // Events a next-N capture streamed out of the buffers (tracer/capture/
  // window_stream.cc): delivered to that capture, gone for later ones, where they
  // count as overwritten. Lifetime.
  std::atomic<uint64_t> streamed_out{0};
};

// Called on the registering thread right after it is registered, and on an
// exiting thread just before it is marked dead (e.g. to open and close its perf
// event). Run inside the slow path: events they emit are dropped and counted.
using ThreadHook = void (*)(ThreadRecord* record);
void AddThreadHooks(ThreadHook on_start, ThreadHook on_exit);

// Gives back a chunk taken with ChunkPool::TakeOldestFullIf without keeping its
// events: they are counted as overwritten, exactly as if a writer had reclaimed
// the chunk. A streaming capture uses it to keep free chunks ahead of the writers.
void DiscardChunk(uint32_t index);

// The recorder; created on first use and never destroyed, so threads exiting
// during static destruction still find it. A child of fork() gets a fresh one
// (same settings, no buffered events, no threads but the forking one, which
// registers again on its next event); do not keep the reference across a fork.
RecorderState& Recorder();

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_RECORDER_STATE_H_
