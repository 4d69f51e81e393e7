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

// Where a chunk sits in its writer's own sequence of areas (chunks and drop
// areas), stamped when the chunk is acquired. Two chunks of one thread that a
// trace writer sees are contiguous when the second's `area_seq` is the first's
// plus one and its `events_before` is the first's plus the first's events;
// otherwise the thread's events in between were lost (docs/FORMAT.md, kDataLost).
struct AreaStamp {
  uint64_t area_seq = 0;       // 1 for the thread's first area, then +1 per area
  uint64_t events_before = 0;  // events the thread emitted into earlier areas
};

struct alignas(64) ChunkDesc {
  std::atomic<uint32_t> state{kChunkFree};
  std::atomic<void*> owner{nullptr};    // ThreadRecord* of the writer
  std::atomic<uint32_t> count{0};       // slots written; valid when Full
  std::atomic<uint32_t> events{0};      // of which events (not arg/pad slots)
  std::atomic<uint64_t> generation{0};  // bumped each time the chunk is acquired
  std::atomic<uint64_t> seq{0};         // global release order
  std::atomic<uint64_t> first_ticks{0};
  std::atomic<uint64_t> last_ticks{0};
  std::atomic<uint64_t> area_seq{0};       // AreaStamp of the current owner
  std::atomic<uint64_t> events_before{0};  // (valid while the generation holds)

  // The stamp, read relaxed; validate against `generation` like the contents. O(1).
  AreaStamp Stamp() const {
    return AreaStamp{area_seq.load(std::memory_order_relaxed),
                     events_before.load(std::memory_order_relaxed)};
  }
};

// What Acquire had to give up to find a chunk (flight-recorder reuse).
struct Reclaimed {
  bool any = false;
  void* owner = nullptr;
  uint32_t count = 0;   // slots
  uint32_t events = 0;  // events among them
  // True when the chunk was taken because its data had aged past the retention
  // window (not a loss); false when the budget forced the reuse (a loss).
  bool aged = false;
  uint64_t first_ticks = 0;  // time span of the reclaimed events
  uint64_t last_ticks = 0;
};

// Counts the events in [begin, end): argument and pad slots are not events. If
// `recent` is non-null, also counts into it the events with ticks >= `since`.
// O(end - begin); used on the slow path only (loss accounting).
inline uint32_t CountEvents(const RawEvent* begin, const RawEvent* end, uint64_t since = 0,
                            uint32_t* recent = nullptr) {
  uint32_t n = 0, r = 0;
  for (const RawEvent* e = begin; e < end; ++e) {
    const uint8_t type = static_cast<uint8_t>(e->word >> kTypeShift);
    if (type == kArgType || type == kPadType) continue;
    ++n;
    r += e->ticks >= since ? 1 : 0;
  }
  if (recent != nullptr) *recent = r;
  return n;
}

class ChunkPool {
 public:
  ~ChunkPool();
  // Maps `bytes` of chunk memory (lazily touched). Not thread-safe.
  void Init(size_t bytes, uint32_t chunk_events, OverflowPolicy policy);
  void Destroy();

  // Takes a chunk for `owner`, stamped with `stamp`, or returns kNoChunk when
  // none can be had. Lock-free. If `aged_before` is non-zero (flight-recorder
  // retention), the oldest full chunk is reused first when all of its events are
  // older than that tick value, so memory in use tracks the retention window
  // instead of the whole budget.
  uint32_t Acquire(void* owner, Reclaimed* reclaimed, uint64_t aged_before = 0,
                   AreaStamp stamp = {});
  // Publishes a chunk holding `count` slots, `events` of them events, as Full
  // (joins the FIFO) and returns true; an empty chunk goes back to the free list
  // and false is returned. O(1) plus skipping non-event slots at either end.
  bool Release(uint32_t index, uint32_t count, uint32_t events);

  // Takes the oldest full chunk if `pred(index)` holds for it: the caller owns it
  // (nobody reclaims or writes it) until Recycle. A streaming capture moves its
  // window's chunks out of the pool this way. Lock-free.
  template <typename Pred>
  bool TakeOldestFullIf(Pred pred, uint32_t* index) {
    return full_.PopIf(pred, index);
  }
  // Returns a chunk taken with TakeOldestFullIf to the free list. Lock-free.
  void Recycle(uint32_t index);

  RawEvent* Data(uint32_t index) const { return data_ + size_t{index} * chunk_events_; }
  ChunkDesc& Desc(uint32_t index) const { return descs_[index]; }
  uint32_t chunk_count() const { return chunk_count_; }
  uint32_t chunk_events() const { return chunk_events_; }
  size_t bytes() const { return bytes_; }
  OverflowPolicy policy() const { return policy_; }
  uint64_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
  // Chunks published as Full since Init (a running count; the writers' fill
  // rate is its slope). O(1).
  uint64_t released() const { return next_seq_.load(std::memory_order_relaxed) - 1; }

 private:
  // Pops the oldest full chunk, riding out a peer preempted mid-publish.
  bool PopOldestFull(uint32_t* index);

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
