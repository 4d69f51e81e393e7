// ComputeScopeStats against brute force: every statistic (count, cut, total,
// min, percentiles, max, histogram, slowest) equals what sorting each location's
// complete instances gives, for every histogram resolution and worker count, on
// random traces with losses and on duration distributions with heavy ties (the
// percentiles are located through a fine histogram, where ties pile up).
#include "viewer/analysis/scope_stats.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "gtest/gtest.h"
#include "tests/analysis/random_trace.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"

namespace tracelane::analysis {
namespace {

using testing::MustLoad;
using testing::SyntheticTrace;

int64_t NearestRank(const std::vector<int64_t>& sorted, double p) {
  size_t r = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size()) - 1e-9));
  r = std::clamp<size_t>(r, 1, sorted.size());
  return sorted[r - 1];
}

// Checks `got` (one location's statistics) against sorting its instances.
void ExpectBruteForce(const Model& m, const ScopeStats& got, const ScopeStatsOptions& o) {
  std::vector<int64_t> d;
  std::vector<ScopeInstance> all;
  uint64_t cut = 0, lost = 0;
  for (const ScopeRef r : m.scopes_by_location[got.location]) {
    const ThreadModel& t = m.threads[r.thread];
    if (t.IsCut(r.index)) {  // the reference: a binary search per instance
      ++cut;
      lost += t.IsCutByLoss(r.index);
      continue;
    }
    all.push_back(InstanceOf(m, r));
    d.push_back(all.back().duration_ns);
  }
  SCOPED_TRACE(got.name);
  EXPECT_EQ(got.count, d.size());
  EXPECT_EQ(got.cut, cut);
  EXPECT_EQ(got.cut_by_loss, lost);
  if (d.empty()) {
    EXPECT_TRUE(got.histogram.empty());
    return;
  }
  std::sort(d.begin(), d.end());
  int64_t total = 0;
  for (int64_t x : d) total += x;
  EXPECT_EQ(got.total_ns, total);
  EXPECT_EQ(got.min_ns, d.front());
  EXPECT_EQ(got.max_ns, d.back());
  EXPECT_EQ(got.p50_ns, NearestRank(d, 50));
  EXPECT_EQ(got.p90_ns, NearestRank(d, 90));
  EXPECT_EQ(got.p99_ns, NearestRank(d, 99));
  EXPECT_EQ(got.p999_ns, NearestRank(d, 99.9));
  // Histogram: contiguous buckets from min's to max's, each counting its durations.
  ASSERT_FALSE(got.histogram.empty());
  int first = 0, last = 0;
  HistogramBucketOf(d.front(), o.buckets_per_octave, &first);
  HistogramBucketOf(d.back(), o.buckets_per_octave, &last);
  ASSERT_EQ(got.histogram.size(), static_cast<size_t>(last - first + 1));
  for (const HistogramBucket& b : got.histogram) {
    const auto lo = std::lower_bound(d.begin(), d.end(), b.lo_ns);
    const auto hi = std::lower_bound(d.begin(), d.end(), b.hi_ns);
    EXPECT_EQ(b.count, static_cast<uint64_t>(hi - lo)) << "[" << b.lo_ns << ", " << b.hi_ns << ")";
  }
  std::sort(all.begin(), all.end(), SlowerThan);
  all.resize(std::min<size_t>(all.size(), static_cast<size_t>(std::max(0, o.slowest))));
  ASSERT_EQ(got.slowest.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(got.slowest[i].ref.thread, all[i].ref.thread);
    EXPECT_EQ(got.slowest[i].ref.index, all[i].ref.index);
  }
}

void ExpectAllMatch(const Model& m) {
  for (int per_octave : {1, 2, 4, 8, 16}) {
    for (int workers : {1, 2, 3}) {
      ScopeStatsOptions o;
      o.buckets_per_octave = per_octave;
      o.workers = workers;
      o.slowest = 7;
      const std::vector<ScopeStats> st = ComputeScopeStats(m, o);
      size_t with_instances = 0;
      for (const auto& refs : m.scopes_by_location) with_instances += !refs.empty();
      ASSERT_EQ(st.size(), with_instances);
      for (size_t i = 1; i < st.size(); ++i) EXPECT_GE(st[i - 1].total_ns, st[i].total_ns);
      for (const ScopeStats& s : st) ExpectBruteForce(m, s, o);
    }
  }
}

TEST(ScopeStatsTest, EqualsBruteForceOnRandomTracesWithLosses) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(seed);
    testing::RandomTraceOptions ro;
    ro.loss = 0.01;
    const Model m = MustLoad(testing::RandomTrace(seed, ro));
    uint64_t cut = 0;
    for (const ThreadModel& t : m.threads) cut += t.cut_scopes.size();
    EXPECT_GT(cut, 0u) << "the trace should have cut instances";
    ExpectAllMatch(m);
  }
}

// Durations drawn so that many instances share a duration or a fine bucket:
// all equal, two values, tiny ones (below 16 ns, one bucket per value) and a
// log-normal spread with a far tail.
TEST(ScopeStatsTest, EqualsBruteForceWithTiesAndTails) {
  SyntheticTrace tr(1000, 1000000000000);
  const int a = tr.Thread(1, "a");
  const int b = tr.Thread(2, "b");
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> lognormal(8.0, 2.0);
  int64_t t[2] = {2000, 2000};
  const auto add = [&](const std::string& name, int64_t d) {
    const int th = static_cast<int>(rng() % 2);
    tr.Scope(th == 0 ? a : b, name, t[th], t[th] + d);
    t[th] += d + 1;
  };
  for (int i = 0; i < 3000; ++i) add("equal", 777);
  for (int i = 0; i < 3000; ++i) add("two", i % 10 == 0 ? 5000 : 1000);
  for (int i = 0; i < 3000; ++i) add("tiny", static_cast<int64_t>(rng() % 20));
  for (int i = 0; i < 5000; ++i) add("lognormal", 1 + static_cast<int64_t>(lognormal(rng)));
  add("single", 123456);
  ExpectAllMatch(MustLoad(tr.Encode()));
}

TEST(ScopeStatsTest, CancelledComputationStopsEarly) {
  const Model m = MustLoad(testing::RandomTrace(9));
  ScopeStatsOptions o;
  o.workers = 2;
  o.cancelled = [] { return true; };
  EXPECT_TRUE(ComputeScopeStats(m, o).empty());
}

}  // namespace
}  // namespace tracelane::analysis
