#include "tracer/thread_registry.h"

namespace tracelane::internal {

ThreadRecord* ThreadRegistry::RecycleLocked() {
  for (auto& r : records_) {
    if (!r->alive.load(std::memory_order_acquire) && r->refs.load(std::memory_order_acquire) == 0) {
      lost_recycled_.fetch_add(r->dropped.load(std::memory_order_relaxed) +
                                   r->overwritten.load(std::memory_order_relaxed),
                               std::memory_order_relaxed);
      return r.get();
    }
  }
  return nullptr;
}

ThreadRecord* ThreadRegistry::Register(int64_t tid, ThreadCursor* cursor, uint64_t start_ticks) {
  absl::MutexLock lock(&mu_);
  ThreadRecord* r = RecycleLocked();
  if (r == nullptr) {
    records_.push_back(std::make_unique<ThreadRecord>());
    r = records_.back().get();
    r->index = static_cast<uint32_t>(records_.size() - 1);
  }
  r->refs.store(1, std::memory_order_relaxed);
  r->dropped.store(0, std::memory_order_relaxed);
  r->overwritten.store(0, std::memory_order_relaxed);
  r->area_seq.store(0, std::memory_order_relaxed);
  r->window_first_area.store(1, std::memory_order_relaxed);
  r->emitted.store(0, std::memory_order_relaxed);
  r->current_chunk.store(0xFFFFFFFFu, std::memory_order_relaxed);
  r->cursor = cursor;
  r->tid = tid;
  r->start_ticks = start_ticks;
  r->exit_ticks = 0;
  r->name.clear();
  r->alive.store(true, std::memory_order_release);
  live_.fetch_add(1, std::memory_order_relaxed);
  return r;
}

void ThreadRegistry::Exit(ThreadRecord* record, uint64_t exit_ticks) {
  absl::MutexLock lock(&mu_);
  record->exit_ticks = exit_ticks;
  record->cursor = nullptr;
  record->alive.store(false, std::memory_order_release);
  live_.fetch_sub(1, std::memory_order_relaxed);
  Unref(record);
}

void ThreadRegistry::SetName(ThreadRecord* record, const char* name) {
  absl::MutexLock lock(&mu_);
  record->name = name;
}

uint64_t ThreadRegistry::retained() {
  absl::MutexLock lock(&mu_);
  uint64_t n = 0;
  for (auto& r : records_) {
    if (!r->alive.load(std::memory_order_relaxed) && r->refs.load(std::memory_order_relaxed) > 0) ++n;
  }
  return n;
}

void ThreadRegistry::Reset() {
  absl::MutexLock lock(&mu_);
  records_.clear();
  lost_recycled_.store(0, std::memory_order_relaxed);
  live_.store(0, std::memory_order_relaxed);
}

}  // namespace tracelane::internal
