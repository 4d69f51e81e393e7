// TimeAxis: time <-> pixel round trips, zoom around the cursor, pan, fit, clamps.
#include "viewer/gui/layout/time_axis.h"

#include <cmath>
#include <cstdint>

#include "gtest/gtest.h"

namespace tracelane::gui {
namespace {

constexpr int64_t kDomainStart = 5'000'000'000;  // a capture starting at 5 s
constexpr int64_t kDomainEnd = kDomainStart + 2'000'000'000;

// Exact time at pixel x (ns, fractional).
double ExactAt(const TimeAxis& a, float x) {
  return static_cast<double>(a.start_ns) + a.OffsetAt(x);
}

TEST(TimeAxisTest, ToXAndToNsRoundTrip) {
  for (double npp : {0.01, 0.37, 1.0, 3.3, 100.0, 511.0, 1e6}) {
    TimeAxis a{kDomainStart + 123, 0.25, npp, 200, 1500};
    for (int64_t k = -50; k <= 1600; k += 7) {
      const int64_t t = a.start_ns + static_cast<int64_t>(k * npp);
      const int64_t back = a.ToNs(a.ToX(t));
      if (npp <= 1) {
        EXPECT_EQ(back, t) << "npp " << npp << " k " << k;
      } else {
        EXPECT_LE(std::abs(static_cast<double>(back - t)), 1 + npp / 1024) << npp;
      }
    }
    // Pixel -> time -> pixel lands in the same nanosecond cell: at most one
    // nanosecond (plus float rounding) to the left.
    for (float x = 150; x < 1800; x += 13.7f) {
      const float back = a.ToX(a.ToNs(x));
      EXPECT_LE(back, x + 1e-3f) << npp;
      EXPECT_GT(back, x - static_cast<float>(1 / npp) - 1e-3f) << npp;
    }
  }
}

TEST(TimeAxisTest, ToNsIsTheNanosecondUnderThePixel) {
  const TimeAxis a{1000, 0, 0.01, 0, 1000};  // 1 ns = 100 px
  EXPECT_EQ(a.ToNs(0), 1000);
  EXPECT_EQ(a.ToNs(99.5f), 1000);
  EXPECT_EQ(a.ToNs(100), 1001);
  EXPECT_EQ(a.ToNs(-0.5f), 999);
  EXPECT_FLOAT_EQ(a.ToX(1003), 300);
  EXPECT_EQ(a.end_ns(), 1010);
  const TimeAxis b{1000, 0.5, 0.01, 0, 1000};  // starts half a ns later
  EXPECT_FLOAT_EQ(b.ToX(1001), 50);
  EXPECT_EQ(b.ToNs(49), 1000);
  EXPECT_EQ(b.ToNs(50), 1001);
  EXPECT_EQ(b.end_ns(), 1011);  // 1010.5 rounded up
}

TEST(TimeAxisTest, FitRangeShowsExactlyTheRange) {
  const TimeAxis a = FitRange(kDomainStart, kDomainEnd, 100, 800);
  EXPECT_FLOAT_EQ(a.ToX(kDomainStart), 100);
  EXPECT_FLOAT_EQ(a.ToX(kDomainEnd), 900);
  EXPECT_EQ(a.end_ns(), kDomainEnd);
  EXPECT_DOUBLE_EQ(a.ns_per_px, 2'000'000'000.0 / 800);
  // Shorter than the closest zoom allows: centred at 0.01 ns/px.
  const TimeAxis b = FitRange(1000, 1002, 0, 1000);
  EXPECT_DOUBLE_EQ(b.ns_per_px, kMinNsPerPx);
  EXPECT_NEAR(b.ToX(1001), 500, 1e-3);
  // Degenerate inputs stay usable.
  const TimeAxis c = FitRange(1000, 1000, 0, 0);
  EXPECT_GT(c.ns_per_px, 0);
  EXPECT_GT(c.width, 0);
}

TEST(TimeAxisTest, ZoomKeepsTheTimeUnderTheCursorFixed) {
  const TimeAxis start = FitRange(kDomainStart, kDomainEnd, 100, 1000);
  for (float x : {100.0f, 333.3f, 600.0f, 1099.0f}) {
    TimeAxis a = start;
    const int64_t under = a.ToNs(x);
    const double exact = ExactAt(a, x);
    // Zoom in 60 times by 1.25 (about 6.5e5x: ns_per_px from 2e6 to ~3).
    for (int i = 0; i < 60; ++i) {
      a = ZoomAround(a, x, 1.25, kDomainStart, kDomainEnd);
      ASSERT_EQ(a.ToNs(x), under) << "x " << x << " step " << i;
      ASSERT_NEAR(ExactAt(a, x), exact, 1e-3) << "x " << x << " step " << i;
    }
    EXPECT_NEAR(a.ns_per_px, start.ns_per_px / std::pow(1.25, 60), a.ns_per_px * 1e-9);
    // And back out.
    for (int i = 0; i < 60; ++i) a = ZoomAround(a, x, 1 / 1.25, kDomainStart, kDomainEnd);
    EXPECT_EQ(a.ToNs(x), under);
    EXPECT_NEAR(a.ns_per_px, start.ns_per_px, start.ns_per_px * 1e-9);
  }
}

TEST(TimeAxisTest, ZoomIsSmoothBelowOneNanosecondPerPixel) {
  // At 100 px per ns the exact time under the cursor must still stay put (the
  // fractional start), not snap to whole nanoseconds.
  TimeAxis a{kDomainStart + 1000, 0, 0.04, 0, 1000};
  const double exact = ExactAt(a, 517.3f);
  a = ZoomAround(a, 517.3f, 4, kDomainStart, kDomainEnd);
  EXPECT_DOUBLE_EQ(a.ns_per_px, 0.01);
  EXPECT_NEAR(ExactAt(a, 517.3f), exact, 1e-6);
  EXPECT_GT(a.start_frac, 0);
  EXPECT_LT(a.start_frac, 1);
  // A 10 px pan moves every time by 10 px.
  const float before = a.ToX(kDomainStart + 1010);
  const TimeAxis b = PanBy(a, 10, kDomainStart, kDomainEnd);
  EXPECT_NEAR(b.ToX(kDomainStart + 1010), before + 10, 1e-3);
}

TEST(TimeAxisTest, ZoomIsClamped) {
  TimeAxis a = FitRange(kDomainStart, kDomainEnd, 0, 1000);
  a = ZoomAround(a, 500, 1e12, kDomainStart, kDomainEnd);
  EXPECT_DOUBLE_EQ(a.ns_per_px, kMinNsPerPx);
  a = ZoomAround(a, 500, 1e-12, kDomainStart, kDomainEnd);
  EXPECT_DOUBLE_EQ(a.ns_per_px, 4.0 * (kDomainEnd - kDomainStart) / 1000);
  // Fully zoomed out with the domain's centre in view: the whole domain shows.
  EXPECT_LE(a.start_ns, kDomainStart);
  EXPECT_GE(a.end_ns(), kDomainEnd);
  // A custom closest zoom.
  TimeAxis b = ZoomAround(a, 500, 1e12, kDomainStart, kDomainEnd, 2.0);
  EXPECT_DOUBLE_EQ(b.ns_per_px, 2.0);
  // Nonsense factors only clamp.
  TimeAxis c = ZoomAround(a, 500, 0, kDomainStart, kDomainEnd);
  EXPECT_DOUBLE_EQ(c.ns_per_px, a.ns_per_px);
  c = ZoomAround(a, 500, std::nan(""), kDomainStart, kDomainEnd);
  EXPECT_DOUBLE_EQ(c.ns_per_px, a.ns_per_px);
}

TEST(TimeAxisTest, PanKeepsTheDomainReachable) {
  const TimeAxis fit = FitRange(kDomainStart, kDomainStart + 1'000'000, 0, 1000);  // 1 ms
  // Drag right by 250 px: earlier times.
  TimeAxis a = PanBy(fit, 250, kDomainStart, kDomainEnd);
  EXPECT_EQ(a.start_ns, kDomainStart - 250'000);
  // Far beyond the start: the centre of the view stops at the domain start.
  a = PanBy(fit, 1e7f, kDomainStart, kDomainEnd);
  EXPECT_NEAR(ExactAt(a, 500), static_cast<double>(kDomainStart), 1);
  // Far beyond the end: the centre stops at the domain end.
  a = PanBy(fit, -1e9f, kDomainStart, kDomainEnd);
  EXPECT_NEAR(ExactAt(a, 500), static_cast<double>(kDomainEnd), 1);
  // Panning there and back is the identity.
  const TimeAxis there = PanBy(fit, -12345, kDomainStart, kDomainEnd);
  const TimeAxis back = PanBy(there, 12345, kDomainStart, kDomainEnd);
  EXPECT_EQ(back.start_ns, fit.start_ns);
  EXPECT_NEAR(back.start_frac, 0, 1e-6);
  // A zoom at the edge that would push the centre out is clamped too.
  // Out 1000x around the right edge (1 ms): the view would be centred 499 ms
  // before the capture; its centre stops at the capture start instead.
  a = ZoomAround(fit, 1000, 1.0 / 1000, kDomainStart, kDomainEnd);
  EXPECT_DOUBLE_EQ(a.ns_per_px, 1e6);
  EXPECT_NEAR(ExactAt(a, 500), static_cast<double>(kDomainStart), 1);
}

}  // namespace
}  // namespace tracelane::gui
