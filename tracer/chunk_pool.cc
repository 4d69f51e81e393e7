#include "tracer/chunk_pool.h"

#include <sched.h>
#include <sys/mman.h>

#include <new>

namespace tracelane::internal {
namespace {

// Returns a chunk index to a queue. Vyukov's queue refuses a push while a Pop that
// claimed the same cell one lap earlier has not finished (its thread was preempted
// between claiming and releasing the cell), although the queue is never logically
// full: it holds each chunk at most once. Dropping the index would take the chunk
// out of circulation for good (never reclaimed, never free), so wait for that Pop.
// Slow path only; with the queues sized at twice the chunk count this needs a
// preemption spanning two laps of the ring and practically never loops.
void PushChunk(IndexQueue& queue, uint32_t index) {
  while (!queue.Push(index)) sched_yield();
}

}  // namespace

ChunkPool::~ChunkPool() { Destroy(); }

void ChunkPool::Init(size_t bytes, uint32_t chunk_events, OverflowPolicy policy) {
  Destroy();
  // Whole kBoundaryBytes blocks, so every chunk ends on an aligned boundary (the
  // hot path detects a chunk's end from the cursor's low bits; see recorder.h).
  constexpr uint32_t kBlockEvents = kBoundaryBytes / sizeof(RawEvent);
  chunk_events_ = chunk_events < kBlockEvents ? kBlockEvents : chunk_events;
  chunk_events_ = (chunk_events_ + kBlockEvents - 1) / kBlockEvents * kBlockEvents;
  const size_t chunk_bytes = size_t{chunk_events_} * sizeof(RawEvent);
  chunk_count_ = static_cast<uint32_t>(bytes / chunk_bytes);
  if (chunk_count_ < 4) chunk_count_ = 4;
  bytes_ = size_t{chunk_count_} * chunk_bytes;
  policy_ = policy;
  // MAP_NORESERVE: the budget is an upper bound; pages are touched only when used.
  void* mem = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) {
    // Could not map the budget: fall back to the minimum so tracing still works.
    chunk_count_ = 4;
    bytes_ = size_t{chunk_count_} * chunk_bytes;
    mem = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) std::abort();
  }
  data_ = static_cast<RawEvent*>(mem);
  descs_ = new ChunkDesc[chunk_count_];
  free_.Init(2 * chunk_count_);  // slack for preempted Pops (see PushChunk)
  full_.Init(2 * chunk_count_);
  for (uint32_t i = 0; i < chunk_count_; ++i) free_.Push(i);
  in_use_.store(0, std::memory_order_relaxed);
}

void ChunkPool::Destroy() {
  if (data_ != nullptr) munmap(data_, bytes_);
  delete[] descs_;
  data_ = nullptr;
  descs_ = nullptr;
  chunk_count_ = 0;
}

bool ChunkPool::PopOldestFull(uint32_t* index) {
  // Every chunk is free, being written or full, so under the flight-recorder
  // policy a full one exists unless all are being written. Pop can still fail
  // briefly when the thread publishing the oldest cell was preempted mid-push;
  // retry a bounded number of times (yielding the CPU) before giving up and
  // dropping, so a preempted peer costs a few microseconds, not lost events.
  for (int attempt = 0; attempt < 64; ++attempt) {
    if (full_.Pop(index)) return true;
    sched_yield();
  }
  return false;
}

uint32_t ChunkPool::Acquire(void* owner, Reclaimed* reclaimed, uint64_t aged_before,
                            AreaStamp stamp) {
  uint32_t index;
  const auto take = [&](uint32_t i, bool aged) {
    ChunkDesc& d = descs_[i];
    reclaimed->any = true;
    reclaimed->aged = aged;
    reclaimed->owner = d.owner.load(std::memory_order_relaxed);
    reclaimed->count = d.count.load(std::memory_order_relaxed);
    reclaimed->events = d.events.load(std::memory_order_relaxed);
    reclaimed->first_ticks = d.first_ticks.load(std::memory_order_relaxed);
    reclaimed->last_ticks = d.last_ticks.load(std::memory_order_relaxed);
  };
  const auto is_aged = [&](uint32_t i) {
    return descs_[i].last_ticks.load(std::memory_order_relaxed) < aged_before;
  };
  if (aged_before != 0 && policy_ == OverflowPolicy::kOverwriteOldest &&
      full_.PopIf(is_aged, &index)) {
    take(index, /*aged=*/true);
  } else if (free_.Pop(&index)) {
    in_use_.fetch_add(1, std::memory_order_relaxed);
  } else if (policy_ == OverflowPolicy::kOverwriteOldest && PopOldestFull(&index)) {
    take(index, /*aged=*/false);
  } else {
    return kNoChunk;
  }
  ChunkDesc& d = descs_[index];
  // Seqlock-style: the generation changes before any byte of the chunk does, so a
  // capture that copied the old contents can tell they were overwritten.
  d.generation.fetch_add(1, std::memory_order_acq_rel);
  d.state.store(kChunkWriting, std::memory_order_release);
  d.owner.store(owner, std::memory_order_relaxed);
  d.count.store(0, std::memory_order_relaxed);
  d.events.store(0, std::memory_order_relaxed);
  d.area_seq.store(stamp.area_seq, std::memory_order_relaxed);
  d.events_before.store(stamp.events_before, std::memory_order_relaxed);
  return index;
}

void ChunkPool::Recycle(uint32_t index) {
  ChunkDesc& d = descs_[index];
  d.owner.store(nullptr, std::memory_order_relaxed);
  d.state.store(kChunkFree, std::memory_order_release);
  in_use_.fetch_sub(1, std::memory_order_relaxed);
  PushChunk(free_, index);
}

bool ChunkPool::Release(uint32_t index, uint32_t count, uint32_t events) {
  ChunkDesc& d = descs_[index];
  if (count == 0) {
    d.state.store(kChunkFree, std::memory_order_release);
    in_use_.fetch_sub(1, std::memory_order_relaxed);
    PushChunk(free_, index);
    return false;
  }
  const RawEvent* data = Data(index);
  // The time span skips argument slots (their `ticks` hold the argument) and pad
  // slots (ticks 0), which can sit at either end of a chunk.
  const auto is_event = [](const RawEvent& e) {
    const uint8_t type = static_cast<uint8_t>(e.word >> kTypeShift);
    return type != kArgType && type != kPadType;
  };
  uint32_t first = 0, last = count;
  while (first < count && !is_event(data[first])) ++first;
  while (last > first && !is_event(data[last - 1])) --last;
  d.count.store(count, std::memory_order_relaxed);
  d.events.store(events, std::memory_order_relaxed);
  d.first_ticks.store(first < last ? data[first].ticks : 0, std::memory_order_relaxed);
  d.last_ticks.store(first < last ? data[last - 1].ticks : 0, std::memory_order_relaxed);
  d.seq.store(next_seq_.fetch_add(1, std::memory_order_relaxed), std::memory_order_relaxed);
  d.state.store(kChunkFull, std::memory_order_release);
  PushChunk(full_, index);
  return true;
}

}  // namespace tracelane::internal
