// What the viewer's Locks, Scopes and Threads panels read from the analysis
// library: finer histogram buckets, the instances of a bucket, the waits of a
// lock in time order, and the range-limited tables, which must agree with the
// range statistics (ComputeRangeStats, `tracelane range`) on random traces.
#include <algorithm>
#include <map>
#include <numeric>
#include <random>

#include "gtest/gtest.h"
#include "tests/analysis/random_trace.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/analysis/range_stats.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::analysis {
namespace {

using testing::MustLoad;
using testing::SyntheticTrace;
using testing::ThreadIndex;

constexpr int64_t kMs = 1000000;

TEST(HistogramBucketTest, FourPerOctaveSplitsEachOctaveEvenly) {
  // Below 4 ns: one bucket per value.
  for (int64_t d = 0; d < 4; ++d) {
    int idx = -1;
    const HistogramBucket b = HistogramBucketOf(d, 4, &idx);
    EXPECT_EQ(idx, d);
    EXPECT_EQ(b.lo_ns, d);
    EXPECT_EQ(b.hi_ns, d + 1);
  }
  // [1024, 2048) in four: [1024,1280) [1280,1536) [1536,1792) [1792,2048).
  EXPECT_EQ(HistogramBucketOf(1024, 4).lo_ns, 1024);
  EXPECT_EQ(HistogramBucketOf(1279, 4).hi_ns, 1280);
  EXPECT_EQ(HistogramBucketOf(1280, 4).lo_ns, 1280);
  EXPECT_EQ(HistogramBucketOf(2047, 4).lo_ns, 1792);
  EXPECT_EQ(HistogramBucketOf(2047, 4).hi_ns, 2048);
  // One per octave is the classic log2 bucket.
  EXPECT_EQ(HistogramBucketOf(1500, 1).lo_ns, 1024);
  EXPECT_EQ(HistogramBucketOf(1500, 1).hi_ns, 2048);
  EXPECT_EQ(HistogramBucketOf(0, 1).hi_ns, 1);
  // The last bucket ends at INT64_MAX instead of overflowing.
  EXPECT_EQ(HistogramBucketOf(INT64_MAX, 4).hi_ns, INT64_MAX);
  EXPECT_EQ(HistogramBucketOf(INT64_MAX, 1).hi_ns, INT64_MAX);
  // Indices grow with the duration and buckets tile the line without gaps.
  for (int per : {1, 2, 4, 8, 16}) {
    int last = -1;
    int64_t last_hi = 0;
    for (int64_t d = 0; d < 70000; d += 1 + d / 50) {
      int idx = 0;
      const HistogramBucket b = HistogramBucketOf(d, per, &idx);
      ASSERT_LE(b.lo_ns, d);
      ASSERT_GT(b.hi_ns, d);
      ASSERT_GE(idx, last);
      if (idx == last + 1) {
        ASSERT_EQ(b.lo_ns, last_hi) << "per " << per << " d " << d;
      }
      if (idx != last) last_hi = b.hi_ns;
      last = idx;
    }
  }
}

// 1000 instances of "op" lasting 1..1000 us on two threads.
Model Ops() {
  SyntheticTrace tr(1000, 1000 + 2000 * kMs);
  const int a = tr.Thread(1, "a"), b = tr.Thread(2, "b");
  std::vector<int64_t> d(1000);
  std::iota(d.begin(), d.end(), 1);
  std::shuffle(d.begin(), d.end(), std::mt19937_64(3));
  int64_t t = 2000;
  for (size_t i = 0; i < d.size(); ++i) {
    tr.Scope(i % 2 ? a : b, "op", t, t + d[i] * 1000);
    t += d[i] * 1000 + 10;
  }
  return MustLoad(tr.Encode());
}

TEST(ScopeHistogramTest, BucketsCountEveryInstanceAndListThem) {
  const Model m = Ops();
  ScopeStatsOptions o;
  o.buckets_per_octave = 4;
  const std::vector<ScopeStats> st = ComputeScopeStats(m, o);
  ASSERT_EQ(st.size(), 1u);
  const ScopeStats& s = st[0];
  EXPECT_EQ(s.p50_ns, 500 * 1000);
  EXPECT_EQ(s.p99_ns, 990 * 1000);
  uint64_t n = 0;
  for (size_t i = 0; i < s.histogram.size(); ++i) {
    const HistogramBucket& b = s.histogram[i];
    n += b.count;
    if (i > 0) {
      EXPECT_EQ(b.lo_ns, s.histogram[i - 1].hi_ns);
    }
    // Brute force: the durations 1..1000 us that fall in the bucket.
    uint64_t want = 0;
    for (int64_t us = 1; us <= 1000; ++us) want += us * 1000 >= b.lo_ns && us * 1000 < b.hi_ns;
    EXPECT_EQ(b.count, want) << b.lo_ns;
    uint64_t total = 0;
    const std::vector<ScopeInstance> listed =
        InstancesInBucket(m, s.location, b.lo_ns, b.hi_ns, 3, &total);
    EXPECT_EQ(total, b.count);
    EXPECT_EQ(listed.size(), std::min<uint64_t>(3, b.count));
    for (size_t k = 0; k < listed.size(); ++k) {
      EXPECT_GE(listed[k].duration_ns, b.lo_ns);
      EXPECT_LT(listed[k].duration_ns, b.hi_ns);
      if (k > 0) {
        EXPECT_TRUE(SlowerThan(listed[k - 1], listed[k]));
      }
    }
  }
  EXPECT_EQ(n, s.count);
  // More buckets than log2: the panel's plot has shape.
  ScopeStatsOptions log2;
  EXPECT_GT(s.histogram.size(), ComputeScopeStats(m, log2)[0].histogram.size() * 3);
  // The slowest bucket lists the slowest instance first.
  const HistogramBucket& last = s.histogram.back();
  EXPECT_EQ(InstancesInBucket(m, s.location, last.lo_ns, last.hi_ns, 1)[0].duration_ns, s.max_ns);
}

TEST(ScopeHistogramTest, ProgressAndCancel) {
  const Model m = Ops();
  double last = 0;
  ScopeStatsOptions o;
  o.progress = [&](double f) { last = f; };
  EXPECT_EQ(ComputeScopeStats(m, o).size(), 1u);
  EXPECT_DOUBLE_EQ(last, 1.0);
  o.cancelled = [] { return true; };
  EXPECT_TRUE(ComputeScopeStats(m, o).empty());
}

TEST(LockWaitsTest, WaitsByLockAreInTimeOrderAcrossThreads) {
  SyntheticTrace tr(0, 100 * kMs);
  const int a = tr.Thread(1, "a"), b = tr.Thread(2, "b");
  tr.WaitHold(a, 5, 30 * kMs, 31 * kMs, 32 * kMs, 2);
  tr.WaitHold(b, 5, 10 * kMs, 12 * kMs, 13 * kMs, 1);
  tr.WaitHold(a, 5, 50 * kMs, 55 * kMs, 56 * kMs, 2);
  tr.WaitHold(b, 6, 20 * kMs, 21 * kMs, 22 * kMs, 1);
  const Model m = MustLoad(tr.Encode());
  const auto by_lock = WaitsByLock(m);
  ASSERT_EQ(by_lock.size(), 2u);
  const std::vector<LockWaitRef>& five = by_lock.at(5);
  ASSERT_EQ(five.size(), 3u);
  std::vector<int64_t> starts;
  for (const LockWaitRef& r : five) {
    const LockWait& w = m.threads[r.thread].lock_waits[r.index];
    EXPECT_EQ(w.lock_id, 5u);
    starts.push_back(w.start_ns);
  }
  EXPECT_EQ(starts, (std::vector<int64_t>{10 * kMs, 30 * kMs, 50 * kMs}));
  EXPECT_EQ(five[0].thread, ThreadIndex(m, 2));
  // Range-limited to [29, 52): the 30..31 wait (1 ms) and 2 of the 50..55
  // wait's 5 ms; the longest is the whole 5 ms; the counters are unknown.
  const std::vector<LockReport> in = LockContentionIn(m, 29 * kMs, 52 * kMs);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].lock_id, 5u);
  EXPECT_EQ(in[0].waits, 2u);
  EXPECT_EQ(in[0].total_wait_ns, 1 * kMs + 2 * kMs);
  EXPECT_EQ(in[0].max_wait_ns, 5 * kMs);
  EXPECT_FALSE(in[0].counters_known);
  EXPECT_TRUE(LockContention(m)[0].counters_known);
}

// The range-limited tables of the panels agree with ComputeRangeStats.
std::string Mismatch(const Model& m, int64_t from, int64_t to, const std::vector<uint32_t>& sel) {
  const RangeStats r = ComputeRangeStats(m, from, to, sel);
  const std::vector<ThreadStatesRow> rows = ThreadStatesIn(m, from, to, sel);
  if (rows.size() != r.threads) return "thread rows";
  StateDurations sum{};
  for (const ThreadStatesRow& row : rows) {
    if (row.wall_ns != Sum(row.ns)) return "row wall";
    for (int s = 0; s < kNumStates; ++s) sum[s] += row.ns[s];
  }
  if (sum != r.states) return "states";
  std::map<uint32_t, uint64_t> instances;
  for (const ScopeStats& s : ComputeScopeStatsIn(m, from, to, sel)) {
    instances[s.location] = s.count + s.cut;
    uint64_t hist = 0;
    for (const HistogramBucket& b : s.histogram) hist += b.count;
    if (hist != s.count) return "histogram of " + s.name;
  }
  if (instances.size() != r.scopes.size()) return "number of scopes";
  for (const RangeScope& s : r.scopes) {
    if (instances[s.location] != s.instances) return "scope " + s.name;
  }
  const std::vector<LockReport> locks = LockContentionIn(m, from, to, sel);
  if (locks.size() != r.locks.size()) return "number of locks";
  for (size_t i = 0; i < locks.size(); ++i) {
    const RangeLock& want = r.locks[i];
    const auto it = std::find_if(locks.begin(), locks.end(),
                                 [&](const LockReport& l) { return l.lock_id == want.lock_id; });
    if (it == locks.end()) return "lock " + want.name + " missing";
    if (it->waits != want.waits || it->total_wait_ns != want.inside_ns ||
        it->max_wait_ns != want.max_wait_ns || it->cut_waits != want.cut_waits) {
      return "lock " + want.name;
    }
    int64_t sites = 0;
    for (const CallSite& c : it->waiting_sites) sites += c.wait_ns;
    if (sites != it->total_wait_ns) return "waiting sites of " + want.name;
  }
  return "";
}

TEST(RangeTablesTest, AgreeWithRangeStatsOnRandomTraces) {
  int with_scopes = 0, with_locks = 0;
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    testing::RandomTraceOptions o;
    o.loss = seed % 3 == 0 ? 0.01 : 0;
    const Model m = MustLoad(testing::RandomTrace(seed, o));
    std::mt19937_64 rng(seed * 31);
    for (int k = 0; k < 30; ++k) {
      int64_t from = m.start_ns + static_cast<int64_t>(rng() % m.duration_ns());
      int64_t to = m.start_ns + static_cast<int64_t>(rng() % m.duration_ns());
      if (from > to) std::swap(from, to);
      if (k == 0) from = m.start_ns, to = m.end_ns;
      std::vector<uint32_t> sel;
      if (k % 3 == 1) {
        for (uint32_t i = 0; i < m.threads.size(); ++i) {
          if (rng() % 2) sel.push_back(i);
        }
      }
      ASSERT_EQ(Mismatch(m, from, to, sel), "")
          << "seed " << seed << " [" << from << ", " << to << ")";
      with_scopes += !ComputeScopeStatsIn(m, from, to, sel).empty();
      with_locks += !LockContentionIn(m, from, to, sel).empty();
    }
    // The whole capture: the range tables are the whole-capture ones.
    const std::vector<ScopeStats> all = ComputeScopeStats(m);
    const std::vector<ScopeStats> in = ComputeScopeStatsIn(m, m.start_ns, m.end_ns + 1, {});
    ASSERT_EQ(all.size(), in.size());
    for (size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(all[i].count, in[i].count);
      EXPECT_EQ(all[i].p99_ns, in[i].p99_ns);
      EXPECT_EQ(all[i].max_ns, in[i].max_ns);
    }
  }
  EXPECT_GT(with_scopes, 100);
  EXPECT_GT(with_locks, 100);
}

}  // namespace
}  // namespace tracelane::analysis
