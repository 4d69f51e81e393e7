// StateIndex: time per state over any run of spans equals a brute-force sum.
#include "viewer/gui/layout/state_index.h"

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/viewer/layout_test_util.h"
#include "viewer/analysis/states.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::gui {
namespace {

using analysis::StateDurations;
using analysis::ThreadModel;
using analysis::ThreadState;

StateDurations BruteForce(const ThreadModel& t, size_t first, size_t last) {
  StateDurations d{};
  for (size_t i = first; i < last && i < t.states.size(); ++i) {
    d[static_cast<int>(t.states[i].state)] += t.StateEnd(i) - t.states[i].start_ns;
  }
  return d;
}

ThreadModel RandomThread(std::mt19937_64& rng, size_t n) {
  std::uniform_int_distribution<int64_t> len(1, 1000);
  std::uniform_int_distribution<int> state(0, analysis::kNumStates - 1);
  std::vector<std::pair<int64_t, ThreadState>> spans;
  for (size_t i = 0; i < n; ++i) spans.emplace_back(len(rng), static_cast<ThreadState>(state(rng)));
  return test_util::StatesThread(spans, static_cast<int64_t>(rng() % 1'000'000));
}

TEST(StateIndexTest, BetweenEqualsBruteForceOnRandomPartitions) {
  std::mt19937_64 rng(42);
  for (size_t n : {0, 1, 2, 7, 15, 16, 17, 31, 32, 33, 100, 257, 5000}) {
    const ThreadModel t = RandomThread(rng, n);
    const StateIndex index(t);
    EXPECT_EQ(index.spans(), n);
    // Every pair for small n, random pairs for large n.
    std::vector<std::pair<size_t, size_t>> ranges;
    if (n <= 40) {
      for (size_t a = 0; a <= n; ++a) {
        for (size_t b = 0; b <= n + 1; ++b) ranges.emplace_back(a, b);
      }
    } else {
      std::uniform_int_distribution<size_t> pick(0, n);
      for (int k = 0; k < 2000; ++k) ranges.emplace_back(pick(rng), pick(rng));
      ranges.emplace_back(0, n);
      ranges.emplace_back(n - 1, n);
    }
    for (const auto& [a, b] : ranges) {
      ASSERT_EQ(index.Between(t, a, b), BruteForce(t, a, b))
          << "n " << n << " [" << a << ", " << b << ")";
    }
    // The whole thread sums to its wall time.
    EXPECT_EQ(analysis::Sum(index.Between(t, 0, n)), t.wall_ns());
  }
}

TEST(StateIndexTest, PrefixReadsAtMostEightSpans) {
  std::mt19937_64 rng(7);
  const ThreadModel t = RandomThread(rng, 1000);
  const StateIndex index(t);
  for (size_t i = 0; i <= 1000; ++i) {
    uint64_t visited = 0;
    ASSERT_EQ(index.Prefix(t, i, &visited), BruteForce(t, 0, i)) << i;
    EXPECT_LE(visited, StateIndex::kStride / 2) << i;
  }
}

TEST(StateIndexTest, AboutFourAndAHalfBytesPerSpan) {
  std::mt19937_64 rng(1);
  const ThreadModel t = RandomThread(rng, 160'000);
  const StateIndex index(t);
  EXPECT_LE(index.MemoryBytes(), 160'000 * 4.5 + 72);
  EXPECT_GE(index.MemoryBytes(), 160'000 * 4.5);
  const StateIndex empty;
  EXPECT_EQ(analysis::Sum(empty.Between(t, 0, 10)), 0);
}

}  // namespace
}  // namespace tracelane::gui
