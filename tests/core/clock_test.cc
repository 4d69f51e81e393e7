// The recording clock: the TSC calibration must agree with CLOCK_MONOTONIC to
// within 0.1% over one second, and the conversions must be consistent. Also run
// with TRACELANE_CLOCK=monotonic (see CMakeLists.txt) to cover the fallback.
#include <cstdint>
#include <cstdlib>
#include <thread>

#include "gtest/gtest.h"
#include "tracelane/internal/clock.h"

namespace tracelane::internal {
namespace {

// Reads (ticks, CLOCK_MONOTONIC) as close together as possible.
void ReadPair(uint64_t* ticks, int64_t* ns) {
  int64_t best = INT64_MAX;
  for (int i = 0; i < 8; ++i) {
    const int64_t m0 = MonotonicNs();
    const uint64_t t = ReadTicks();
    const int64_t m1 = MonotonicNs();
    if (m1 - m0 < best) {
      best = m1 - m0;
      *ticks = t;
      *ns = m0 + (m1 - m0) / 2;
    }
  }
}

TEST(ClockTest, ClockSourceMatchesEnvironment) {
  const char* force = std::getenv("TRACELANE_CLOCK");
  const Calibration cal = CurrentCalibration();
  if (force != nullptr && force[0] == 'm') {
    EXPECT_FALSE(cal.tsc);
    EXPECT_DOUBLE_EQ(cal.Hz(), 1e9);
  }
  EXPECT_EQ(cal.tsc, g_use_tsc);
  EXPECT_GT(cal.Hz(), 1e8);  // any real TSC runs faster than 100 MHz
}

TEST(ClockTest, CalibrationAgreesWithMonotonicOverOneSecond) {
  uint64_t t0, t1;
  int64_t m0, m1;
  ReadPair(&t0, &m0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ReadPair(&t1, &m1);
  const Calibration cal = CurrentCalibration();
  const double actual = static_cast<double>(m1 - m0);
  const double converted = static_cast<double>(cal.ToNs(t1) - cal.ToNs(t0));
  EXPECT_NEAR(converted / actual, 1.0, 1e-3)
      << "ticks say " << converted << " ns, CLOCK_MONOTONIC says " << actual << " ns";
  // The rate alone, measured independently of the calibration's anchors.
  const double measured_hz = static_cast<double>(t1 - t0) * 1e9 / actual;
  EXPECT_NEAR(cal.Hz() / measured_hz, 1.0, 1e-3);
  // Absolute position too: a tick read now converts to (about) now.
  EXPECT_NEAR(static_cast<double>(cal.ToNs(t1)), static_cast<double>(m1), 1e-3 * actual);
}

TEST(ClockTest, ConversionsAreMonotonicAndInverse) {
  const Calibration cal = CurrentCalibration();
  uint64_t t;
  int64_t ns;
  ReadPair(&t, &ns);
  int64_t previous = cal.ToNs(t - 100000);
  for (uint64_t dt = 0; dt < 200000; dt += 7) {
    const int64_t cur = cal.ToNs(t - 100000 + dt);
    ASSERT_GE(cur, previous) << "ToNs decreases at tick offset " << dt;
    previous = cur;
  }
  // Round trip ns -> ticks -> ns is exact to within one tick's worth of ns.
  const double ns_per_tick = 1e9 / cal.Hz();
  for (int64_t x : {ns, ns + 123456789, ns - 987654321, cal.mono0_ns, cal.mono1_ns}) {
    EXPECT_NEAR(static_cast<double>(cal.ToNs(cal.ToTicks(x))), static_cast<double>(x),
                ns_per_tick + 1);
  }
  EXPECT_EQ(cal.ToNs(cal.ticks0), cal.mono0_ns);
  EXPECT_EQ(cal.ToNs(cal.ticks1), cal.mono1_ns);
}

TEST(ClockTest, RealtimeAnchorIsConsistent) {
  const Calibration cal = CurrentCalibration();
  timespec rt;
  clock_gettime(CLOCK_REALTIME, &rt);
  const int64_t realtime_now = int64_t{rt.tv_sec} * 1000000000 + rt.tv_nsec;
  const int64_t predicted = MonotonicNs() - cal.mono0_ns + cal.realtime0_ns;
  // Only NTP steps since start-up separate the two; allow 50 ms.
  EXPECT_NEAR(static_cast<double>(predicted), static_cast<double>(realtime_now), 5e7);
}

}  // namespace
}  // namespace tracelane::internal
