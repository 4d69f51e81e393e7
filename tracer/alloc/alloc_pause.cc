#include "tracer/alloc/alloc_pause.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "tracelane/internal/recorder.h"
#include "tracelane/pause.h"
#include "tracelane/trace.h"
#include "tracer/recorder_state.h"

namespace tracelane::internal {

AllocPauseState g_alloc_pause;

namespace {

constexpr SourceLocation kOpLocations[] = {
    {"malloc", "malloc", __FILE__, __LINE__},
    {"free", "free", __FILE__, __LINE__},
    {"calloc", "calloc", __FILE__, __LINE__},
    {"realloc", "realloc", __FILE__, __LINE__},
    {"reallocarray", "reallocarray", __FILE__, __LINE__},
    {"memalign", "memalign", __FILE__, __LINE__},
    {"posix_memalign", "posix_memalign", __FILE__, __LINE__},
    {"aligned_alloc", "aligned_alloc", __FILE__, __LINE__},
    {"valloc", "valloc", __FILE__, __LINE__},
    {"pvalloc", "pvalloc", __FILE__, __LINE__},
    {"malloc_trim", "malloc_trim", __FILE__, __LINE__},
    {"operator new", "operator new", __FILE__, __LINE__},
    {"operator new[]", "operator new[]", __FILE__, __LINE__},
    {"operator delete", "operator delete", __FILE__, __LINE__},
    {"operator delete[]", "operator delete[]", __FILE__, __LINE__},
};
static_assert(sizeof(kOpLocations) / sizeof(kOpLocations[0]) ==
              static_cast<size_t>(AllocOp::kCount));

// The TSC rate, measured against CLOCK_MONOTONIC from an anchor taken at
// start-up. Until 50 ms have passed the estimate is not cached and the tick
// threshold stays a conservative lower bound (ticks at >= 0.5 GHz).
constexpr double kMinTicksPerNs = 0.5;
constexpr int64_t kCalibrationNs = 50000000;
struct RateEstimate {
  std::atomic<uint64_t> ticks0{0};
  std::atomic<int64_t> ns0{0};
  std::atomic<double> ticks_per_ns{0};  // 0 until precise
};
RateEstimate g_rate;
std::atomic<bool> g_initialized{false};

thread_local bool tls_recording __attribute__((tls_model("initial-exec"))) = false;

// Ticks per nanosecond: exact if known, else measured now (not cached yet).
double TicksPerNs() {
  if (!g_use_tsc) return 1.0;
  const double cached = g_rate.ticks_per_ns.load(std::memory_order_relaxed);
  if (cached != 0) return cached;
  const uint64_t t = ReadTicks();
  const int64_t ns = MonotonicNs();
  const int64_t dn = ns - g_rate.ns0.load(std::memory_order_relaxed);
  if (dn <= 1000) return 1.0;  // too early to tell; callers only compare loosely
  const double rate =
      static_cast<double>(t - g_rate.ticks0.load(std::memory_order_relaxed)) / static_cast<double>(dn);
  if (dn >= kCalibrationNs) g_rate.ticks_per_ns.store(rate, std::memory_order_relaxed);
  return rate;
}

// Recomputes the tick threshold from the nanosecond one.
void UpdateThresholdTicks() {
  if (!g_initialized.load(std::memory_order_acquire)) return;
  const int64_t ns = g_alloc_pause.threshold_ns.load(std::memory_order_relaxed);
  double per_ns = kMinTicksPerNs;
  if (!g_use_tsc) {
    per_ns = 1.0;
  } else if (const double r = g_rate.ticks_per_ns.load(std::memory_order_relaxed); r != 0) {
    per_ns = r;
  }
  g_alloc_pause.threshold_ticks.store(static_cast<uint64_t>(static_cast<double>(ns) * per_ns),
                                      std::memory_order_relaxed);
}

// True if this thread may register with the recorder now: registration takes
// the registry lock, and a thread allocating inside Configure() or a capture
// holds it (or holds the config lock while the pool is rebuilt). Slow path only.
bool SafeToRegister() {
  RecorderState& r = Recorder();
  if (!r.config_mu.TryLock()) return false;
  r.config_mu.Unlock();
  if (!r.registry.mu().TryLock()) return false;
  r.registry.mu().Unlock();
  return true;
}

// Emits one event with an explicit timestamp and no argument.
void EmitAt(uint64_t ticks, format::EventType type, uint64_t payload) {
  EmitStamped([ticks] { return ticks; }, type, payload);
}

void RecordFromSink(uint32_t op, uint64_t t0, uint64_t t1, uint64_t size, uint32_t tsc_clock) {
  if (op >= static_cast<uint32_t>(AllocOp::kCount)) return;
  RecordAllocPause(static_cast<AllocOp>(op), t0, t1, size, tsc_clock != 0);
}

void AttachMalloc() {
  g_alloc_pause.malloc_preloaded.store(true, std::memory_order_relaxed);
  g_alloc_pause.time_new.store(false, std::memory_order_relaxed);
}

constinit const TracelaneAllocSinkV1 kSink{1, &g_alloc_pause.threshold_ticks, &RecordFromSink,
                                           &AttachMalloc};

}  // namespace

void InitAllocPause() {
  g_rate.ticks0.store(ReadTicks(), std::memory_order_relaxed);
  g_rate.ns0.store(MonotonicNs(), std::memory_order_relaxed);
  if (const char* us = std::getenv("TRACELANE_ALLOC_PAUSE_US")) {
    int64_t v;
    if (absl::SimpleAtoi(us, &v) && v >= 0) {
      g_alloc_pause.threshold_ns.store(v * 1000, std::memory_order_relaxed);
    }
  }
  if (const char* all = std::getenv("TRACELANE_ALLOC_TIME_ALL_FREES"); all && all[0] == '1') {
    g_alloc_pause.untimed_free_max.store(0, std::memory_order_relaxed);
  }
  g_initialized.store(true, std::memory_order_release);
  UpdateThresholdTicks();
}

void RecordAllocPause(AllocOp op, uint64_t t0, uint64_t t1, uint64_t size, bool tsc_clock) {
  if (tls_recording || !g_initialized.load(std::memory_order_acquire) || tsc_clock != g_use_tsc) {
    g_alloc_pause.skipped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  tls_recording = true;  // recording may allocate (thread registration, perf ring)
  const bool had_rate = g_rate.ticks_per_ns.load(std::memory_order_relaxed) != 0;
  const double per_ns = TicksPerNs();
  if (!had_rate && g_rate.ticks_per_ns.load(std::memory_order_relaxed) != 0) {
    UpdateThresholdTicks();  // the rate just became exact
  }
  const double ns = static_cast<double>(t1 - t0) / per_ns;
  if (ns >= static_cast<double>(g_alloc_pause.threshold_ns.load(std::memory_order_relaxed)) &&
      IsEnabled()) {
    if (tls_cursor.end == nullptr && !SafeToRegister()) {  // not registered yet
      g_alloc_pause.skipped.fetch_add(1, std::memory_order_relaxed);
      tls_recording = false;
      return;
    }
    const uint64_t loc = LocPayload(&kOpLocations[static_cast<uint32_t>(op)]);
    EmitAtWithArg(t0, format::EventType::kPauseBegin, loc, size);
    EmitAt(t1, format::EventType::kPauseEnd, loc);
    g_alloc_pause.recorded.fetch_add(1, std::memory_order_relaxed);
  }
  tls_recording = false;
}

const TracelaneAllocSinkV1* LocalAllocSink() { return &kSink; }

}  // namespace tracelane::internal

extern "C" const TracelaneAllocSinkV1* tracelane_alloc_sink_v1() {
  return tracelane::internal::LocalAllocSink();
}

namespace tracelane {

void SetAllocPauseThreshold(absl::Duration threshold) {
  const int64_t ns = std::max<int64_t>(0, absl::ToInt64Nanoseconds(threshold));
  internal::g_alloc_pause.threshold_ns.store(ns, std::memory_order_relaxed);
  internal::UpdateThresholdTicks();
}

absl::Duration AllocPauseThreshold() {
  return absl::Nanoseconds(internal::g_alloc_pause.threshold_ns.load(std::memory_order_relaxed));
}

AllocPauseStats GetAllocPauseStats() {
  const internal::AllocPauseState& s = internal::g_alloc_pause;
  AllocPauseStats st;
  st.pauses_recorded = s.recorded.load(std::memory_order_relaxed);
  st.pauses_skipped = s.skipped.load(std::memory_order_relaxed);
  st.operator_new_hooked = s.new_hooked.load(std::memory_order_relaxed);
  st.malloc_preloaded = s.malloc_preloaded.load(std::memory_order_relaxed);
  return st;
}

}  // namespace tracelane
