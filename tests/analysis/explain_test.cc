// The planted scenario ("why was this request slow?"), lock contention call
// sites, scope statistics with known answers, and pause statistics.
#include "viewer/analysis/explain.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/analysis/pause_stats.h"
#include "viewer/analysis/scope_stats.h"

namespace tracelane::analysis {
namespace {

using testing::MustLoad;
using testing::SyntheticTrace;
using testing::ThreadIndex;

constexpr int64_t kUs = 1000, kMs = 1000000, kSec = 1000000000;
constexpr uint64_t kDbLock = 0xdb;

// Workers serve 1 ms requests every 5 ms. The writer holds "db_mutex" for 30 ms
// inside "flush"; one request of worker 60 waits for it. A 10 ms stop-the-world
// by "gc" hits one request of worker 61.
std::string PlantedTrace() {
  SyntheticTrace tr(1 * kSec, 2 * kSec);
  tr.Property("scheduler_source", "perf");
  tr.NameObject(format::ObjectKind::kLock, kDbLock, "db_mutex");
  const int writer = tr.Thread(50, "writer");
  const int w0 = tr.Thread(60, "worker");
  const int w1 = tr.Thread(61, "worker");
  const int gc = tr.Thread(70, "gc");
  tr.Scope(writer, "flush", 1 * kSec + 100 * kMs, 1 * kSec + 140 * kMs);
  tr.Hold(writer, kDbLock, 1 * kSec + 105 * kMs, 1 * kSec + 135 * kMs, true);
  for (int w : {w0, w1}) {
    for (int64_t t = 1 * kSec + 2 * kMs; t < 2 * kSec - 5 * kMs; t += 5 * kMs) {
      const int64_t off = t - 1 * kSec;
      if (w == w0 && off >= 105 * kMs && off < 140 * kMs) continue;  // the slow one below
      if (w == w1 && off >= 495 * kMs && off < 515 * kMs) continue;
      tr.Scope(w, "request", t, t + 1 * kMs);
      // A short uncontended use of the lock inside most requests.
      tr.Hold(w, kDbLock, t + 100 * kUs, t + 200 * kUs);
    }
  }
  // The lock victim: waits 24.5 ms, handed over by the writer at +135 ms.
  tr.Scope(w0, "request", 1 * kSec + 110 * kMs, 1 * kSec + 136500 * kUs);
  tr.WaitHold(w0, kDbLock, 1 * kSec + 110500 * kUs, 1 * kSec + 135 * kMs, 1 * kSec + 135100 * kUs,
              50);
  tr.SchedOut(w0, 1 * kSec + 136 * kMs, true);
  tr.SchedIn(w0, 1 * kSec + 136200 * kUs);  // a 200 us scheduler wait
  // The pause victim: 13 ms request, 10 ms of it stopped.
  tr.Scope(w1, "request", 1 * kSec + 498 * kMs, 1 * kSec + 511 * kMs);
  tr.Stw(gc, "gc_pause", 1 * kSec + 500 * kMs, 1 * kSec + 510 * kMs);
  return tr.Encode();
}

TEST(ExplainTest, SlowestRequestIsExplainedByTheLockAndItsHolder) {
  const Model m = MustLoad(PlantedTrace());
  uint64_t count = 0;
  const std::optional<ScopeInstance> inst = NthSlowest(m, "request", 1, &count);
  ASSERT_TRUE(inst.has_value());
  EXPECT_GT(count, 300u);
  EXPECT_EQ(inst->duration_ns, 26500 * kUs);
  EXPECT_EQ(m.threads[inst->ref.thread].tid, 60);
  const Explanation ex = Explain(m, *inst);
  ASSERT_FALSE(ex.causes.empty());
  const Cause& d = ex.causes.front();
  EXPECT_EQ(d.kind, CauseKind::kLockWait);
  EXPECT_EQ(d.what, "db_mutex");
  EXPECT_EQ(d.duration_ns, 24500 * kUs);
  ASSERT_NE(d.other_thread, kNone);
  EXPECT_EQ(m.threads[d.other_thread].name, "writer");
  EXPECT_EQ(d.other_scope, "flush");
  const std::string text = DescribeCause(m, d);
  EXPECT_NE(text.find("db_mutex"), std::string::npos) << text;
  EXPECT_NE(text.find("writer"), std::string::npos) << text;
  EXPECT_NE(text.find("flush"), std::string::npos) << text;
  // The scheduler wait is counted as its own cause.
  ASSERT_EQ(ex.causes.size(), 2u);
  EXPECT_EQ(ex.causes[1].kind, CauseKind::kRunnable);
  EXPECT_EQ(ex.causes[1].count, 1u);
  EXPECT_EQ(ex.causes[1].duration_ns, 200 * kUs);
  EXPECT_EQ(Get(ex.states, ThreadState::kRunning), 26500 * kUs - 24500 * kUs - 200 * kUs);
}

TEST(ExplainTest, SecondSlowestRequestIsExplainedByTheStopTheWorld) {
  const Model m = MustLoad(PlantedTrace());
  const std::optional<ScopeInstance> inst = NthSlowest(m, "request", 2);
  ASSERT_TRUE(inst.has_value());
  EXPECT_EQ(inst->duration_ns, 13 * kMs);
  const Explanation ex = Explain(m, *inst);
  ASSERT_FALSE(ex.causes.empty());
  const Cause& d = ex.causes.front();
  EXPECT_EQ(d.kind, CauseKind::kStopTheWorld);
  EXPECT_EQ(d.what, "gc_pause");
  EXPECT_EQ(d.duration_ns, 10 * kMs);
  ASSERT_NE(d.other_thread, kNone);
  EXPECT_EQ(m.threads[d.other_thread].name, "gc");
  EXPECT_EQ(Get(ex.states, ThreadState::kPaused), 10 * kMs);
}

TEST(ExplainTest, RankOutOfRangeAndUnknownName) {
  const Model m = MustLoad(PlantedTrace());
  uint64_t count = 0;
  EXPECT_FALSE(NthSlowest(m, "request", 100000, &count).has_value());
  EXPECT_GT(count, 0u);
  EXPECT_FALSE(NthSlowest(m, "nope", 1, &count).has_value());
  EXPECT_EQ(count, 0u);
  EXPECT_FALSE(NthSlowest(m, "request", 0).has_value());
}

TEST(LockContentionTest, PlantedLockNamesWaitingAndHoldingSites) {
  const Model m = MustLoad(PlantedTrace());
  const std::vector<LockReport> locks = LockContention(m);
  ASSERT_EQ(locks.size(), 1u);
  const LockReport& r = locks[0];
  EXPECT_EQ(r.name, "db_mutex");
  EXPECT_EQ(r.contended, 1u);
  EXPECT_EQ(r.releases_with_waiters, 1u);
  EXPECT_GT(r.acquisitions, 300u);
  EXPECT_EQ(r.total_wait_ns, 24500 * kUs);
  EXPECT_EQ(r.max_wait_ns, 24500 * kUs);
  ASSERT_EQ(r.waiting_sites.size(), 1u);
  EXPECT_EQ(r.waiting_sites[0].name, "request");
  ASSERT_EQ(r.holding_sites.size(), 1u);
  EXPECT_EQ(r.holding_sites[0].name, "flush");
  EXPECT_EQ(r.holding_sites[0].wait_ns, 24500 * kUs);
  ASSERT_EQ(r.holder_threads.size(), 1u);
  EXPECT_EQ(r.holder_threads[0].name, "writer [50]");
  EXPECT_EQ(TotalLockWait(m), 24500 * kUs);
}

TEST(LockContentionTest, MissingReleaserIsInferredFromHolds) {
  SyntheticTrace tr(1000, 1000 + 10 * kMs);
  const int a = tr.Thread(1, "a");
  const int b = tr.Thread(2, "b");
  tr.Scope(b, "hold_it", 1000 + 1 * kMs, 1000 + 6 * kMs);
  tr.Hold(b, 9, 1000 + 2 * kMs, 1000 + 5 * kMs, true);
  tr.WaitHold(a, 9, 1000 + 3 * kMs, 1000 + 5 * kMs, 1000 + 7 * kMs, /*releaser_tid=*/0);
  const Model m = MustLoad(tr.Encode());
  const ThreadModel& ta = m.threads[ThreadIndex(m, 1)];
  ASSERT_EQ(ta.lock_waits.size(), 1u);
  EXPECT_EQ(ta.lock_waits[0].holder_thread, ThreadIndex(m, 2));
  EXPECT_EQ(m.ScopeName(ThreadIndex(m, 2), ta.lock_waits[0].holder_scope), "hold_it");
}

TEST(ScopeStatsTest, PercentilesHistogramAndSlowestHaveKnownValues) {
  SyntheticTrace tr(1000, 1000 + 10 * kMs);
  const int a = tr.Thread(1, "a");
  std::vector<int64_t> d(1000);
  std::iota(d.begin(), d.end(), 1);  // durations 1..1000 ns
  std::shuffle(d.begin(), d.end(), std::mt19937_64(7));
  int64_t t = 2000;
  for (int64_t x : d) {
    tr.Scope(a, "op", t, t + x);
    t += x + 10;
  }
  const Model m = MustLoad(tr.Encode());
  ScopeStatsOptions o;
  o.slowest = 3;
  const std::vector<ScopeStats> st = ComputeScopeStats(m, o);
  ASSERT_EQ(st.size(), 1u);
  const ScopeStats& s = st[0];
  EXPECT_EQ(s.name, "op");
  EXPECT_EQ(s.count, 1000u);
  EXPECT_EQ(s.total_ns, 500500);
  EXPECT_EQ(s.mean_ns, 500);
  EXPECT_EQ(s.min_ns, 1);
  EXPECT_EQ(s.p50_ns, 500);
  EXPECT_EQ(s.p90_ns, 900);
  EXPECT_EQ(s.p99_ns, 990);
  EXPECT_EQ(s.p999_ns, 999);
  EXPECT_EQ(s.max_ns, 1000);
  // log2 buckets [1,2) .. [512,1024): counts 1, 2, 4, ..., 256, 489.
  ASSERT_EQ(s.histogram.size(), 10u);
  EXPECT_EQ(s.histogram[0].lo_ns, 1);
  EXPECT_EQ(s.histogram[0].count, 1u);
  EXPECT_EQ(s.histogram[9].lo_ns, 512);
  EXPECT_EQ(s.histogram[9].hi_ns, 1024);
  EXPECT_EQ(s.histogram[9].count, 489u);
  ASSERT_EQ(s.slowest.size(), 3u);
  EXPECT_EQ(s.slowest[0].duration_ns, 1000);
  EXPECT_EQ(s.slowest[1].duration_ns, 999);
  EXPECT_EQ(s.slowest[2].duration_ns, 998);
  // NthSlowest agrees with the slowest list.
  EXPECT_EQ(NthSlowest(m, "op", 2)->duration_ns, 999);
}

TEST(PauseStatsTest, CountsOwnPausesAndStopTheWorld) {
  SyntheticTrace tr(1000, 1000 + 10 * kMs);
  const int a = tr.Thread(1, "a");
  tr.Pause(a, "alloc", 1000 + 1 * kMs, 1000 + 2 * kMs);
  tr.Pause(a, "alloc", 1000 + 3 * kMs, 1000 + 6 * kMs);
  tr.Stw(a, "gc", 1000 + 7 * kMs, 1000 + 8 * kMs);
  const Model m = MustLoad(tr.Encode());
  const PauseStats p = ComputePauseStats(m);
  EXPECT_EQ(p.count, 2u);
  EXPECT_EQ(p.total_ns, 4 * kMs);
  EXPECT_EQ(p.max_ns, 3 * kMs);
  EXPECT_EQ(p.stw_count, 1u);
  EXPECT_EQ(p.stw_total_ns, 1 * kMs);
  ASSERT_EQ(p.by_name.size(), 2u);
  EXPECT_EQ(p.by_name[0].name, "alloc");
}

}  // namespace
}  // namespace tracelane::analysis
