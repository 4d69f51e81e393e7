#include "tracer/chunk_pool.h"

#include <sys/mman.h>

#include <new>

namespace tracelane::internal {

ChunkPool::~ChunkPool() { Destroy(); }

void ChunkPool::Init(size_t bytes, uint32_t chunk_events, OverflowPolicy policy) {
  Destroy();
  chunk_events_ = chunk_events < 64 ? 64 : chunk_events;
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
  free_.Init(chunk_count_);
  full_.Init(chunk_count_);
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

uint32_t ChunkPool::Acquire(void* owner, Reclaimed* reclaimed) {
  uint32_t index;
  if (free_.Pop(&index)) {
    in_use_.fetch_add(1, std::memory_order_relaxed);
  } else if (policy_ == OverflowPolicy::kOverwriteOldest && full_.Pop(&index)) {
    ChunkDesc& d = descs_[index];
    reclaimed->any = true;
    reclaimed->owner = d.owner.load(std::memory_order_relaxed);
    reclaimed->count = d.count.load(std::memory_order_relaxed);
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
  return index;
}

bool ChunkPool::Release(uint32_t index, uint32_t count) {
  ChunkDesc& d = descs_[index];
  if (count == 0) {
    d.state.store(kChunkFree, std::memory_order_release);
    in_use_.fetch_sub(1, std::memory_order_relaxed);
    free_.Push(index);
    return false;
  }
  const RawEvent* data = Data(index);
  d.count.store(count, std::memory_order_relaxed);
  d.first_ticks.store(count ? data[0].ticks : 0, std::memory_order_relaxed);
  d.last_ticks.store(count ? data[count - 1].ticks : 0, std::memory_order_relaxed);
  d.seq.store(next_seq_.fetch_add(1, std::memory_order_relaxed), std::memory_order_relaxed);
  d.state.store(kChunkFull, std::memory_order_release);
  full_.Push(index);  // cannot fail: the queue holds every chunk
  return true;
}

}  // namespace tracelane::internal
