// Losses before a thread's first chunk, which last-N, whole-buffer and crash
// captures cannot record in the event stream (docs/FORMAT.md 8.1): when the
// thread table says the thread's chunks were overwritten and its events start
// after its life start, the model makes that stretch a data gap (Unknown, data
// lost), and a scope whose begin fell in it is cut by lost data — not by the
// capture window, and never given the window start as its begin.
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/scope_stats.h"

namespace tracelane::analysis {
namespace {

using format::EventType;
using testing::MustLoad;
using testing::SyntheticTrace;

struct Case {
  std::string loss_counts = "lifetime";
  std::optional<int64_t> horizon = 4000;  // nullopt: no property (crash captures)
  uint64_t overwritten = 40;
};

// One thread, alive over the capture [1000, 100000]: a `req` whose begin is
// not in the file ends at 5000, a complete `req` runs [6000, 7000].
Model Load(const Case& s) {
  SyntheticTrace tr(1000, 100000);
  const int a = tr.Thread(7, "a");
  tr.At(a, 5000, EventType::kScopeEnd, "req");
  tr.Scope(a, "req", 6000, 7000);
  tr.snapshot().threads[a].overwritten = s.overwritten;
  tr.Property("loss_counts", s.loss_counts);
  if (s.horizon) tr.Property("overwrite_horizon_ns", std::to_string(*s.horizon));
  return MustLoad(tr.Encode());
}

ThreadState StateAt(const ThreadModel& t, int64_t ts) {
  ThreadState st = ThreadState::kUnknown;
  for (const StateSpan& span : t.states) {
    if (span.start_ns > ts) break;
    st = span.state;
  }
  return st;
}

TEST(LeadingLossTest, OverwrittenStartIsADataGapUpToTheHorizon) {
  const Model m = Load({});
  ASSERT_EQ(m.threads.size(), 1u);
  const ThreadModel& t = m.threads[0];
  ASSERT_EQ(t.gaps.size(), 1u);
  EXPECT_EQ(t.gaps[0].start_ns, 1000);
  EXPECT_EQ(t.gaps[0].end_ns, 4000);  // nothing was overwritten after the horizon
  EXPECT_FALSE(t.gaps[0].events_known);
  EXPECT_EQ(StateAt(t, 2000), ThreadState::kUnknown);
  ASSERT_EQ(t.scopes.size(), 2u);
  EXPECT_TRUE(t.IsCut(0));
  EXPECT_TRUE(t.IsCutByLoss(0));
  EXPECT_EQ(t.scopes[0].begin_ns, 4000);  // starts where the data does, a lower bound
  EXPECT_FALSE(t.IsCut(1));
  const std::vector<ScopeStats> st = ComputeScopeStats(m);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].count, 1u);
  EXPECT_EQ(st[0].cut, 1u);
  EXPECT_EQ(st[0].cut_by_loss, 1u);
  EXPECT_EQ(st[0].max_ns, 1000);
}

TEST(LeadingLossTest, WithoutAHorizonTheGapEndsAtTheFirstEvent) {
  Case s;
  s.horizon.reset();
  const Model m = Load(s);
  ASSERT_EQ(m.threads[0].gaps.size(), 1u);
  EXPECT_EQ(m.threads[0].gaps[0].start_ns, 1000);
  EXPECT_EQ(m.threads[0].gaps[0].end_ns, 5000);
  EXPECT_TRUE(m.threads[0].IsCutByLoss(0));
}

// Where nothing says data was lost there, the missing begin is the capture
// window's cut, as before.
TEST(LeadingLossTest, NoGapWithoutEvidenceOfALossThere) {
  Case window;
  window.loss_counts = "window";  // next-N captures record such losses themselves
  Case old;
  old.horizon = 500;  // everything overwritten predates the capture
  Case none;
  none.overwritten = 0;
  for (const Case& s : {window, old, none}) {
    const Model m = Load(s);
    const ThreadModel& t = m.threads[0];
    EXPECT_TRUE(t.gaps.empty());
    EXPECT_TRUE(t.IsCut(0));
    EXPECT_FALSE(t.IsCutByLoss(0));
    EXPECT_NE(StateAt(t, 2000), ThreadState::kUnknown);
  }
}

}  // namespace
}  // namespace tracelane::analysis
