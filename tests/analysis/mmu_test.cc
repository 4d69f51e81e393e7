// MMU: the square wave with known values, the exact algorithm against a
// brute-force oracle on random step functions, worst windows, and MMU computed
// from a trace (stop-the-world and per-thread pauses).
#include "viewer/analysis/mmu.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"

namespace tracelane::analysis {
namespace {

constexpr int64_t kSec = 1000000000;

// The obviously correct oracle: with integer step edges and integer windows the
// window mean is piecewise linear between integer starts, so the minimum is at
// an integer start. Expands u to one value per nanosecond and tries every
// integer start (prefix sums make each window O(1)).
struct Oracle {
  explicit Oracle(const Utilization& u) : x0(u.start_ns()), xn(u.end_ns()) {
    prefix.assign(static_cast<size_t>(xn - x0) + 1, 0.0);
    std::vector<double> per_ns(static_cast<size_t>(xn - x0));
    for (size_t i = 0; i < u.values.size(); ++i) {
      for (int64_t t = u.bounds[i]; t < u.bounds[i + 1]; ++t) per_ns[t - x0] = u.values[i];
    }
    for (size_t t = 0; t < per_ns.size(); ++t) prefix[t + 1] = prefix[t] + per_ns[t];
  }
  double Window(int64_t s, int64_t w) const {
    return (prefix[s + w - x0] - prefix[s - x0]) / static_cast<double>(w);
  }
  double Mmu(int64_t w) const {
    if (xn <= x0) return 1.0;
    if (w >= xn - x0) return prefix.back() / static_cast<double>(xn - x0);
    double best = 1e300;
    for (int64_t s = x0; s + w <= xn; ++s) best = std::min(best, Window(s, w));
    return best;
  }
  // Greedy worst disjoint windows: utilizations, worst first.
  std::vector<double> Worst(int64_t w, int k) const {
    std::vector<double> out;
    std::vector<int64_t> picked;
    if (w >= xn - x0) return {Mmu(w)};
    while (static_cast<int>(out.size()) < k) {
      double best = 1e300;
      int64_t arg = -1;
      for (int64_t s = x0; s + w <= xn; ++s) {
        bool overlaps = false;
        for (int64_t p : picked) overlaps |= s < p + w && p < s + w;
        if (!overlaps && Window(s, w) < best) {
          best = Window(s, w);
          arg = s;
        }
      }
      if (arg < 0) break;
      picked.push_back(arg);
      out.push_back(best);
    }
    return out;
  }
  int64_t x0, xn;
  std::vector<double> prefix;
};

Utilization RandomSteps(std::mt19937_64& rng, int steps, int max_len) {
  std::vector<std::pair<int64_t, double>> s;
  int64_t t = static_cast<int64_t>(rng() % 50);
  for (int i = 0; i < steps; ++i) {
    const double v = rng() % 4 == 0 ? 1.0 : static_cast<double>(rng() % 5) / 4.0;
    s.emplace_back(t, v);
    t += 1 + static_cast<int64_t>(rng() % max_len);
  }
  return MakeUtilization(s, t);
}

Utilization SquareWave() {
  return MakeUtilization(
      {{0, 1.0}, {1 * kSec, 0.0}, {2 * kSec, 1.0}, {3 * kSec, 0.0}, {4 * kSec, 1.0}}, 5 * kSec);
}

TEST(MmuTest, SquareWaveHasTheKnownValues) {
  const MmuCalculator c(SquareWave());
  EXPECT_NEAR(c.Mmu(1 * kSec), 0.0, 1e-12);
  EXPECT_NEAR(c.Mmu(2 * kSec), 0.5, 1e-12);
  EXPECT_NEAR(c.Mmu(3 * kSec), 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(c.Mmu(4 * kSec), 0.5, 1e-12);
  EXPECT_NEAR(c.Mmu(5 * kSec), 0.6, 1e-12);
  EXPECT_NEAR(c.Mmu(10 * kSec), 0.6, 1e-12);  // wider than the domain: clipped
  EXPECT_NEAR(c.Mmu(kSec / 2), 0.0, 1e-12);
  // Between the knots: w = 1.5 s -> worst window holds 1 s of 0 and 0.5 s of 1.
  EXPECT_NEAR(c.Mmu(3 * kSec / 2), 1.0 / 3.0, 1e-12);
}

TEST(MmuTest, SquareWaveFromAStopTheWorldTrace) {
  // One thread alive for 5 s; stop-the-world during [1,2) s and [3,4) s.
  constexpr int64_t kBase = kSec;  // the writer needs a non-zero capture start
  testing::SyntheticTrace tr(kBase, kBase + 5 * kSec);
  const int a = tr.Thread(1, "mutator");
  const int gc = tr.Thread(2, "gc");
  tr.Scope(a, "work", kBase + 1000, kBase + 2000);
  tr.Stw(gc, "collect", kBase + 1 * kSec, kBase + 2 * kSec);
  tr.Stw(gc, "collect", kBase + 3 * kSec, kBase + 4 * kSec);
  const Model m = testing::MustLoad(tr.Encode());
  const MmuCalculator c(SystemUtilization(m));
  EXPECT_EQ(c.utilization().duration_ns(), 5 * kSec);
  const double want[] = {0.0, 0.5, 1.0 / 3.0, 0.5, 0.6};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(c.Mmu((i + 1) * kSec), want[i], 1e-9) << i + 1 << " s";
  // Per-thread utilization sees the same pauses.
  const MmuCalculator t(ThreadUtilization(m, 0));
  EXPECT_NEAR(t.Mmu(3 * kSec), 1.0 / 3.0, 1e-9);
}

TEST(MmuTest, SystemUtilizationCountsPausedLiveThreads) {
  testing::SyntheticTrace tr(1000, 1000 + 100);
  const int a = tr.Thread(1, "a");
  tr.Thread(2, "b");
  tr.Thread(3, "c");
  tr.Thread(4, "d", 0, 1000 + 50);  // exits half way
  tr.Pause(a, "alloc", 1000 + 10, 1000 + 60);
  const Model m = testing::MustLoad(tr.Encode());
  const Utilization u = SystemUtilization(m);
  const MmuCalculator c(u);
  EXPECT_NEAR(c.Mean(1000 + 10, 1000 + 50), 0.75, 1e-12);       // 1 of 4 live threads paused
  EXPECT_NEAR(c.Mean(1000 + 50, 1000 + 60), 2.0 / 3.0, 1e-12);  // 1 of 3
  EXPECT_NEAR(c.Mean(1000, 1000 + 10), 1.0, 1e-12);
  EXPECT_NEAR(c.Mmu(10), 2.0 / 3.0, 1e-12);
}

TEST(MmuTest, DataGapTimeIsNeverCountedAsRunning) {
  // Four threads live over [0, 100); b paused over [10, 60); a's events lost over
  // [40, 70) (its last event before the loss record at 40, the record at 70).
  constexpr int64_t kT0 = 1000;
  testing::SyntheticTrace tr(kT0, kT0 + 100);
  const int a = tr.Thread(1, "a");
  const int b = tr.Thread(2, "b");
  tr.Thread(3, "c");
  tr.Thread(4, "d");
  tr.Scope(a, "work", kT0 + 5, kT0 + 40);
  tr.RawArg(a, kT0 + 70, format::EventType::kDataLost, 2, 500);
  tr.Scope(a, "work", kT0 + 80, kT0 + 90);
  tr.Pause(b, "alloc", kT0 + 10, kT0 + 60);
  const Model m = testing::MustLoad(tr.Encode());
  ASSERT_EQ(m.threads[0].gaps.size(), 1u);
  ASSERT_EQ(m.threads[0].gaps[0].start_ns, kT0 + 40);
  ASSERT_EQ(m.threads[0].gaps[0].end_ns, kT0 + 70);
  // System-wide, a is left out while its data is lost: 1 of 3 known threads paused.
  const MmuCalculator c(SystemUtilization(m));
  EXPECT_NEAR(c.Mean(kT0 + 10, kT0 + 40), 0.75, 1e-12);       // 1 of 4
  EXPECT_NEAR(c.Mean(kT0 + 40, kT0 + 60), 2.0 / 3.0, 1e-12);  // 1 of 3, not 1 of 4
  EXPECT_NEAR(c.Mean(kT0 + 60, kT0 + 70), 1.0, 1e-12);
  // Per thread, the gap is not mutator time (a lower bound), never running.
  const MmuCalculator t(ThreadUtilization(m, 0));
  EXPECT_NEAR(t.Mean(kT0 + 40, kT0 + 70), 0.0, 1e-12);
  EXPECT_NEAR(t.Mean(kT0, kT0 + 40), 1.0, 1e-12);
  EXPECT_NEAR(t.Mean(kT0 + 70, kT0 + 100), 1.0, 1e-12);
  EXPECT_NEAR(t.Mmu(30), 0.0, 1e-12);
}

TEST(MmuTest, FastEqualsOracleOnRandomStepFunctions) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 200; ++iter) {
    const Utilization u = RandomSteps(rng, 1 + static_cast<int>(rng() % 12), 30);
    const Oracle oracle(u);
    const MmuCalculator c(u);
    const int64_t d = u.duration_ns();
    for (int64_t w = 1; w <= d + 3; w += 1 + static_cast<int64_t>(rng() % 4)) {
      ASSERT_NEAR(c.Mmu(w), oracle.Mmu(w), 1e-9) << "iteration " << iter << " window " << w;
      // Worst windows: the greedy oracle's values, disjoint, in range, consistent.
      const auto worst = c.Worst(w, 3);
      const std::vector<double> want = oracle.Worst(w, 3);
      ASSERT_EQ(worst.size(), want.size()) << "iteration " << iter << " window " << w;
      for (size_t i = 0; i < worst.size(); ++i) {
        EXPECT_NEAR(worst[i].utilization, want[i], 1e-9) << "iteration " << iter << " w " << w;
        EXPECT_GE(worst[i].start_ns, u.start_ns());
        EXPECT_LE(worst[i].start_ns + std::min(w, d), u.end_ns());
        EXPECT_NEAR(worst[i].utilization, c.Mean(worst[i].start_ns, worst[i].start_ns + w), 1e-9);
        for (size_t j = 0; j < i; ++j) {
          EXPECT_TRUE(worst[i].start_ns >= worst[j].start_ns + w ||
                      worst[j].start_ns >= worst[i].start_ns + w);
        }
      }
    }
  }
}

// Many steps: exercises the banded lower-bound search (used above 1024 steps).
TEST(MmuTest, BandedSearchEqualsOracleOnLargeStepFunctions) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 6; ++iter) {
    const Utilization u = RandomSteps(rng, 3000 + static_cast<int>(rng() % 5000), 1 + iter * 3);
    ASSERT_GT(u.values.size(), 1024u);
    const Oracle oracle(u);
    const MmuCalculator c(u);
    const int64_t d = u.duration_ns();
    std::vector<int64_t> windows = LogSpacedWindows(1, d, 25);
    for (int k = 0; k < 15; ++k) windows.push_back(1 + static_cast<int64_t>(rng() % d));
    for (int64_t w : windows) {
      ASSERT_NEAR(c.Mmu(w), oracle.Mmu(w), 1e-9) << "iteration " << iter << " window " << w;
    }
    const int64_t w = windows[10];
    const auto worst = c.Worst(w, 4);
    const std::vector<double> want = oracle.Worst(w, 4);
    ASSERT_EQ(worst.size(), want.size());
    for (size_t i = 0; i < worst.size(); ++i) EXPECT_NEAR(worst[i].utilization, want[i], 1e-9);
  }
}

TEST(MmuTest, WorstWindowsOfTheSquareWave) {
  const MmuCalculator c(SquareWave());
  const auto worst = c.Worst(1 * kSec, 3);
  ASSERT_EQ(worst.size(), 3u);
  EXPECT_EQ(worst[0].start_ns, 1 * kSec);
  EXPECT_NEAR(worst[0].utilization, 0.0, 1e-12);
  EXPECT_EQ(worst[1].start_ns, 3 * kSec);
  EXPECT_NEAR(worst[1].utilization, 0.0, 1e-12);
  // Third: any window touching one zero band fully overlaps a picked one; the
  // best remaining is a full-utilization second, e.g. [0, 1) s.
  EXPECT_NEAR(worst[2].utilization, 1.0, 1e-12);
}

TEST(MmuTest, CurveIsMonotoneAndLogSpaced) {
  const std::vector<int64_t> w = LogSpacedWindows(1000, 5 * kSec, 50);
  ASSERT_GE(w.size(), 40u);
  EXPECT_EQ(w.front(), 1000);
  EXPECT_EQ(w.back(), 5 * kSec);
  for (size_t i = 1; i < w.size(); ++i) EXPECT_GT(w[i], w[i - 1]);
  const MmuCalculator c(SquareWave());
  const auto curve = c.Curve(w);
  ASSERT_EQ(curve.size(), w.size());
  EXPECT_NEAR(curve.back().mmu, 0.6, 1e-12);
}

TEST(MmuTest, EmptyUtilizationIsOne) {
  const MmuCalculator c(Utilization{});
  EXPECT_EQ(c.Mmu(1000), 1.0);
  EXPECT_TRUE(c.Worst(1000, 3).empty());
}

}  // namespace
}  // namespace tracelane::analysis
