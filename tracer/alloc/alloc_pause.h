// Allocator pauses: the state the timed allocator wrappers read, the slow path
// that records a pause, and the C ABI through which libtracelane_malloc.so finds
// the recorder of the program it is preloaded into. Public API: pause.h.
//
// A timed call is: t0 = ReadTicks(); call; t1 = ReadTicks(); if (t1 - t0 >=
// threshold_ticks) RecordAllocPause(...). threshold_ticks is a lower bound of the
// threshold (exact once the TSC rate is known); the slow path checks the exact
// threshold in nanoseconds before writing anything.
#ifndef TRACELANE_TRACER_ALLOC_ALLOC_PAUSE_H_
#define TRACELANE_TRACER_ALLOC_ALLOC_PAUSE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "tracelane/internal/clock.h"

namespace tracelane::internal {

// The operation a pause is attributed to; each has a static SourceLocation
// named after it ("malloc", "operator new", ...).
enum class AllocOp : uint32_t {
  kMalloc = 0,
  kFree,
  kCalloc,
  kRealloc,
  kReallocArray,
  kMemalign,
  kPosixMemalign,
  kAlignedAlloc,
  kValloc,
  kPvalloc,
  kMallocTrim,
  kNew,
  kNewArray,
  kDelete,
  kDeleteArray,
  kCount,
};

// glibc serves chunks up to this size (header included) from its per-thread
// cache without a lock; freeing them is not timed unless
// TRACELANE_ALLOC_TIME_ALL_FREES=1 (the timing would double the cost of free).
inline constexpr size_t kDefaultUntimedFreeMax = 1040;

struct AllocPauseState {
  // Calls at least this many ticks long take the slow path. "Never" until
  // start-up has read the configuration (InitAllocPause).
  std::atomic<uint64_t> threshold_ticks{UINT64_MAX};
  // The exact threshold.
  std::atomic<int64_t> threshold_ns{20000};
  // Frees of blocks at most this large are not timed (see above).
  std::atomic<size_t> untimed_free_max{kDefaultUntimedFreeMax};
  // False once libtracelane_malloc.so times malloc under operator new.
  std::atomic<bool> time_new{true};
  std::atomic<bool> new_hooked{false};
  // Set (before start-up registration runs) in the hidden recorder copy of
  // libtracelane_malloc.so when the program has its own recorder: that copy then
  // stays idle (no recorder, no collector).
  std::atomic<bool> dormant{false};
  std::atomic<bool> malloc_preloaded{false};
  std::atomic<uint64_t> recorded{0};
  std::atomic<uint64_t> skipped{0};
};
extern AllocPauseState g_alloc_pause;

// Reads TRACELANE_ALLOC_PAUSE_US and TRACELANE_ALLOC_TIME_ALL_FREES and arms
// the threshold. Called once at start-up (tracer/sync/subsystem_init.cc).
void InitAllocPause();

// Slow path of a timed call that took [t0, t1] ticks: writes kPauseBegin(t0,
// arg = size) and kPauseEnd(t1) if the call reached the threshold. Guarded
// against re-entry (recording may allocate). A thread that has not recorded
// anything yet is registered here, unless the recorder is busy (a capture or
// Configure() holds its locks, possibly on this very thread): then the pause is
// skipped and counted. `tsc_clock` says which clock the caller's ticks come
// from; ticks from another clock are dropped.
void RecordAllocPause(AllocOp op, uint64_t t0, uint64_t t1, uint64_t size, bool tsc_clock);

// Times `call()` (returning a pointer) as operation `op` on a block of `size`.
template <typename F>
inline void* TimedAlloc(AllocOp op, size_t size, F&& call) {
  const uint64_t threshold = g_alloc_pause.threshold_ticks.load(std::memory_order_relaxed);
  const uint64_t t0 = ReadTicks();
  void* p = call();
  const uint64_t t1 = ReadTicks();
  if (__builtin_expect(t1 - t0 >= threshold, 0)) RecordAllocPause(op, t0, t1, size, g_use_tsc);
  return p;
}

}  // namespace tracelane::internal

extern "C" {

// Version 1 of the ABI between libtracelane_malloc.so and a recorder. The
// program's recorder exports tracelane_alloc_sink_v1() (tracer/sync.cmake adds
// --export-dynamic-symbol); the preload library looks it up with dlsym at load
// time and, when found, records into that recorder.
struct TracelaneAllocSinkV1 {
  uint32_t version;  // 1
  // The recorder's threshold_ticks; read by the preload library on every call.
  std::atomic<uint64_t>* threshold_ticks;
  // RecordAllocPause; `op` is a tracelane::internal::AllocOp.
  void (*record)(uint32_t op, uint64_t t0, uint64_t t1, uint64_t size, uint32_t tsc_clock);
  // Tells the recorder that malloc is timed underneath operator new.
  void (*attach_malloc)();
};

// The sink of the recorder this function is linked with. Constant data: valid
// before the program's static constructors run.
const TracelaneAllocSinkV1* tracelane_alloc_sink_v1();

}  // extern "C"

namespace tracelane::internal {
// Same as tracelane_alloc_sink_v1() but never interposed by another module's
// definition: the sink of this copy of the recorder.
const TracelaneAllocSinkV1* LocalAllocSink();
}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_ALLOC_ALLOC_PAUSE_H_
