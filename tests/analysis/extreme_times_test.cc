// Sums over spans near the format's time limit (docs/FORMAT.md 6.6: times in
// [0, 2^62)). One span fits in int64, and so does a difference of two times, but
// a sum of four such spans does not: every analysis that adds durations (scope
// totals and means, state totals over threads, lock wait totals, pauses, `why`,
// range statistics, MMU, exports) must saturate instead of overflowing. Under
// the ASan+UBSan build (label asan) an overflow aborts the test; in every build
// the totals must be non-negative and at least the largest single span.
#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/chrome_export.h"
#include "viewer/analysis/explain.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/analysis/losses.h"
#include "viewer/analysis/mmu.h"
#include "viewer/analysis/pause_stats.h"
#include "viewer/analysis/pprof_export.h"
#include "viewer/analysis/range_stats.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/analysis/why.h"

namespace tracelane::analysis {
namespace {

constexpr int64_t kEnd = (int64_t{1} << 62) - 64;  // the last times a file may hold

// Eight threads, each with the same scope nested four deep over nearly all of
// [1, kEnd], waiting for a lock another thread holds as long, paused and blocked
// as long; one stop-the-world as long.
Model ExtremeModel() {
  testing::SyntheticTrace tr(1, kEnd);
  constexpr int kThreads = 8;
  for (int i = 0; i < kThreads; ++i) tr.Thread(100 + i, "w");
  for (int i = 0; i < kThreads; ++i) {
    for (int d = 0; d < 4; ++d) tr.At(i, 2 + d, format::EventType::kScopeBegin, "deep");
    if (i == 0) {
      tr.Hold(0, 7, 10, kEnd - 10, /*waiters=*/true);
    } else {
      tr.WaitHold(i, 7, 11, kEnd - 9, kEnd - 8, /*releaser_tid=*/100);
    }
    tr.Pause(i, "gc", 12, kEnd - 12);
    tr.Block(i, "read", format::BlockKind::kIo, 13, kEnd - 13);
    for (int d = 3; d >= 0; --d) tr.At(i, kEnd - 5 + d, format::EventType::kScopeEnd, "deep");
  }
  tr.Stw(0, "compaction", 14, kEnd - 14);
  return testing::MustLoad(tr.Encode());
}

TEST(ExtremeTimes, EveryAnalysisSaturatesSumsOfSpansNearTheTimeLimit) {
  const Model m = ExtremeModel();
  ASSERT_EQ(m.threads.size(), 8u);
  const int64_t longest = kEnd - 100;  // shorter than every span above
  const auto sane = [&](int64_t total, const char* what) { EXPECT_GE(total, longest) << what; };

  for (const ThreadStatesRow& r : ThreadStates(m)) EXPECT_GE(r.wall_ns, longest);
  StateDurations totals = TotalStates(m);
  int64_t any = 0;
  for (int s = 0; s < kNumStates; ++s) {
    EXPECT_GE(totals[s], 0) << s;
    any = std::max(any, totals[s]);
  }
  sane(any, "total states");
  for (const ThreadStatesRow& r : ThreadStatesIn(m, 0, kEnd)) EXPECT_GE(r.wall_ns, 0);

  for (int per_octave : {1, 16}) {
    ScopeStatsOptions o;
    o.buckets_per_octave = per_octave;
    const std::vector<ScopeStats> stats = ComputeScopeStats(m, o);
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].count, 32u);
    sane(stats[0].total_ns, "scope total");
    sane(stats[0].mean_ns, "scope mean");
    sane(stats[0].max_ns, "scope max");
    const std::vector<ScopeStats> in = ComputeScopeStatsIn(m, 0, kEnd, {}, o);
    ASSERT_EQ(in.size(), 1u);
    sane(in[0].total_ns, "scope total in range");
    sane(in[0].mean_ns, "scope mean in range");
  }

  for (const std::vector<LockReport>& locks :
       {LockContention(m), LockContentionIn(m, 0, kEnd, {})}) {
    ASSERT_EQ(locks.size(), 1u);
    sane(locks[0].total_wait_ns, "lock wait total");
    for (const CallSite& c : locks[0].holding_sites) EXPECT_GE(c.wait_ns, 0);
    for (const CallSite& c : locks[0].holder_threads) EXPECT_GE(c.wait_ns, 0);
    for (const CallSite& c : locks[0].waiting_sites) EXPECT_GE(c.wait_ns, 0);
  }

  const PauseStats pauses = ComputePauseStats(m);
  sane(pauses.total_ns, "pause total");
  sane(pauses.stw_total_ns, "stop-the-world total");
  for (const PauseGroup& g : pauses.by_name) sane(g.total_ns, "pause group total");

  const MmuCalculator mmu(SystemUtilization(m));
  for (const MmuPoint& p : mmu.Curve({1000, int64_t{1} << 40, kEnd / 2})) {
    EXPECT_GE(p.mmu, 0.0);
    EXPECT_LE(p.mmu, 1.0);
  }

  const RangeStats range = ComputeRangeStats(m, 0, kEnd);
  for (int s = 0; s < kNumStates; ++s) EXPECT_GE(range.states[s], 0) << s;
  for (const RangeScope& r : range.scopes) sane(r.inside_ns, "range scope time");
  for (const RangeLock& r : range.locks) sane(r.inside_ns, "range lock time");

  WhyOptions wo;
  wo.scope = "deep";
  for (int64_t above : {int64_t{-1}, int64_t{0}}) {
    wo.above_ns = above;
    const WhyReport why = Why(m, wo);
    // p99: the 8 outermost instances (the longest); a threshold of 0: all 32.
    EXPECT_EQ(why.above, above < 0 ? 8u : 32u);
    sane(why.total_ns, "why total");
    for (const WhyCause& c : why.causes) EXPECT_GE(c.duration_ns, 0);
    for (int s = 0; s < kNumStates; ++s) EXPECT_GE(why.states[s], 0) << s;
  }

  std::ostringstream chrome;
  EXPECT_TRUE(WriteChromeTrace(m, chrome).ok());
  for (PprofKind k : {PprofKind::kSync, PprofKind::kSched, PprofKind::kPause}) {
    EXPECT_GE(PprofTotal(m, k), 0);
    EXPECT_FALSE(BuildPprofProfile(m, k).empty());
  }
  (void)SummarizeLosses(m);
}

}  // namespace
}  // namespace tracelane::analysis
