// Internal: the recording clock read on the hot path. Not part of the public API.
#ifndef TRACELANE_INTERNAL_CLOCK_H_
#define TRACELANE_INTERNAL_CLOCK_H_

#include <time.h>

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TRACELANE_HAVE_RDTSC 1
#endif

namespace tracelane::internal {

// Set once at start-up: true when the CPU has an invariant TSC.
extern bool g_use_tsc;

// CLOCK_MONOTONIC in nanoseconds. ~20 ns through the vDSO.
inline int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// The recording clock: rdtsc (~9 ns on these VMs) when the TSC is invariant, else
// MonotonicNs(). Ticks are converted to nanoseconds when a trace is written.
inline uint64_t ReadTicks() {
#ifdef TRACELANE_HAVE_RDTSC
  if (__builtin_expect(g_use_tsc, 1)) return __rdtsc();
#endif
  return static_cast<uint64_t>(MonotonicNs());
}

// Conversion between ticks and CLOCK_MONOTONIC nanoseconds, from two (ticks, ns)
// anchor pairs. Exact to well under 0.01% once the anchors are a second apart.
struct Calibration {
  uint64_t ticks0 = 0;
  int64_t mono0_ns = 0;
  uint64_t ticks1 = 1;
  int64_t mono1_ns = 1;
  int64_t realtime0_ns = 0;  // CLOCK_REALTIME at mono0_ns
  bool tsc = false;

  // Ticks per second.
  double Hz() const {
    return static_cast<double>(ticks1 - ticks0) * 1e9 / static_cast<double>(mono1_ns - mono0_ns);
  }
  // CLOCK_MONOTONIC ns for a tick value. O(1), 128-bit arithmetic.
  int64_t ToNs(uint64_t ticks) const {
    const __int128 dt = static_cast<__int128>(static_cast<int64_t>(ticks - ticks0));
    return mono0_ns + static_cast<int64_t>(dt * (mono1_ns - mono0_ns) /
                                           static_cast<__int128>(ticks1 - ticks0));
  }
  // Inverse of ToNs, used to place perf and schedstat timestamps on the tick axis.
  uint64_t ToTicks(int64_t ns) const {
    const __int128 dn = static_cast<__int128>(ns - mono0_ns);
    return ticks0 + static_cast<uint64_t>(dn * static_cast<__int128>(ticks1 - ticks0) /
                                          (mono1_ns - mono0_ns));
  }
};

// Returns a calibration whose second anchor is taken now. The first anchor is taken
// at start-up; if less than 20 ms have passed this spins to reach a 20 ms baseline.
Calibration CurrentCalibration();

}  // namespace tracelane::internal

#endif  // TRACELANE_INTERNAL_CLOCK_H_
