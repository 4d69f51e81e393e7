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

// Every area a cursor can point into (pool chunks, the drop scratch area, the
// per-thread re-entry area) is a whole number of kBoundaryBytes blocks and ends on
// a kBoundaryBytes-aligned address. The scope path therefore finds the end of its
// area with one test of `pos`'s low bits instead of loading and comparing `end`;
// the interior boundaries it also stops at cost one cheap slow-path call per 64
// events.
inline constexpr uintptr_t kBoundaryBytes = 1024;

// Where the calling thread writes its next event. `pos == end` means "take the
// slow path": the chunk is full, the thread is not registered yet, or it exited.
// `pos` is atomic so a capture can read how far the chunk is filled; on x86 the
// release store is a plain mov. `extra` counts the slots of the current chunk
// that are not events (argument and pad slots), so the slow path knows a chunk's
// event count without scanning it; the scope path never touches it.
struct ThreadCursor {
  std::atomic<RawEvent*> pos{nullptr};
  RawEvent* end = nullptr;
  uint32_t extra = 0;
};

// Constant-initialized: no TLS wrapper call or guard on the hot path. The headers
// accept C++17, where GCC spells constinit `__constinit`.
#if defined(__cpp_constinit)
#define TRACELANE_CONSTINIT constinit
#elif defined(__clang__)
#define TRACELANE_CONSTINIT __attribute__((require_constant_initialization))
#elif defined(__GNUC__)
#define TRACELANE_CONSTINIT __constinit
#else
#define TRACELANE_CONSTINIT
#endif
extern TRACELANE_CONSTINIT thread_local ThreadCursor tls_cursor
    __attribute__((tls_model("initial-exec")));

// Recording mode: off, on with the TSC clock, or on with clock_gettime (no
// invariant TSC). One byte holds both the on/off switch and the clock choice, so a
// scope reads it once and its events need no clock branch of their own.
inline constexpr uint8_t kModeOff = 0;
inline constexpr uint8_t kModeTsc = 1;
inline constexpr uint8_t kModeClock = 2;
extern std::atomic<uint8_t> g_mode;
inline uint8_t CurrentMode() { return g_mode.load(std::memory_order_relaxed); }

// Slow path: registers the thread, hands the full chunk over and returns the start
// of a fresh one (or of a scratch chunk whose events are counted as dropped).
// Called with `pos` on an interior kBoundaryBytes boundary, returns `pos` at once.
// Never returns null; never blocks on a lock held by a recording thread.
RawEvent* RefillChunk();

// Appends one event stamped by `stamp()`, called after any refill. Hot path: one
// TLS load, a test of its low bits, the stamp, three stores. No locks, no
// allocation, no syscalls.
template <typename Stamp>
inline void EmitStamped(Stamp stamp, format::EventType type, uint64_t payload) {
  ThreadCursor& c = tls_cursor;
  RawEvent* p = c.pos.load(std::memory_order_relaxed);
  if (__builtin_expect((reinterpret_cast<uintptr_t>(p) & (kBoundaryBytes - 1)) == 0, 0)) {
    p = RefillChunk();
  }
  p->ticks = stamp();
  p->word = (uint64_t{static_cast<uint8_t>(type)} << kTypeShift) | payload;
  c.pos.store(p + 1, std::memory_order_release);
}
inline void Emit(format::EventType type, uint64_t payload) {
  EmitStamped([] { return ReadTicks(); }, type, payload);
}
// As Emit with the TSC read directly: only valid while CurrentMode() == kModeTsc.
inline void EmitTsc(format::EventType type, uint64_t payload) {
#ifdef TRACELANE_HAVE_RDTSC
  EmitStamped([] { return __rdtsc(); }, type, payload);
#else
  Emit(type, payload);
#endif
}

// Emits with the clock `mode` names; nothing when it is kModeOff. The TSC case is
// the expected one and costs no clock branch.
inline void EmitInMode(uint8_t mode, format::EventType type, uint64_t payload) {
  if (__builtin_expect(mode == kModeTsc, 1)) {
    EmitTsc(type, payload);
  } else if (mode != kModeOff) {
    Emit(type, payload);
  }
}

// Appends one event stamped by `stamp()` with a 64-bit argument (two slots, never
// split across chunks: a pad slot fills the gap). Used off the scope path.
template <typename Stamp>
inline void EmitStampedWithArg(Stamp stamp, format::EventType type, uint64_t payload,
                               uint64_t arg) {
  ThreadCursor& c = tls_cursor;
  RawEvent* p = c.pos.load(std::memory_order_relaxed);
  if (__builtin_expect(c.end - p < 2, 0)) {
    if (p != c.end) {  // pad the last slot so the pair starts a fresh chunk
      p->ticks = 0;
      p->word = uint64_t{kPadType} << kTypeShift;
      ++c.extra;
      c.pos.store(p + 1, std::memory_order_release);
    }
    p = RefillChunk();
  }
  p->ticks = stamp();
  p->word = (uint64_t{static_cast<uint8_t>(type)} << kTypeShift) | payload;
  p[1].ticks = arg;
  p[1].word = uint64_t{kArgType} << kTypeShift;
  ++c.extra;
  c.pos.store(p + 2, std::memory_order_release);
}
inline void EmitWithArg(format::EventType type, uint64_t payload, uint64_t arg) {
  EmitStampedWithArg([] { return ReadTicks(); }, type, payload, arg);
}

// As EmitWithArg but with an explicit timestamp (for events whose start is only
// known to matter after the fact, such as allocator pauses).
void EmitAtWithArg(uint64_t ticks, format::EventType type, uint64_t payload, uint64_t arg);

// A location's payload is its address. On x86-64 a user-space address fits in
// 56 bits (4- or 5-level paging), so no masking instruction is spent on the scope
// path; elsewhere (tagged pointers) the top byte is masked off.
inline uint64_t LocPayload(const SourceLocation* loc) {
#ifdef __x86_64__
  return reinterpret_cast<uintptr_t>(loc);
#else
  return reinterpret_cast<uintptr_t>(loc) & kPayloadMask;
#endif
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
