// The fixed pool of event chunks shared by all recording threads.
//
// Every chunk is Free, Writing (owned by one thread) or Full (in the FIFO of full
// chunks, oldest first). Acquire takes a free chunk or, under the flight-recorder
// policy, reclaims the oldest full one. Nothing here takes a lock; a capture reads
// Full and Writing chunks optimistically and validates with `generation`.
#ifndef TRACELANE_TRACER_CHUNK_POOL_H_
#define TRACELANE_TRACER_CHUNK_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "tracelane/config.h"
#include "tracelane/internal/recorder.h"
#include "tracer/index_queue.h"

namespace tracelane::internal {

inline constexpr uint32_t kNoChunk = 0xFFFFFFFFu;

enum ChunkState : uint32_t { kChunkFree = 0, kChunkWriting = 1, kChunkFull = 2 };

struct alignas(64) ChunkDesc {
  std::atomic<uint32_t> state{kChunkFree};
  std::atomic<void*> owner{nullptr};    // ThreadRecord* of the writer
  std::atomic<uint32_t> count{0};       // events written; valid when Full
  std::atomic<uint64_t> generation{0};  // bumped each time the chunk is acquired
  std::atomic<uint64_t> seq{0};         // global release order
  std::atomic<uint64_t> first_ticks{0};
  std::atomic<uint64_t> last_ticks{0};
};

// What Acquire had to give up to find a chunk (flight-recorder reuse).
struct Reclaimed {
  bool any = false;
  void* owner = nullptr;
  uint32_t count = 0;
};

class ChunkPool {
 public:
  ~ChunkPool();
  // Maps `bytes` of chunk memory (lazily touched). Not thread-safe.
  void Init(size_t bytes, uint32_t chunk_events, OverflowPolicy policy);
  void Destroy();

  // Takes a chunk for `owner`, or returns kNoChunk when none can be had. Lock-free.
  uint32_t Acquire(void* owner, Reclaimed* reclaimed);
  // Publishes a chunk holding `count` events as Full (joins the FIFO) and returns
  // true; an empty chunk goes back to the free list and false is returned.
  bool Release(uint32_t index, uint32_t count);

  RawEvent* Data(uint32_t index) const { return data_ + size_t{index} * chunk_events_; }
  ChunkDesc& Desc(uint32_t index) const { return descs_[index]; }
  uint32_t chunk_count() const { return chunk_count_; }
  uint32_t chunk_events() const { return chunk_events_; }
  size_t bytes() const { return bytes_; }
  OverflowPolicy policy() const { return policy_; }
  uint64_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

 private:
  RawEvent* data_ = nullptr;
  ChunkDesc* descs_ = nullptr;
  size_t bytes_ = 0;
  uint32_t chunk_count_ = 0;
  uint32_t chunk_events_ = 0;
  OverflowPolicy policy_ = OverflowPolicy::kOverwriteOldest;
  IndexQueue free_;
  IndexQueue full_;
  std::atomic<uint64_t> next_seq_{1};
  std::atomic<uint64_t> in_use_{0};
};

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_CHUNK_POOL_H_
