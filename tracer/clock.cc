// Clock selection and TSC calibration against CLOCK_MONOTONIC.
#include <time.h>

#include <atomic>

#include "absl/synchronization/mutex.h"
#include "tracelane/internal/clock.h"
#include "tracelane/internal/recorder.h"

#ifdef TRACELANE_HAVE_RDTSC
#include <cpuid.h>
#endif

namespace tracelane::internal {

bool g_use_tsc = false;

namespace {

bool HasInvariantTsc() {
#ifdef TRACELANE_HAVE_RDTSC
  unsigned a, b, c, d;
  if (__get_cpuid(0x80000000u, &a, &b, &c, &d) == 0 || a < 0x80000007u) return false;
  __get_cpuid(0x80000007u, &a, &b, &c, &d);
  return (d & (1u << 8)) != 0;
#else
  return false;
#endif
}

int64_t RealtimeNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

struct Anchor {
  uint64_t ticks;
  int64_t mono_ns;
  int64_t real_ns;
};

// Reads ticks bracketed by two CLOCK_MONOTONIC reads and keeps the tightest of a
// few tries, so the pair is accurate to tens of nanoseconds.
Anchor TakeAnchor() {
  Anchor best{};
  int64_t best_spread = INT64_MAX;
  for (int i = 0; i < 16; ++i) {
    const int64_t m0 = MonotonicNs();
    const uint64_t t = ReadTicks();
    const int64_t m1 = MonotonicNs();
    if (m1 - m0 < best_spread) {
      best_spread = m1 - m0;
      best = Anchor{t, m0 + (m1 - m0) / 2, 0};
    }
  }
  best.real_ns = RealtimeNs() - (MonotonicNs() - best.mono_ns);
  return best;
}

Anchor g_anchor0;

__attribute__((constructor(101))) void InitClock() {
  if (const char* force = getenv("TRACELANE_CLOCK"); force != nullptr && force[0] == 'm') {
    g_use_tsc = false;
  } else {
    g_use_tsc = HasInvariantTsc();
  }
  if (g_mode.load(std::memory_order_relaxed) != kModeOff) {
    g_mode.store(g_use_tsc ? kModeTsc : kModeClock, std::memory_order_relaxed);
  }
  g_anchor0 = TakeAnchor();
}

}  // namespace

Calibration CurrentCalibration() {
  Calibration c;
  c.tsc = g_use_tsc;
  c.ticks0 = g_anchor0.ticks;
  c.mono0_ns = g_anchor0.mono_ns;
  c.realtime0_ns = g_anchor0.real_ns;
  if (!g_use_tsc) {  // ticks are already nanoseconds
    c.ticks1 = c.ticks0 + 1000000000;
    c.mono1_ns = c.mono0_ns + 1000000000;
    return c;
  }
  constexpr int64_t kMinBaselineNs = 20000000;
  Anchor a1 = TakeAnchor();
  while (a1.mono_ns - c.mono0_ns < kMinBaselineNs) a1 = TakeAnchor();
  c.ticks1 = a1.ticks;
  c.mono1_ns = a1.mono_ns;
  return c;
}

}  // namespace tracelane::internal
