// libtracelane_malloc.so: times malloc and friends for a program it is preloaded
// into (LD_PRELOAD=libtracelane_malloc.so) or linked with. Each call forwards to
// glibc's __libc_* entry point between two clock reads; a call slower than the
// allocator-pause threshold (pause.h) is recorded as a pause with its size.
//
// Which recorder the pauses go to (docs/LOCKS_AND_SCHEDULING.md):
//  - the program links tracelane: its recorder exports tracelane_alloc_sink_v1
//    (tracer/sync.cmake adds --export-dynamic-symbol); found with dlsym at load
//    time, it receives the pauses, so there is ONE recorder and one trace, and
//    the program's SetAllocPauseThreshold() applies;
//  - otherwise this library's own (hidden, statically linked) copy of the
//    recorder is used, with its scheduler collector; set TRACELANE_MALLOC_TRACE
//    to a path to have the trace written at exit ("%p" in it becomes the pid).
// Must be loaded at start-up (LD_PRELOAD or DT_NEEDED), not dlopen'ed: it uses
// initial-exec TLS and must see every allocation.
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "tracelane/capture.h"
#include "tracelane/internal/clock.h"
#include "tracer/alloc/alloc_pause.h"

extern "C" {
void* __libc_malloc(size_t size);
void __libc_free(void* p);
void* __libc_calloc(size_t n, size_t size);
void* __libc_realloc(void* p, size_t size);
void* __libc_memalign(size_t align, size_t size);
void* __libc_valloc(size_t size);
void* __libc_pvalloc(size_t size);
}

namespace {

using tracelane::internal::AllocOp;
using tracelane::internal::ReadTicks;

constinit std::atomic<uint64_t> g_never{UINT64_MAX};
// Set once by the constructor, while only the main thread exists.
std::atomic<uint64_t>* g_threshold = &g_never;
void (*g_record)(uint32_t, uint64_t, uint64_t, uint64_t, uint32_t) = nullptr;
size_t g_untimed_free_max = tracelane::internal::kDefaultUntimedFreeMax;
int (*g_malloc_trim)(size_t) = nullptr;
const char* g_trace_path = nullptr;

__attribute__((noinline, cold)) void Record(AllocOp op, uint64_t t0, uint64_t t1, uint64_t size) {
  g_record(static_cast<uint32_t>(op), t0, t1, size, tracelane::internal::g_use_tsc ? 1 : 0);
}

// Without an invariant TSC (rare): the same through clock_gettime.
template <typename F>
__attribute__((noinline)) auto TimedMonotonic(AllocOp op, uint64_t size, F&& call) {
  const uint64_t t0 = ReadTicks();
  auto result = call();
  const uint64_t t1 = ReadTicks();
  if (t1 - t0 >= g_threshold->load(std::memory_order_relaxed)) Record(op, t0, t1, size);
  return result;
}

// The hot path: two TSC reads and a compare around the call. The threshold is
// loaded after the call so that as little as possible lives across it.
template <typename F>
inline auto Timed(AllocOp op, uint64_t size, F&& call) {
#ifdef TRACELANE_HAVE_RDTSC
  if (__builtin_expect(tracelane::internal::g_use_tsc, 1)) {
    const uint64_t t0 = __rdtsc();
    auto result = call();
    const uint64_t t1 = __rdtsc();
    if (__builtin_expect(t1 - t0 >= g_threshold->load(std::memory_order_relaxed), 0)) {
      Record(op, t0, t1, size);
    }
    return result;
  }
#endif
  return TimedMonotonic(op, size, call);
}

// free() of a block that is not cache-sized; `head` is its chunk header.
__attribute__((noinline)) void TimedFree(void* p, size_t head) {
  const size_t chunk = head & ~size_t{7};
  const bool mmapped = (head & 2) != 0;
  Timed(AllocOp::kFree, chunk - (mmapped ? 2 : 1) * sizeof(size_t), [&] {
    __libc_free(p);
    return 0;
  });
}

bool IsPowerOfTwo(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

// TRACELANE_MALLOC_TRACE with every "%p" replaced by the pid (children of a
// traced process write their own files).
std::string TracePath() {
  std::string path = g_trace_path;
  const std::string pid = std::to_string(getpid());
  for (size_t at = path.find("%p"); at != std::string::npos; at = path.find("%p", at)) {
    path.replace(at, 2, pid);
    at += pid.size();
  }
  return path;
}

void WriteTraceAtExit() {
  const absl::Status s = tracelane::WriteTrace(TracePath());
  if (!s.ok()) std::fprintf(stderr, "libtracelane_malloc: %s\n", std::string(s.message()).c_str());
}

// Priority 101: before this library's copy of the recorder initializes (102),
// so that copy can be told to stay idle.
__attribute__((constructor(101))) void InitPreload() {
  if (const char* all = std::getenv("TRACELANE_ALLOC_TIME_ALL_FREES"); all && all[0] == '1') {
    g_untimed_free_max = 0;
  }
  g_malloc_trim = reinterpret_cast<int (*)(size_t)>(dlsym(RTLD_NEXT, "malloc_trim"));
  const TracelaneAllocSinkV1* sink = tracelane::internal::LocalAllocSink();
  bool standalone = true;
  if (void* fn = dlsym(RTLD_DEFAULT, "tracelane_alloc_sink_v1")) {
    Dl_info found{}, self{};
    if (dladdr(fn, &found) != 0 && dladdr(reinterpret_cast<void*>(&InitPreload), &self) != 0 &&
        found.dli_fbase != self.dli_fbase) {
      const TracelaneAllocSinkV1* program =
          reinterpret_cast<const TracelaneAllocSinkV1* (*)()>(fn)();
      if (program != nullptr && program->version >= 1) {
        sink = program;
        standalone = false;
      }
    }
  }
  if (!standalone) {
    tracelane::internal::g_alloc_pause.dormant.store(true, std::memory_order_relaxed);
  }
  sink->attach_malloc();
  g_record = sink->record;
  g_threshold = sink->threshold_ticks;
  if (standalone) {
    if (const char* out = std::getenv("TRACELANE_MALLOC_TRACE"); out != nullptr && *out != '\0') {
      g_trace_path = out;
      std::atexit(&WriteTraceAtExit);
    }
  }
}

}  // namespace

extern "C" {

void* malloc(size_t size) {
  return Timed(AllocOp::kMalloc, size, [&] { return __libc_malloc(size); });
}

void free(void* p) {
  if (p == nullptr) return;
  // glibc's chunk header (the size word before the block, flags in the low 3
  // bits) says how big the block is; free reads it first anyway. Blocks served
  // by the per-thread cache are freed untimed (see alloc_pause.h): a tail call.
  const size_t head = static_cast<const size_t*>(p)[-1];
  if (__builtin_expect((head & 2) == 0 && (head & ~size_t{7}) <= g_untimed_free_max, 1)) {
    return __libc_free(p);
  }
  TimedFree(p, head);
}

void* calloc(size_t n, size_t size) {
  return Timed(AllocOp::kCalloc, n * size, [&] { return __libc_calloc(n, size); });
}

void* realloc(void* p, size_t size) {
  return Timed(AllocOp::kRealloc, size, [&] { return __libc_realloc(p, size); });
}

void* reallocarray(void* p, size_t n, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(n, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  return Timed(AllocOp::kReallocArray, bytes, [&] { return __libc_realloc(p, bytes); });
}

void* memalign(size_t align, size_t size) {
  return Timed(AllocOp::kMemalign, size, [&] { return __libc_memalign(align, size); });
}

int posix_memalign(void** out, size_t align, size_t size) {
  if (align % sizeof(void*) != 0 || !IsPowerOfTwo(align / sizeof(void*))) return EINVAL;
  void* p = Timed(AllocOp::kPosixMemalign, size, [&] { return __libc_memalign(align, size); });
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* aligned_alloc(size_t align, size_t size) {
  if (!IsPowerOfTwo(align)) {
    errno = EINVAL;
    return nullptr;
  }
  return Timed(AllocOp::kAlignedAlloc, size, [&] { return __libc_memalign(align, size); });
}

void* valloc(size_t size) {
  return Timed(AllocOp::kValloc, size, [&] { return __libc_valloc(size); });
}

void* pvalloc(size_t size) {
  return Timed(AllocOp::kPvalloc, size, [&] { return __libc_pvalloc(size); });
}

int malloc_trim(size_t pad) {
  if (g_malloc_trim == nullptr) return 0;
  return Timed(AllocOp::kMallocTrim, pad, [&] { return g_malloc_trim(pad); });
}

}  // extern "C"
