// Internal: the recording hot path. Not part of the public API; the macros in
// trace.h and the wrappers in sync.h expand to these functions.
#ifndef TRACELANE_INTERNAL_RECORDER_H_
#define TRACELANE_INTERNAL_RECORDER_H_

#include <atomic>
#include <cstdint>

#include "tracelane/format.h"
#include "tracelane/internal/clock.h"

namespace tracelane {
struct SourceLocation;
}

namespace tracelane::internal {

// One in-memory event: 16 bytes. `word` holds the EventType in its top 8 bits and a
// 56-bit payload (a SourceLocation pointer or a raw value) below. An event of type
// kArgType is not an event: its `ticks` field holds the 64-bit argument of the
// event just before it.
struct RawEvent {
  uint64_t ticks;
  uint64_t word;
};
static_assert(sizeof(RawEvent) == 16);

inline constexpr int kTypeShift = 56;
inline constexpr uint64_t kPayloadMask = (uint64_t{1} << kTypeShift) - 1;
inline constexpr uint8_t kArgType = 0xFF;
// Filler written when an event pair would straddle a chunk boundary; skipped on write.
inline constexpr uint8_t kPadType = 0xFE;

// Where the calling thread writes its next event. `pos == end` means "take the
// slow path": the chunk is full, the thread is not registered yet, or it exited.
// `pos` is atomic so a capture can read how far the chunk is filled; on x86 the
// release store is a plain mov.
struct ThreadCursor {
  std::atomic<RawEvent*> pos{nullptr};
  RawEvent* end = nullptr;
};

extern thread_local ThreadCursor tls_cursor __attribute__((tls_model("initial-exec")));
extern std::atomic<bool> g_enabled;

// Slow path: registers the thread, hands the full chunk over and returns the start
// of a fresh one (or of a scratch chunk whose events are counted as dropped).
// Never returns null; never blocks on a lock held by a recording thread.
RawEvent* RefillChunk();

// Appends one event. Hot path: one TLS load, one compare, one clock read, two
// 8-byte stores. No locks, no allocation, no syscalls.
inline void Emit(format::EventType type, uint64_t payload) {
  ThreadCursor& c = tls_cursor;
  RawEvent* p = c.pos.load(std::memory_order_relaxed);
  if (__builtin_expect(p == c.end, 0)) p = RefillChunk();
  p->ticks = ReadTicks();
  p->word = (uint64_t{static_cast<uint8_t>(type)} << kTypeShift) | payload;
  c.pos.store(p + 1, std::memory_order_release);
}

// Appends one event with a 64-bit argument (two slots). Used off the scope path.
inline void EmitWithArg(format::EventType type, uint64_t payload, uint64_t arg) {
  ThreadCursor& c = tls_cursor;
  RawEvent* p = c.pos.load(std::memory_order_relaxed);
  // Both slots must land in one chunk so the pair is never split.
  if (__builtin_expect(c.end - p < 2, 0)) {
    if (p != c.end) {  // pad the last slot so the pair starts a fresh chunk
      p->ticks = 0;
      p->word = uint64_t{kPadType} << kTypeShift;
      c.pos.store(p + 1, std::memory_order_release);
    }
    p = RefillChunk();
  }
  p->ticks = ReadTicks();
  p->word = (uint64_t{static_cast<uint8_t>(type)} << kTypeShift) | payload;
  p[1].ticks = arg;
  p[1].word = uint64_t{kArgType} << kTypeShift;
  c.pos.store(p + 2, std::memory_order_release);
}

// As EmitWithArg but with an explicit timestamp (for events whose start is only
// known to matter after the fact, such as allocator pauses).
void EmitAtWithArg(uint64_t ticks, format::EventType type, uint64_t payload, uint64_t arg);

inline uint64_t LocPayload(const SourceLocation* loc) {
  return reinterpret_cast<uintptr_t>(loc) & kPayloadMask;
}

// Names an object (lock, condvar) for the trace's object table. Allocates; call
// once per object, not per event.
void NameObject(format::ObjectKind kind, uint64_t id, const char* name);

// Excludes the calling thread from tracing for the rest of its life (tracer and
// endpoint worker threads): its events are discarded without being counted.
void ExcludeCurrentThread();

// OS thread id of the calling thread, cached. O(1) after the first call.
int64_t CurrentTid();

}  // namespace tracelane::internal

#endif  // TRACELANE_INTERNAL_RECORDER_H_
