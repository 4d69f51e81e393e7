// Registry of recording threads: OS tid, name, drop counters, and how long each
// record must be retained (while any chunk still holds its events).
#ifndef TRACELANE_TRACER_THREAD_REGISTRY_H_
#define TRACELANE_TRACER_THREAD_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "tracelane/internal/recorder.h"

namespace tracelane::internal {

struct ThreadRecord {
  uint32_t index = 0;
  // Number of chunks holding this thread's events, plus one while the thread lives.
  // The record is recycled when it reaches zero.
  std::atomic<int32_t> refs{0};
  std::atomic<bool> alive{false};
  std::atomic<uint64_t> dropped{0};      // events lost for want of a chunk
  std::atomic<uint64_t> overwritten{0};  // events lost to chunk reuse
  // Capture windows (tracer/capture): events at or after the open window's start
  // lost to chunk reuse, and `dropped` when the window opened. Reset per window.
  std::atomic<uint64_t> window_overwritten{0};
  std::atomic<uint64_t> window_dropped_base{0};
  // Number of the thread's latest area (chunk or drop area; see AreaStamp).
  // Written by the thread on its slow path only.
  std::atomic<uint64_t> area_seq{0};
  // First area of the open capture window (AreaCursor::StartAt): the one being
  // written when the window opened, or 1 for a thread registered since.
  std::atomic<uint64_t> window_first_area{1};
  // Events the thread emitted into the areas it has left (AreaStamp): final once
  // it exited, so a writer can count what was lost after its last chunk.
  std::atomic<uint64_t> emitted{0};
  // Chunk currently being written (kNoChunk when none) and the thread's cursor;
  // both only meaningful while `alive`.
  std::atomic<uint32_t> current_chunk{0xFFFFFFFFu};
  ThreadCursor* cursor = nullptr;
  int64_t tid = 0;
  uint64_t start_ticks = 0;
  uint64_t exit_ticks = 0;
  std::string name;  // guarded by the registry mutex
  // Owned by subsystems hooked into thread start/exit (the scheduler collector).
  std::atomic<void*> sched_state{nullptr};
};

class ThreadRegistry {
 public:
  // Creates (or recycles) a record for the calling thread. Takes the registry
  // mutex: thread start only, never the event path.
  ThreadRecord* Register(int64_t tid, ThreadCursor* cursor, uint64_t start_ticks);
  // Marks the thread dead and drops its liveness reference.
  void Exit(ThreadRecord* record, uint64_t exit_ticks);
  // Drops one chunk reference (lock-free). A record reaching zero refs is
  // recycled by the next Register or capture.
  static void Unref(ThreadRecord* record) { record->refs.fetch_sub(1, std::memory_order_acq_rel); }

  void SetName(ThreadRecord* record, const char* name);
  ThreadRecord* Get(uint32_t index) ABSL_SHARED_LOCKS_REQUIRED(mu_) { return records_[index].get(); }
  uint32_t size() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return records_.size(); }
  absl::Mutex& mu() ABSL_LOCK_RETURNED(mu_) { return mu_; }

  // Events lost by records that were recycled (their data had aged out).
  uint64_t lost_recycled() const { return lost_recycled_.load(std::memory_order_relaxed); }
  uint64_t live() const { return live_.load(std::memory_order_relaxed); }
  uint64_t retained() ABSL_LOCKS_EXCLUDED(mu_);
  // Forgets all records. Only valid when no other thread is registered.
  void Reset() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  ThreadRecord* RecycleLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::vector<std::unique_ptr<ThreadRecord>> records_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> lost_recycled_{0};
  std::atomic<uint64_t> live_{0};
};

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_THREAD_REGISTRY_H_
