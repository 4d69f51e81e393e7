// The loss-aware model: nothing invented is ranked, nothing is paired across a
// loss. Instances cut by the capture window or by lost data have no known
// duration; scope statistics, percentiles, the slowest lists and NthSlowest
// (explain --rank, the viewer's --select-scope) leave them out and count them.
// At a loss record (kDataLost) every open span is closed at the gap's start and
// marked cut, the gap is Unknown time, and ends after it start at its end.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/analysis/random_trace.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/explain.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/analysis/losses.h"
#include "viewer/analysis/pause_stats.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::analysis {
namespace {

using testing::MustLoad;
using testing::SyntheticTrace;

using format::EventType;

constexpr int64_t kUs = 1000, kMs = 1000000, kSec = 1000000000;

// A worker serving 1 ms handle_request calls every 5 ms in a capture of
// [1 s, 2 s], one real 20 ms request, and two requests cut by the window: one
// that began before the capture (its end at +300 ms makes it a 300 ms lower
// bound) and one still open at the capture end (a 150 ms lower bound).
std::string CutRequestsTrace() {
  SyntheticTrace tr(1 * kSec, 2 * kSec);
  const int w = tr.Thread(60, "worker");
  tr.At(w, 1 * kSec + 300 * kMs, format::EventType::kScopeEnd, "handle_request");
  for (int64_t t = 1 * kSec + 302 * kMs; t < 1 * kSec + 800 * kMs; t += 5 * kMs) {
    tr.Scope(w, "handle_request", t, t + 1 * kMs);
  }
  tr.Scope(w, "handle_request", 1 * kSec + 810 * kMs, 1 * kSec + 830 * kMs);
  tr.At(w, 1 * kSec + 850 * kMs, format::EventType::kScopeBegin, "handle_request");
  return tr.Encode();
}

TEST(CutInstancesTest, TheLongestRequestIsCutSoItIsNotRankedButCounted) {
  const Model m = MustLoad(CutRequestsTrace());
  const ThreadModel& t = m.threads[0];
  ASSERT_EQ(t.cut_scopes.size(), 2u);
  // The model still holds the cut instances (lower bounds), longer than any real one.
  int64_t longest = 0;
  for (const Scope& s : t.scopes) longest = std::max(longest, s.end_ns - s.begin_ns);
  EXPECT_EQ(longest, 300 * kMs);

  uint64_t count = 0, cut = 0;
  const std::optional<ScopeInstance> first = NthSlowest(m, "handle_request", 1, &count, &cut);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->duration_ns, 20 * kMs);
  EXPECT_FALSE(first->cut);
  EXPECT_EQ(cut, 2u);
  EXPECT_EQ(count, 100u + 1u);
  EXPECT_EQ(NthSlowest(m, "handle_request", 2)->duration_ns, 1 * kMs);
  EXPECT_FALSE(NthSlowest(m, "handle_request", 102).has_value());

  ScopeStatsOptions o;
  o.slowest = 3;
  const std::vector<ScopeStats> st = ComputeScopeStats(m, o);
  ASSERT_EQ(st.size(), 1u);
  const ScopeStats& s = st[0];
  EXPECT_EQ(s.count, 101u);
  EXPECT_EQ(s.cut, 2u);
  EXPECT_EQ(s.max_ns, 20 * kMs);
  EXPECT_EQ(s.p999_ns, 20 * kMs);
  EXPECT_EQ(s.p99_ns, 1 * kMs);
  EXPECT_EQ(s.min_ns, 1 * kMs);
  EXPECT_EQ(s.total_ns, 120 * kMs);
  uint64_t in_histogram = 0;
  for (const HistogramBucket& b : s.histogram) in_histogram += b.count;
  EXPECT_EQ(in_histogram, 101u);
  ASSERT_EQ(s.slowest.size(), 3u);
  EXPECT_EQ(s.slowest[0].duration_ns, 20 * kMs);
  for (const ScopeInstance& x : s.slowest) EXPECT_FALSE(x.cut);
}

TEST(CutInstancesTest, ALocationWithOnlyCutInstancesIsListedWithNoStatistics) {
  SyntheticTrace tr(1 * kSec, 2 * kSec);
  const int w = tr.Thread(60, "worker");
  tr.At(w, 1 * kSec + 500 * kMs, format::EventType::kScopeBegin, "never_ends");
  const Model m = MustLoad(tr.Encode());
  const std::vector<ScopeStats> st = ComputeScopeStats(m);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].count, 0u);
  EXPECT_EQ(st[0].cut, 1u);
  EXPECT_EQ(st[0].max_ns, 0);
  EXPECT_TRUE(st[0].histogram.empty());
  EXPECT_TRUE(st[0].slowest.empty());
  uint64_t count = 9, cut = 9;
  EXPECT_FALSE(NthSlowest(m, "never_ends", 1, &count, &cut).has_value());
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(cut, 1u);
}

// A worker inside "outer" > "inner", waiting for lock 5 and paused, loses its
// events from +130 ms (its last event) to +200 ms (the loss record): 500 events
// in 2 chunks. After the gap come the ends of inner, the pause and outer, then
// ordinary requests; a preemption recorded inside the gap must not count.
constexpr int64_t kT0 = 1 * kSec;
std::string LossMidScopeTrace() {
  SyntheticTrace tr(kT0, 2 * kSec);
  tr.Property("scheduler_source", "perf");
  const int w = tr.Thread(60, "worker");
  tr.At(w, kT0 + 100 * kMs, EventType::kScopeBegin, "outer");
  tr.At(w, kT0 + 110 * kMs, EventType::kScopeBegin, "inner");
  tr.RawArg(w, kT0 + 120 * kMs, EventType::kLockWait, 5, 0);
  tr.AtArg(w, kT0 + 125 * kMs, EventType::kPauseBegin, "alloc", 0);
  tr.At(w, kT0 + 130 * kMs, EventType::kInstant, "last_before_gap");
  tr.SchedOut(w, kT0 + 140 * kMs, /*preempted=*/true);  // inside the gap
  tr.RawArg(w, kT0 + 200 * kMs, EventType::kDataLost, 2, 500);
  tr.At(w, kT0 + 210 * kMs, EventType::kScopeEnd, "inner");
  tr.RawArg(w, kT0 + 215 * kMs, EventType::kLockAcquired, 5, 0);
  tr.At(w, kT0 + 220 * kMs, EventType::kPauseEnd, "alloc");
  tr.At(w, kT0 + 230 * kMs, EventType::kScopeEnd, "outer");
  for (int64_t t = kT0 + 300 * kMs; t < kT0 + 900 * kMs; t += 10 * kMs) {
    tr.Scope(w, "outer", t, t + 2 * kMs);
    tr.Scope(w, "inner", t + 500 * kUs, t + 1 * kMs);
  }
  return tr.Encode();
}

TEST(DataLossTest, NothingIsPairedAcrossAGapAndItIsUnknown) {
  const Model m = MustLoad(LossMidScopeTrace());
  const ThreadModel& t = m.threads[0];
  const int64_t a = kT0 + 130 * kMs, b = kT0 + 200 * kMs;
  ASSERT_EQ(t.gaps.size(), 1u);
  EXPECT_EQ(t.gaps[0].start_ns, a);
  EXPECT_EQ(t.gaps[0].end_ns, b);
  EXPECT_EQ(t.gaps[0].lost_events, 500u);
  EXPECT_EQ(t.gaps[0].lost_chunks, 2u);
  EXPECT_TRUE(t.gaps[0].events_known);
  EXPECT_EQ(t.GapAt(a + 1)->end_ns, b);
  EXPECT_EQ(t.GapAt(b), nullptr);
  // The gap is Unknown (the preemption inside it does not count), and states
  // still sum to the thread's wall time.
  EXPECT_EQ(t.states[t.StateIndexAt(a)].state, ThreadState::kUnknown);
  EXPECT_EQ(t.states[t.StateIndexAt(a)].start_ns, a);
  EXPECT_EQ(t.StateEnd(t.StateIndexAt(a)), b);
  const StateDurations d = StatesIn(t, t.life_start_ns, t.life_end_ns);
  EXPECT_EQ(Sum(d), t.wall_ns());
  EXPECT_EQ(Get(d, ThreadState::kRunnable), 0);
  EXPECT_EQ(Get(StatesIn(t, a, b), ThreadState::kUnknown), b - a);
  // No scope spans the gap: outer and inner close at its start, their ends
  // after it make two cut scopes starting at its end, nested.
  for (uint32_t i = 0; i < t.scopes.size(); ++i) {
    const Scope& s = t.scopes[i];
    EXPECT_FALSE(s.begin_ns < b && s.end_ns > a) << i;
    if (s.parent != kNone) {
      EXPECT_GE(s.begin_ns, t.scopes[s.parent].begin_ns);
      EXPECT_LE(s.end_ns, t.scopes[s.parent].end_ns);
    }
  }
  EXPECT_EQ(t.InnermostScopeAt(a + 1), kNone);
  ASSERT_EQ(t.cut_scopes.size(), 4u);
  EXPECT_EQ(t.lost_scopes, t.cut_scopes);
  const Scope& outer1 = t.scopes[0];
  EXPECT_EQ(m.LocationName(outer1.location), "outer");
  EXPECT_EQ(outer1.begin_ns, kT0 + 100 * kMs);
  EXPECT_EQ(outer1.end_ns, a);
  const Scope& outer2 = t.scopes[2];
  EXPECT_EQ(m.LocationName(outer2.location), "outer");
  EXPECT_EQ(outer2.begin_ns, b);
  EXPECT_EQ(outer2.end_ns, kT0 + 230 * kMs);
  const Scope& inner2 = t.scopes[3];
  EXPECT_EQ(m.LocationName(inner2.location), "inner");
  EXPECT_EQ(inner2.begin_ns, b);
  EXPECT_EQ(inner2.end_ns, kT0 + 210 * kMs);
  EXPECT_EQ(inner2.parent, 2u);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_TRUE(t.IsCutByLoss(i)) << i;
  EXPECT_FALSE(t.IsCut(4));
  // The wait and the pause close at the gap's start, cut; the pause's end after
  // the gap starts at its end; the acquisition after it is not a wait.
  ASSERT_EQ(t.lock_waits.size(), 1u);
  EXPECT_EQ(t.lock_waits[0].end_ns, a);
  EXPECT_EQ(t.lock_waits[0].outcome, WaitOutcome::kLost);
  EXPECT_EQ(m.ScopeName(0, t.lock_waits[0].scope), "inner");
  ASSERT_EQ(t.pauses.size(), 2u);
  EXPECT_EQ(t.pauses[0].end_ns, a);
  EXPECT_TRUE(t.pauses[0].cut);
  EXPECT_EQ(t.pauses[1].start_ns, b);
  EXPECT_TRUE(t.pauses[1].cut);
  EXPECT_EQ(m.locks.at(5).contended, 0u);
}

TEST(DataLossTest, StatisticsExcludeOrLabelWhatTheGapCut) {
  const Model m = MustLoad(LossMidScopeTrace());
  uint64_t count = 0, cut = 0, by_loss = 0;
  const std::optional<ScopeInstance> slowest = NthSlowest(m, "outer", 1, &count, &cut, &by_loss);
  ASSERT_TRUE(slowest.has_value());
  EXPECT_EQ(slowest->duration_ns, 2 * kMs);  // not the 30 ms or 130 ms pieces
  EXPECT_EQ(count, 60u);
  EXPECT_EQ(cut, 2u);
  EXPECT_EQ(by_loss, 2u);
  for (const ScopeStats& s : ComputeScopeStats(m)) {
    EXPECT_EQ(s.count, 60u) << s.name;
    EXPECT_EQ(s.cut, 2u) << s.name;
    EXPECT_EQ(s.cut_by_loss, 2u) << s.name;
    EXPECT_LE(s.max_ns, 2 * kMs) << s.name;
  }
  const std::vector<LockReport> locks = LockContention(m);
  ASSERT_EQ(locks.size(), 1u);
  EXPECT_EQ(locks[0].waits, 1u);
  EXPECT_EQ(locks[0].cut_waits, 1u);
  EXPECT_EQ(locks[0].max_wait_ns, 0);
  const PauseStats p = ComputePauseStats(m);
  EXPECT_EQ(p.count, 2u);
  EXPECT_EQ(p.cut, 2u);
  EXPECT_EQ(p.max_ns, 0);
  // Explaining an instance that overlaps the gap names it.
  const Cause c = CauseAt(m, 0, ThreadState::kUnknown, kT0 + 150 * kMs);
  EXPECT_EQ(c.kind, CauseKind::kDataLost);
  EXPECT_EQ(c.object_id, 500u);
  EXPECT_STREQ(CauseKindKey(c.kind), "data_lost");
  EXPECT_NE(DescribeCause(m, c).find("500 events"), std::string::npos);
  const Explanation ex =
      Explain(m, ScopeInstance{ScopeRef{0, 0}, kT0 + 100 * kMs, 200 * kMs, true});
  ASSERT_FALSE(ex.causes.empty());
  EXPECT_EQ(ex.causes.front().kind, CauseKind::kDataLost);
  EXPECT_EQ(ex.causes.front().duration_ns, 70 * kMs);
  const LossSummary l = SummarizeLosses(m);
  EXPECT_EQ(l.gaps, 1u);
  EXPECT_EQ(l.gap_ns, 70 * kMs);
  EXPECT_EQ(l.gap_events, 500u);
  EXPECT_EQ(l.cut_scopes, 4u);
  EXPECT_EQ(l.cut_scopes_by_loss, 4u);
  EXPECT_EQ(l.cut_lock_waits, 1u);
  EXPECT_EQ(l.cut_pauses, 2u);
}

// Random traces with loss records in the middle of nested scopes, lock waits,
// blocks, pauses and scheduler switches: no span crosses a gap, the gaps are
// Unknown (or Paused by another thread's stop-the-world), states sum to the
// wall time, scopes nest, and the statistics never rank a cut instance.
TEST(DataLossTest, RandomTracesNeverPairAcrossAGap) {
  uint64_t chained = 0;  // scopes cut by loss inside a chain or another scope
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    testing::RandomTraceOptions o;
    o.loss = 0.02;
    o.schedstat = seed % 4 == 0;
    const Model m = MustLoad(testing::RandomTrace(seed, o));
    uint64_t gaps = 0;
    for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
      const ThreadModel& t = m.threads[ti];
      gaps += t.gaps.size();
      EXPECT_EQ(Sum(StatesIn(t, t.life_start_ns, t.life_end_ns)), t.wall_ns()) << seed;
      const auto crosses = [&](int64_t s, int64_t e) {
        for (const DataGap& g : t.gaps) {
          if (s < g.end_ns && e > g.start_ns) return true;
        }
        return false;
      };
      for (const DataGap& g : t.gaps) {
        // (A gap of zero length, when the record came at the time of the last
        // event, has no time of its own.)
        for (size_t i = t.StateIndexAt(g.start_ns); g.end_ns > g.start_ns && i < t.states.size();
             ++i) {
          if (t.states[i].start_ns >= g.end_ns) break;
          if (t.StateEnd(i) <= g.start_ns) continue;
          EXPECT_TRUE(t.states[i].state == ThreadState::kUnknown ||
                      t.states[i].state == ThreadState::kPaused)
              << seed << " " << StateKey(t.states[i].state);
        }
      }
      for (uint32_t i = 0; i < t.scopes.size(); ++i) {
        const Scope& s = t.scopes[i];
        EXPECT_FALSE(crosses(s.begin_ns, s.end_ns)) << seed << " scope " << i;
        if (i > 0) {
          EXPECT_GE(s.begin_ns, t.scopes[i - 1].begin_ns) << seed;
        }
        if (s.parent != kNone) {
          EXPECT_LT(s.parent, i);
          EXPECT_GE(s.begin_ns, t.scopes[s.parent].begin_ns) << seed;
          EXPECT_LE(s.end_ns, t.scopes[s.parent].end_ns) << seed;
        }
        if (t.IsCutByLoss(i)) {
          EXPECT_TRUE(t.IsCut(i));
        }
      }
      // The depth index (built while reading, redone where a gap's chain of
      // cut scopes changed depths): each list by index, each depth right, all.
      size_t indexed = 0;
      for (size_t d = 0; d < t.scopes_by_depth.size(); ++d) {
        const PodVector<uint32_t>& at = t.scopes_by_depth[d];
        for (size_t k = 0; k < at.size(); ++k) {
          ASSERT_LT(at[k], t.scopes.size()) << seed;
          EXPECT_EQ(t.Depth(at[k]), static_cast<int>(d)) << seed << " scope " << at[k];
          if (k > 0) {
            EXPECT_LT(at[k - 1], at[k]) << seed;
          }
        }
        indexed += at.size();
      }
      EXPECT_EQ(indexed, t.scopes.size()) << seed;
      for (uint32_t i : t.lost_scopes) chained += t.scopes[i].parent != kNone ? 1 : 0;
      for (const LockWait& w : t.lock_waits) EXPECT_FALSE(crosses(w.start_ns, w.end_ns)) << seed;
      for (const CondWait& w : t.cond_waits) EXPECT_FALSE(crosses(w.start_ns, w.end_ns)) << seed;
      for (const Block& k : t.blocks) EXPECT_FALSE(crosses(k.start_ns, k.end_ns)) << seed;
      for (const Pause& p : t.pauses) EXPECT_FALSE(crosses(p.start_ns, p.end_ns)) << seed;
      for (const LockHold& h : t.lock_holds) {
        EXPECT_FALSE(crosses(h.acquired_ns, h.released_ns)) << seed;
      }
    }
    EXPECT_GT(gaps, 0u) << seed;
    for (const ScopeStats& s : ComputeScopeStats(m)) {
      for (const ScopeInstance& x : s.slowest) {
        EXPECT_FALSE(m.threads[x.ref.thread].IsCut(x.ref.index)) << seed;
      }
    }
  }
  EXPECT_GT(chained, 0u);  // the traces exercise nested chains after gaps
}

}  // namespace
}  // namespace tracelane::analysis
