// Lane order, vertical boxes and the lanes a scrolled view shows.
#include "viewer/gui/layout/lane_geometry.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::gui {
namespace {

using format::BlockKind;
using tracelane::testing::MustLoad;
using tracelane::testing::SyntheticTrace;
using tracelane::testing::ThreadIndex;

constexpr int64_t kMs = 1000000;

// Threads (trace order) "b" [30], "a" [10], "c" [20], "a" [5]: "a" [10] sleeps
// 6 ms, "c" 2 ms; "b" has three scope depths, "c" one.
analysis::Model FourThreads() {
  SyntheticTrace tr(10 * kMs, 20 * kMs);
  const int b = tr.Thread(30, "b");
  const int a = tr.Thread(10, "a");
  const int c = tr.Thread(20, "c");
  tr.Thread(5, "a");
  tr.Scope(b, "outer", 11 * kMs, 19 * kMs);
  tr.Scope(b, "mid", 12 * kMs, 18 * kMs);
  tr.Scope(b, "inner", 13 * kMs, 17 * kMs);
  tr.Block(a, "nap", BlockKind::kSleep, 12 * kMs, 18 * kMs);
  tr.Block(c, "read", BlockKind::kIo, 12 * kMs, 14 * kMs);
  tr.Scope(c, "work", 15 * kMs, 16 * kMs);
  return MustLoad(tr.Encode());
}

std::vector<int64_t> Tids(const analysis::Model& m, const std::vector<uint32_t>& order) {
  std::vector<int64_t> tids;
  for (uint32_t i : order) tids.push_back(m.threads[i].tid);
  return tids;
}

TEST(LaneGeometryTest, SortLanes) {
  const analysis::Model m = FourThreads();
  ASSERT_EQ(m.threads.size(), 4u);
  const std::vector<analysis::ThreadStatesRow> rows = analysis::ThreadStates(m);
  const std::vector<int64_t> trace = Tids(m, SortLanes(m, LaneSort::kTraceOrder, rows));
  std::vector<int64_t> expected_trace;
  for (const analysis::ThreadModel& t : m.threads) expected_trace.push_back(t.tid);
  EXPECT_EQ(trace, expected_trace);
  EXPECT_EQ(Tids(m, SortLanes(m, LaneSort::kName, rows)), (std::vector<int64_t>{5, 10, 30, 20}));
  EXPECT_EQ(Tids(m, SortLanes(m, LaneSort::kTid, rows)), (std::vector<int64_t>{5, 10, 20, 30}));
  // Most non-running first; the two without waits keep trace order.
  const std::vector<int64_t> by_wait = Tids(m, SortLanes(m, LaneSort::kNotRunning, rows));
  ASSERT_EQ(by_wait.size(), 4u);
  EXPECT_EQ(by_wait[0], 10);
  EXPECT_EQ(by_wait[1], 20);
  std::vector<int64_t> rest;
  for (int64_t tid : expected_trace) {
    if (tid == 30 || tid == 5) rest.push_back(tid);
  }
  EXPECT_EQ((std::vector<int64_t>{by_wait[2], by_wait[3]}), rest);
  // Without rows every thread counts 0: trace order.
  EXPECT_EQ(Tids(m, SortLanes(m, LaneSort::kNotRunning, {})), expected_trace);
}

TEST(LaneGeometryTest, LayoutLanesStacksHeaderStateAndScopeRows) {
  const analysis::Model m = FourThreads();
  const uint32_t b = ThreadIndex(m, 30), a = ThreadIndex(m, 10), c = ThreadIndex(m, 20);
  const LaneMetrics lm;  // 18 header, 12 state, 16 per depth, 6 gap
  std::vector<bool> collapsed(m.threads.size(), false);
  collapsed[c] = true;
  const std::vector<LaneBox> boxes = LayoutLanes(m, {b, a, c, 999}, collapsed, lm);
  ASSERT_EQ(boxes.size(), 3u);  // 999 is not a thread
  EXPECT_EQ(boxes[0].thread, b);
  EXPECT_EQ(boxes[0].depths, 3);
  EXPECT_FLOAT_EQ(boxes[0].y, 0);
  EXPECT_FLOAT_EQ(boxes[0].height, 18 + 12 + 3 * 16);
  EXPECT_EQ(boxes[1].depths, 0);
  EXPECT_FLOAT_EQ(boxes[1].y, 78 + 6);
  EXPECT_FLOAT_EQ(boxes[1].height, 30);
  EXPECT_TRUE(boxes[2].collapsed);
  EXPECT_EQ(boxes[2].depths, 1);
  EXPECT_FLOAT_EQ(boxes[2].y, 84 + 30 + 6);
  EXPECT_FLOAT_EQ(boxes[2].height, 30);
  EXPECT_FLOAT_EQ(LanesHeight(boxes), 150);
  EXPECT_FLOAT_EQ(StateY(boxes[0], lm), 18);
  EXPECT_FLOAT_EQ(ScopeRowY(boxes[0], lm, 2), 18 + 12 + 32);
  // A short collapsed vector means expanded.
  EXPECT_FALSE(LayoutLanes(m, {c}, {}, lm)[0].collapsed);
}

TEST(LaneGeometryTest, VisibleLanesAndLaneAt) {
  std::vector<LaneBox> boxes;
  for (uint32_t i = 0; i < 100; ++i) boxes.push_back(LaneBox{i, i * 50.0f, 40, 1, false});
  using Range = std::pair<size_t, size_t>;
  EXPECT_EQ(VisibleLanes(boxes, 0, 100), (Range{0, 2}));
  EXPECT_EQ(VisibleLanes(boxes, 40, 10), (Range{1, 1}));  // only the gap [40, 50)
  EXPECT_EQ(VisibleLanes(boxes, 39, 12), (Range{0, 2}));
  EXPECT_EQ(VisibleLanes(boxes, 1000, 500), (Range{20, 30}));
  EXPECT_EQ(VisibleLanes(boxes, 4990, 100), (Range{100, 100}));
  EXPECT_EQ(VisibleLanes(boxes, -500, 100), (Range{0, 0}));
  EXPECT_EQ(VisibleLanes({}, 0, 100), (Range{0, 0}));
  EXPECT_EQ(LaneAt(boxes, 0), 0u);
  EXPECT_EQ(LaneAt(boxes, 39.9f), 0u);
  EXPECT_EQ(LaneAt(boxes, 45), boxes.size());  // gap
  EXPECT_EQ(LaneAt(boxes, 2510), 50u);
  EXPECT_EQ(LaneAt(boxes, -1), boxes.size());
  EXPECT_EQ(LaneAt(boxes, 1e6f), boxes.size());
}

}  // namespace
}  // namespace tracelane::gui
