// The loss-aware model: nothing invented is ranked. Instances cut by the capture
// window have no known duration; scope statistics, percentiles, the slowest
// lists and NthSlowest (explain --rank, the viewer's --select-scope) leave them
// out and count them.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/scope_stats.h"

namespace tracelane::analysis {
namespace {

using testing::MustLoad;
using testing::SyntheticTrace;

constexpr int64_t kMs = 1000000, kSec = 1000000000;

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

}  // namespace
}  // namespace tracelane::analysis
