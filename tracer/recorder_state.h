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
};

// Called on the registering thread right after it is registered, and on an
// exiting thread just before it is marked dead (e.g. to open and close its perf
// event). Run inside the slow path: events they emit are dropped and counted.
using ThreadHook = void (*)(ThreadRecord* record);
void AddThreadHooks(ThreadHook on_start, ThreadHook on_exit);

// The singleton; created on first use and never destroyed, so threads exiting
// during static destruction still find it.
RecorderState& Recorder();

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_RECORDER_STATE_H_
