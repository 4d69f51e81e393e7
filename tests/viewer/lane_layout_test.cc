// Level-of-detail layout of state strips, scope rows and generic span rows.
#include "viewer/gui/layout/lane_layout.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "tests/viewer/layout_test_util.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/states.h"
#include "viewer/gui/layout/state_index.h"
#include "viewer/gui/layout/time_axis.h"

namespace tracelane::gui {
namespace {

using analysis::StateDurations;
using analysis::ThreadModel;
using test_util::AddTopScope;
using test_util::CheckRow;
using test_util::Covered;
using test_util::StatesThread;
using S = analysis::ThreadState;

constexpr int64_t kUs = 1000;
constexpr int64_t kMs = 1000 * kUs;

uint32_t Key(S s) { return static_cast<uint32_t>(s); }

StateDurations Durations(std::initializer_list<std::pair<S, int64_t>> parts) {
  StateDurations d{};
  for (const auto& [s, ns] : parts) d[static_cast<int>(s)] = ns;
  return d;
}

// ---- state strip ----

TEST(DominantStateTest, HighestPrecedenceWithAnEighthElseMostTime) {
  EXPECT_EQ(DominantState(Durations({{S::kRunning, 100}, {S::kLockWait, 15}})), S::kLockWait);
  EXPECT_EQ(DominantState(Durations({{S::kRunning, 100}, {S::kLockWait, 14}})), S::kRunning);
  EXPECT_EQ(DominantState(Durations({{S::kRunning, 60}, {S::kLockWait, 20}, {S::kPaused, 20}})),
            S::kPaused);
  EXPECT_EQ(DominantState(Durations({{S::kRunnable, 50}, {S::kCondvarWait, 50}})), S::kCondvarWait);
  // Nothing reaches 1/8 (nine states, 1/9 each, one a bit more): most time wins.
  StateDurations flat{};
  for (int s = 0; s < analysis::kNumStates; ++s) flat[s] = 100;
  flat[static_cast<int>(S::kSleep)] = 110;
  flat[static_cast<int>(S::kPaused)] = 90;
  EXPECT_EQ(DominantState(flat), S::kSleep);
  EXPECT_EQ(DominantState(StateDurations{}), S::kRunning);
}

// Alternating Running/Runnable spans of `len` ns.
std::vector<std::pair<int64_t, S>> Alternating(size_t n, int64_t len) {
  std::vector<std::pair<int64_t, S>> spans;
  for (size_t i = 0; i < n; ++i) spans.emplace_back(len, i % 2 == 0 ? S::kRunning : S::kRunnable);
  return spans;
}

// Items of a state strip cover consecutive spans with no hole.
void ExpectContiguous(const std::vector<RowItem>& row) {
  for (size_t i = 1; i < row.size(); ++i) {
    ASSERT_EQ(row[i].first, row[i - 1].first + row[i - 1].count) << "item " << i;
  }
}

TEST(LayoutStatesTest, ZoomedInEachSpanIsItsOwnItem) {
  const ThreadModel t = StatesThread(Alternating(100, kUs));
  const StateIndex index(t);
  // Spans 20..29, 100 px each.
  const TimeAxis axis = FitRange(t.states[20].start_ns, t.states[30].start_ns, 10, 1000);
  std::vector<RowItem> row;
  LayoutStats stats;
  LayoutStates(t, index, axis, {}, &row, &stats);
  ASSERT_EQ(row.size(), 10u);
  EXPECT_EQ(CheckRow(row, axis, t.states.size()), "");
  for (size_t k = 0; k < row.size(); ++k) {
    EXPECT_EQ(row[k].first, 20 + k);
    EXPECT_EQ(row[k].count, 1u);
    EXPECT_EQ(row[k].flags, 0);
    EXPECT_EQ(row[k].key, Key(t.states[20 + k].state));
    EXPECT_NEAR(row[k].x0, 10 + 100.0 * k, 1e-3);
    EXPECT_NEAR(row[k].x1, 110 + 100.0 * k, 1e-3);
  }
  EXPECT_LE(stats.visited, 12u);
}

TEST(LayoutStatesTest, PartlyVisibleSpansAreClipped) {
  const ThreadModel t = StatesThread(Alternating(100, kUs));
  const StateIndex index(t);
  const TimeAxis axis = FitRange(t.states[20].start_ns + 500, t.states[25].start_ns + 500, 0, 1000);
  std::vector<RowItem> row;
  LayoutStates(t, index, axis, {}, &row);
  ASSERT_EQ(row.size(), 6u);  // spans 20 .. 25, the outer two halved
  EXPECT_EQ(row.front().first, 20u);
  EXPECT_FLOAT_EQ(row.front().x0, 0);
  EXPECT_NEAR(row.front().x1, 100, 1e-3);
  EXPECT_EQ(row.back().first, 25u);
  EXPECT_FLOAT_EQ(row.back().x1, 1000);
  // Before and after the thread's life: nothing.
  row.clear();
  LayoutStates(t, index, FitRange(0, 900, 0, 1000), {}, &row);
  LayoutStates(t, index, FitRange(t.life_end_ns, t.life_end_ns + kMs, 0, 1000), {}, &row);
  EXPECT_TRUE(row.empty());
}

// 10,000 spans of 100 ns with a state planted in the middle, all over 1000 px
// (about 1 us per pixel, so every span is far narrower than merge_px).
ThreadModel Planted(S state, int64_t len) {
  std::vector<std::pair<int64_t, S>> spans = Alternating(10'000, 100);
  spans.insert(spans.begin() + 5000, {len, state});
  return StatesThread(spans);
}

std::vector<RowItem> WholeStrip(const ThreadModel& t, float width = 1000) {
  const StateIndex index(t);
  std::vector<RowItem> row;
  LayoutStates(t, index, FitRange(t.life_start_ns, t.life_end_ns, 0, width), {}, &row);
  return row;
}

TEST(LayoutStatesTest, PlantedLockWaitStaysVisibleWhenMerged) {
  const ThreadModel t = Planted(S::kLockWait, 1 * kUs);
  const std::vector<RowItem> row = WholeStrip(t);
  EXPECT_EQ(CheckRow(row, FitRange(t.life_start_ns, t.life_end_ns, 0, 1000), t.states.size()), "");
  ExpectContiguous(row);
  EXPECT_EQ(Covered(row), t.states.size());
  EXPECT_LT(row.size(), 400u);  // merged: about width / merge_px blocks at most
  int lock_items = 0;
  for (const RowItem& r : row) {
    if (r.key != Key(S::kLockWait)) continue;
    ++lock_items;
    EXPECT_TRUE(r.merged());
    EXPECT_LE(r.first, 5000u);
    EXPECT_GT(r.first + r.count, 5000u);  // covers the planted span
    EXPECT_GE(r.x1 - r.x0, 2.5f);         // a visible block, not a sliver
  }
  EXPECT_EQ(lock_items, 1);
}

TEST(LayoutStatesTest, ShortWaitsBelowAnEighthOfTheBlockAreNotPromoted) {
  // 100 ns of lock wait in a block of about 3 us: Running or Runnable wins.
  const std::vector<RowItem> row = WholeStrip(Planted(S::kLockWait, 100));
  for (const RowItem& r : row) EXPECT_NE(r.key, Key(S::kLockWait));
}

TEST(LayoutStatesTest, PauseOutranksLockWaitInOneBlock) {
  std::vector<std::pair<int64_t, S>> spans = Alternating(10'000, 100);
  spans.insert(spans.begin() + 5000, {1 * kUs, S::kLockWait});
  spans.insert(spans.begin() + 5001, {1 * kUs, S::kPaused});
  const ThreadModel t = StatesThread(spans);
  const std::vector<RowItem> row = WholeStrip(t);
  bool paused = false;
  for (const RowItem& r : row) {
    if (r.first <= 5001 && r.first + r.count > 5001) {
      EXPECT_EQ(r.key, Key(S::kPaused));
      paused = true;
    }
  }
  EXPECT_TRUE(paused);
}

TEST(LayoutStatesTest, SameKeyBlocksJoinAndWideSpansStayApart) {
  // Narrow spans, a wide Sleep span, narrow spans: blocks, the sleep, blocks.
  std::vector<std::pair<int64_t, S>> spans = Alternating(2000, 100);
  spans.insert(spans.begin() + 1000, {200 * kUs, S::kSleep});
  const ThreadModel t = StatesThread(spans);
  const std::vector<RowItem> row = WholeStrip(t);
  ExpectContiguous(row);
  EXPECT_EQ(Covered(row), t.states.size());
  // Every narrow block is half Running, half Runnable: keyed Runnable (higher
  // precedence, more than 1/8), so they join into one item on each side.
  ASSERT_EQ(row.size(), 3u);
  EXPECT_TRUE(row[0].merged());
  EXPECT_EQ(row[0].key, Key(S::kRunnable));
  EXPECT_EQ(row[1].first, 1000u);
  EXPECT_EQ(row[1].count, 1u);
  EXPECT_EQ(row[1].key, Key(S::kSleep));
  EXPECT_TRUE(row[2].merged());
}

TEST(LayoutStatesTest, ZoomedOutCostIsIndependentOfSpanCount) {
  // 1M spans of 1..200 ns (100 ms, 100 us per px), with a 100 us lock wait (1 px)
  // every 100k spans.
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> len(1, 200);
  std::vector<std::pair<int64_t, S>> spans;
  spans.reserve(1'000'000);
  for (size_t i = 0; i < 1'000'000; ++i) {
    if (i % 100'000 == 50'000) {
      spans.emplace_back(100 * kUs, S::kLockWait);
    } else {
      spans.emplace_back(len(rng), i % 2 == 0 ? S::kRunning : S::kIoWait);
    }
  }
  const ThreadModel t = StatesThread(spans);
  const StateIndex index(t);
  const TimeAxis axis = FitRange(t.life_start_ns, t.life_end_ns, 0, 1000);
  std::vector<RowItem> row;
  LayoutStats stats;
  LayoutStates(t, index, axis, {}, &row, &stats);
  EXPECT_EQ(CheckRow(row, axis, t.states.size()), "");
  ExpectContiguous(row);
  EXPECT_EQ(Covered(row), t.states.size());
  EXPECT_LT(stats.visited, 5000u);
  EXPECT_LT(stats.probes, 1000u * 50);
  int lock_items = 0;
  for (const RowItem& r : row) lock_items += r.key == Key(S::kLockWait);
  EXPECT_EQ(lock_items, 10);
  // Zoomed into 2000 spans in the middle: still cheap, and it only reads what it shows.
  const TimeAxis mid = FitRange(t.states[400'000].start_ns, t.states[402'000].start_ns, 0, 1000);
  row.clear();
  stats = {};
  LayoutStates(t, index, mid, {}, &row, &stats);
  ExpectContiguous(row);
  EXPECT_EQ(row.front().first, 400'000u);
  EXPECT_GE(row.back().first + row.back().count, 402'000u);
  EXPECT_LT(stats.visited, 5000u);
}

// ---- scope rows ----

TEST(LayoutScopesTest, ZoomedInEachScopeIsItsOwnItem) {
  ThreadModel t;
  for (int k = 0; k < 100; ++k) AddTopScope(&t, k * kUs, k * kUs + 500, k % 7);
  const TimeAxis axis = FitRange(10 * kUs, 20 * kUs, 0, 1000);  // 1 us = 100 px
  std::vector<RowItem> row;
  LayoutScopes(t, 0, axis, {}, &row);
  EXPECT_EQ(CheckRow(row, axis, 100), "");
  ASSERT_EQ(row.size(), 10u);
  for (size_t k = 0; k < row.size(); ++k) {
    EXPECT_EQ(row[k].first, 10 + k);
    EXPECT_EQ(row[k].count, 1u);
    EXPECT_EQ(row[k].key, (10 + k) % 7);
    EXPECT_NEAR(row[k].x0, 100.0 * k, 1e-3);
    EXPECT_NEAR(row[k].x1, 100.0 * k + 50, 1e-3);
  }
  // Depths without scopes add nothing.
  LayoutScopes(t, 1, axis, {}, &row);
  EXPECT_EQ(row.size(), 10u);
}

TEST(LayoutScopesTest, ClustersOfTinyScopesMergeIntoBlocks) {
  ThreadModel t;
  for (int c = 0; c < 3; ++c) {
    for (int k = 0; k < 100; ++k) {
      const int64_t b = c * kMs + k * 20;
      AddTopScope(&t, b, b + 10, static_cast<uint32_t>(c * 1000 + k));
    }
  }
  AddTopScope(&t, 2500 * kUs, 2900 * kUs, 7);  // 133 px: alone
  const TimeAxis axis = FitRange(0, 3 * kMs, 0, 1000);
  std::vector<RowItem> row;
  LayoutScopes(t, 0, axis, {}, &row);
  EXPECT_EQ(CheckRow(row, axis, t.scopes.size()), "");
  ASSERT_EQ(row.size(), 4u);
  for (int c = 0; c < 3; ++c) {
    EXPECT_TRUE(row[c].merged());
    EXPECT_EQ(row[c].first, c * 100u);
    EXPECT_EQ(row[c].count, 100u);
    EXPECT_EQ(row[c].key, c * 1000u);  // the first scope's location
  }
  EXPECT_EQ(row[3].count, 1u);
  EXPECT_EQ(row[3].key, 7u);
  EXPECT_EQ(Covered(row), t.scopes.size());
}

TEST(LayoutScopesTest, GapsOfMergePxSeparateBlocks) {
  // 1 ns per px: tiny scopes 2 px apart merge, 4 px apart do not.
  ThreadModel t;
  AddTopScope(&t, 100, 101, 1);
  AddTopScope(&t, 103, 104, 2);  // gap 2 px: merges
  AddTopScope(&t, 108, 109, 3);  // gap 4 px: a new item
  const TimeAxis axis = FitRange(0, 1000, 0, 1000);
  std::vector<RowItem> row;
  LayoutScopes(t, 0, axis, {}, &row);
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[0].count, 2u);
  EXPECT_FLOAT_EQ(row[0].x0, 100);
  EXPECT_FLOAT_EQ(row[0].x1, 104);
  EXPECT_EQ(row[1].first, 2u);
  EXPECT_EQ(row[1].count, 1u);
  row.clear();
  LayoutScopes(t, 0, axis, LodOptions{5}, &row);  // wider threshold: one block
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0].count, 3u);
}

// The merge rule, checked item by item against the scopes on random rows at
// random zooms: counts add up to the visible scopes, merged scopes are narrow and
// close, and whatever separates two items is a gap, a wide scope or the edge.
TEST(LayoutScopesTest, MergeRuleHoldsOnRandomRows) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 40; ++round) {
    ThreadModel t;
    int64_t at = 0;
    std::uniform_real_distribution<double> log_len(0, 7);  // 1 ns .. 10 ms
    for (int k = 0; k < 3000; ++k) {
      at += static_cast<int64_t>(std::pow(10, log_len(rng) - 1));
      const int64_t end = at + static_cast<int64_t>(std::pow(10, log_len(rng) - 1));
      AddTopScope(&t, at, end, static_cast<uint32_t>(k));
      at = end;
    }
    const int64_t from = static_cast<int64_t>(rng() % static_cast<uint64_t>(at));
    const int64_t len = 1 + static_cast<int64_t>(std::pow(10, 1 + log_len(rng) * 1.3));
    const TimeAxis axis = FitRange(from, from + len, 20, 900);
    const LodOptions lod{static_cast<float>(1 + rng() % 5)};
    std::vector<RowItem> row;
    LayoutScopes(t, 0, axis, lod, &row);
    SCOPED_TRACE(::testing::Message() << "round " << round);
    ASSERT_EQ(CheckRow(row, axis, t.scopes.size()), "");
    const double view_end = axis.width * axis.ns_per_px;
    uint64_t visible = 0;
    for (const analysis::Scope& s : t.scopes) {
      visible += axis.Since(s.end_ns) >= 0 && axis.Since(s.begin_ns) < view_end;
    }
    EXPECT_EQ(Covered(row), visible);
    const double merge_ns = lod.merge_px * axis.ns_per_px;
    auto wide = [&](size_t k) {
      return axis.Px(t.scopes[k].end_ns - t.scopes[k].begin_ns) >= lod.merge_px;
    };
    for (size_t i = 0; i < row.size(); ++i) {
      const RowItem& r = row[i];
      EXPECT_EQ(r.key, t.scopes[r.first].location);
      if (r.count == 1 && wide(r.first)) continue;
      for (size_t k = r.first; k < r.first + r.count; ++k) {
        EXPECT_FALSE(wide(k)) << k;
        if (k > r.first) {
          EXPECT_LT(axis.Since(t.scopes[k].begin_ns),
                    axis.Since(t.scopes[k - 1].end_ns) + merge_ns);
        }
      }
      // What follows a narrow item or block is separated from it by merge_px, or
      // wide, or after the view (or the block reached the edge).
      const size_t next = r.first + r.count;
      if (next < t.scopes.size() && axis.Since(t.scopes[next - 1].end_ns) < view_end) {
        const double begin = axis.Since(t.scopes[next].begin_ns);
        const bool gap = begin >= axis.Since(t.scopes[next - 1].end_ns) + merge_ns;
        EXPECT_TRUE(gap || wide(next) || begin >= view_end) << "item " << i;
      }
    }
  }
}

TEST(LayoutScopesTest, SkipAheadKeepsAMillionScopesCheap) {
  // 1M scopes of 10 ns every 100 ns in 10 groups 5 ms apart: 150 ms over 1000 px.
  ThreadModel t;
  t.scopes.reserve(1'000'000);
  for (int g = 0; g < 10; ++g) {
    const int64_t base = g * 15 * kMs;
    for (int k = 0; k < 100'000; ++k) AddTopScope(&t, base + k * 100, base + k * 100 + 10, g);
  }
  const TimeAxis axis = FitRange(0, 150 * kMs, 0, 1000);
  std::vector<RowItem> row;
  LayoutStats stats;
  LayoutScopes(t, 0, axis, {}, &row, &stats);
  EXPECT_EQ(CheckRow(row, axis, t.scopes.size()), "");
  ASSERT_EQ(row.size(), 10u);
  for (int g = 0; g < 10; ++g) {
    EXPECT_EQ(row[g].first, g * 100'000u);
    EXPECT_EQ(row[g].count, 100'000u);
    EXPECT_EQ(row[g].key, static_cast<uint32_t>(g));
    EXPECT_NEAR(row[g].x1 - row[g].x0, 66.7, 0.5);  // 10 ms
  }
  EXPECT_LT(stats.visited, 5000u);
  EXPECT_LT(stats.probes, 20'000u);
}

TEST(LayoutScopesTest, ScopesCutByTheCaptureWindowAreFlagged) {
  tracelane::testing::SyntheticTrace tr(10 * kMs, 50 * kMs);
  const int a = tr.Thread(10, "a");
  tr.At(a, 30 * kMs, format::EventType::kScopeEnd, "outer");  // begun before the capture
  tr.Scope(a, "child", 20 * kMs, 25 * kMs);                   // inside outer: depth 1
  tr.Scope(a, "done", 32 * kMs, 35 * kMs);
  tr.At(a, 40 * kMs, format::EventType::kScopeBegin, "open");  // still open at the end
  const analysis::Model m = tracelane::testing::MustLoad(tr.Encode());
  ASSERT_EQ(m.threads.size(), 1u);
  const ThreadModel& t = m.threads[0];
  ASSERT_EQ(t.scopes_by_depth.size(), 2u);
  const TimeAxis axis = FitRange(10 * kMs, 50 * kMs, 0, 1000);
  std::vector<RowItem> row;
  LayoutScopes(t, 0, axis, {}, &row);
  ASSERT_EQ(row.size(), 3u);
  EXPECT_EQ(m.LocationName(row[0].key), "outer");
  EXPECT_EQ(row[0].flags, kCutBegin);
  EXPECT_FLOAT_EQ(row[0].x0, 0);
  EXPECT_FLOAT_EQ(row[0].x1, 500);
  EXPECT_EQ(m.LocationName(row[1].key), "done");
  EXPECT_EQ(row[1].flags, 0);
  EXPECT_EQ(m.LocationName(row[2].key), "open");
  EXPECT_EQ(row[2].flags, kCutEnd);
  EXPECT_FLOAT_EQ(row[2].x1, 1000);
  row.clear();
  LayoutScopes(t, 1, axis, {}, &row);
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(m.LocationName(row[0].key), "child");
  EXPECT_EQ(row[0].flags, 0);
}

// "outer" runs from 20 ms; the thread's events are lost from 30 ms (its last
// event) to 40 ms (the loss record); outer's end arrives at 45 ms. The model
// cuts outer at the gap's start and starts a chain scope at its end: the first
// part's end and the second part's begin were lost, not cut by the window.
TEST(LayoutScopesTest, ScopesCutByLostDataAreFlaggedOnTheLostSide) {
  tracelane::testing::SyntheticTrace tr(10 * kMs, 50 * kMs);
  const int a = tr.Thread(10, "a");
  tr.At(a, 20 * kMs, format::EventType::kScopeBegin, "outer");
  tr.At(a, 30 * kMs, format::EventType::kInstant, "last_before_gap");
  tr.RawArg(a, 40 * kMs, format::EventType::kDataLost, 1, 64);
  tr.At(a, 45 * kMs, format::EventType::kScopeEnd, "outer");
  tr.At(a, 48 * kMs, format::EventType::kScopeBegin, "open");  // cut by the window
  const analysis::Model m = tracelane::testing::MustLoad(tr.Encode());
  const ThreadModel& t = m.threads[0];
  ASSERT_EQ(t.gaps.size(), 1u);
  const TimeAxis axis = FitRange(10 * kMs, 50 * kMs, 0, 1000);
  std::vector<RowItem> row;
  LayoutScopes(t, 0, axis, {}, &row);
  ASSERT_EQ(row.size(), 3u);
  EXPECT_EQ(m.LocationName(row[0].key), "outer");
  EXPECT_EQ(row[0].flags, kLostEnd);
  EXPECT_FLOAT_EQ(row[0].x1, 500);  // cut at the gap's start (30 ms)
  EXPECT_EQ(m.LocationName(row[1].key), "outer");
  EXPECT_EQ(row[1].flags, kLostBegin);
  EXPECT_FLOAT_EQ(row[1].x0, 750);  // begins at the gap's end (40 ms)
  EXPECT_EQ(m.LocationName(row[2].key), "open");
  EXPECT_EQ(row[2].flags, kCutEnd);
  // The same from the scope index, and nothing for a complete scope.
  for (uint32_t i = 0; i < t.scopes.size(); ++i) {
    EXPECT_EQ(ScopeCutFlags(t, i) != 0, t.IsCut(i)) << i;
    EXPECT_EQ((ScopeCutFlags(t, i) & (kLostBegin | kLostEnd)) != 0, t.IsCutByLoss(i)) << i;
  }
}

// ---- generic spans ----

struct Span {
  int64_t start, end;
  uint32_t id;
};

void Spans(const std::vector<Span>& v, const TimeAxis& axis, std::vector<RowItem>* row,
           LayoutStats* stats = nullptr) {
  LayoutSpans(
      v, [](const Span& s) { return s.start; }, [](const Span& s) { return s.end; },
      [](const Span& s) { return s.id; }, axis, {}, row, stats);
}

TEST(LayoutSpansTest, SinglesBlocksAndSpansStartedBeforeTheView) {
  std::vector<Span> v;
  v.push_back({0, 10 * kMs, 1});  // long: starts before the view below
  for (int k = 0; k < 20; ++k)
    v.push_back({kMs + k * 100, kMs + k * 100 + 120, 100u + k});  // overlap
  v.push_back({6 * kMs, 7 * kMs, 2});
  const TimeAxis all = FitRange(0, 10 * kMs, 0, 1000);  // 10 us per px
  std::vector<RowItem> row;
  Spans(v, all, &row);
  ASSERT_EQ(row.size(), 3u);
  EXPECT_EQ(row[0].key, 1u);
  EXPECT_EQ(row[1].first, 1u);
  EXPECT_EQ(row[1].count, 20u);
  EXPECT_EQ(row[1].key, 100u);
  EXPECT_TRUE(row[1].merged());
  EXPECT_EQ(row[2].key, 2u);
  // A view inside the long span: found by the look-back.
  row.clear();
  Spans(v, FitRange(5 * kMs, 6500 * kUs, 0, 1000), &row);
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[0].key, 1u);
  EXPECT_FLOAT_EQ(row[0].x0, 0);
  EXPECT_FLOAT_EQ(row[0].x1, 1000);
  EXPECT_EQ(row[1].key, 2u);
  EXPECT_NEAR(row[1].x0, 666.7, 0.1);
  // Zoomed into the small ones: each alone.
  row.clear();
  Spans(v, FitRange(kMs, kMs + 2000, 0, 1000), &row);
  ASSERT_EQ(row.size(), 21u);  // the long span and 20 small ones
  EXPECT_EQ(row[1].key, 100u);
  EXPECT_EQ(row[20].key, 119u);
  // Empty input.
  row.clear();
  Spans({}, all, &row);
  EXPECT_TRUE(row.empty());
}

}  // namespace
}  // namespace tracelane::gui
