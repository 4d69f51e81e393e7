// CollectHoldsByLock (viewer/analysis/holds_by_lock.h), the per-lock hold lists
// of the lock analyses: on random threads of interleaved holds of several locks
// (long holds spanning many short ones, zero-length "held since before" holds),
// each list must hold exactly the holds overlapping one of the lock's waits, in
// (acquired, thread) order, as a brute-force filter and stable sort give.
#include "viewer/analysis/holds_by_lock.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

namespace tracelane::analysis::internal {
namespace {

struct Kept {
  int64_t acquired, released;
  uint32_t thread;
  bool operator==(const Kept&) const = default;
};

TEST(CollectHoldsByLock, KeepsExactlyTheHoldsOverlappingAWaitInOrder) {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    std::mt19937_64 rng(seed);
    Model m;
    m.threads.resize(1 + rng() % 5);
    for (ThreadModel& t : m.threads) {
      int64_t at = static_cast<int64_t>(rng() % 1000);
      const int n = static_cast<int>(rng() % 2000);
      for (int i = 0; i < n; ++i) {
        at += static_cast<int64_t>(rng() % 50);
        const uint64_t lock = 1 + rng() % 3;
        const int64_t len = rng() % 20 == 0   ? static_cast<int64_t>(rng() % 20000)  // long
                            : rng() % 10 == 0 ? 0                                    // since before
                                              : static_cast<int64_t>(rng() % 40);
        t.lock_holds.push_back(LockHold{at, at + len, lock});
      }
    }
    WaitTimes waits;
    const int n_waits = static_cast<int>(rng() % 40);
    for (int i = 0; i < n_waits; ++i) {
      const uint64_t lock = 1 + rng() % 4;  // lock 4 has waits but no holds
      const auto from = static_cast<int64_t>(rng() % 100000);
      waits[lock].emplace_back(from, from + static_cast<int64_t>(rng() % 3000));
    }
    const WaitTimes asked = waits;
    absl::flat_hash_map<uint64_t, std::vector<Kept>> lists;
    CollectHoldsByLock(
        m, std::move(waits), lists,
        [](const LockHold& h, uint32_t ti) {
          return Kept{h.acquired_ns, h.released_ns, ti};
        },
        [](const Kept& a, const Kept& b) { return a.acquired < b.acquired; });
    ASSERT_EQ(lists.size(), asked.size()) << seed;  // every waited-for lock has a list
    for (const auto& [lock, times] : asked) {
      std::vector<Kept> expected;
      for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
        for (const LockHold& h : m.threads[ti].lock_holds) {
          if (h.lock_id != lock) continue;
          const bool overlaps = std::any_of(times.begin(), times.end(), [&](const auto& w) {
            return h.acquired_ns <= w.second && h.released_ns >= w.first;
          });
          if (overlaps) expected.push_back(Kept{h.acquired_ns, h.released_ns, ti});
        }
      }
      std::stable_sort(expected.begin(), expected.end(),
                       [](const Kept& a, const Kept& b) { return a.acquired < b.acquired; });
      ASSERT_TRUE(lists.contains(lock)) << seed;
      EXPECT_EQ(lists[lock], expected) << "seed " << seed << " lock " << lock;
    }
  }
}

TEST(CollectHoldsByLock, NoWaitsListsNothing) {
  Model m;
  m.threads.resize(1);
  m.threads[0].lock_holds.push_back(LockHold{1, 2, 7});
  absl::flat_hash_map<uint64_t, std::vector<Kept>> lists;
  CollectHoldsByLock(
      m, WaitTimes{}, lists,
      [](const LockHold& h, uint32_t ti) {
        return Kept{h.acquired_ns, h.released_ns, ti};
      },
      [](const Kept& a, const Kept& b) { return a.acquired < b.acquired; });
  EXPECT_TRUE(lists.empty());
}

}  // namespace
}  // namespace tracelane::analysis::internal
