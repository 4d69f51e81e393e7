// Wakeup arrows from a planted lock hand-over and condvar notification.
#include "viewer/gui/layout/wakeups.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/model.h"
#include "viewer/gui/layout/time_axis.h"

namespace tracelane::gui {
namespace {

using format::EventType;
using tracelane::testing::MustLoad;
using tracelane::testing::SyntheticTrace;
using tracelane::testing::ThreadIndex;

constexpr int64_t kMs = 1000000;
constexpr uint64_t kLock = 7;
constexpr uint64_t kCond = 9;

// holder [10] holds the lock [11, 15) ms and hands it to waiter [11], which waited
// from 12 ms; notifier [12] wakes waiter's condvar wait [20, 30) ms at 30 ms; a
// second, 1 ms lock wait at [40, 41) ms is handed over by holder again; a timed
// out wait and a wait with an unknown holder add nothing.
analysis::Model PlantedModel() {
  SyntheticTrace tr(10 * kMs, 60 * kMs);
  const int holder = tr.Thread(10, "holder");
  const int waiter = tr.Thread(11, "waiter");
  const int notifier = tr.Thread(12, "notifier");
  tr.Hold(holder, kLock, 11 * kMs, 15 * kMs, /*waiters=*/true);
  tr.WaitHold(waiter, kLock, 12 * kMs, 15 * kMs, 16 * kMs, /*releaser_tid=*/10);
  tr.RawArg(waiter, 20 * kMs, EventType::kCondWait, kCond, 0);
  tr.RawArg(notifier, 30 * kMs, EventType::kCondNotify, kCond, 0);
  tr.RawArg(waiter, 30 * kMs, EventType::kCondWake, kCond, 12);
  tr.Hold(holder, kLock, 39 * kMs, 41 * kMs, true);
  tr.WaitHold(waiter, kLock, 40 * kMs, 41 * kMs, 42 * kMs, 10);
  tr.RawArg(waiter, 45 * kMs, EventType::kLockWait, kLock, 0);  // gives up
  tr.RawArg(waiter, 46 * kMs, EventType::kLockTryFailed, kLock, 0);
  tr.RawArg(notifier, 50 * kMs, EventType::kCondWait, kCond, 0);
  tr.RawArg(notifier, 51 * kMs, EventType::kCondWake, kCond, 0);  // notifier unknown
  return MustLoad(tr.Encode());
}

TEST(WakeupsTest, LockHandOverAndCondvarWake) {
  const analysis::Model m = PlantedModel();
  const uint32_t holder = ThreadIndex(m, 10);
  const uint32_t waiter = ThreadIndex(m, 11);
  const uint32_t notifier = ThreadIndex(m, 12);
  const std::vector<uint32_t> all = {holder, waiter, notifier};
  const TimeAxis axis = FitRange(10 * kMs, 60 * kMs, 0, 1000);
  const std::vector<Wakeup> w = VisibleWakeups(m, all, axis);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].from_thread, holder);
  EXPECT_EQ(w[0].to_thread, waiter);
  EXPECT_EQ(w[0].ts_ns, 15 * kMs);
  EXPECT_EQ(w[0].wait_ns, 3 * kMs);
  EXPECT_FALSE(w[0].condvar);
  EXPECT_EQ(w[0].object_id, kLock);
  EXPECT_EQ(w[1].from_thread, notifier);
  EXPECT_EQ(w[1].to_thread, waiter);
  EXPECT_EQ(w[1].ts_ns, 30 * kMs);
  EXPECT_EQ(w[1].wait_ns, 10 * kMs);
  EXPECT_TRUE(w[1].condvar);
  EXPECT_EQ(w[1].object_id, kCond);
  EXPECT_EQ(w[2].ts_ns, 41 * kMs);
  EXPECT_EQ(w[2].wait_ns, 1 * kMs);
}

TEST(WakeupsTest, OnlyVisibleTimesAndRequestedThreads) {
  const analysis::Model m = PlantedModel();
  const uint32_t waiter = ThreadIndex(m, 11);
  // [16, 35) ms holds only the condvar wake.
  std::vector<Wakeup> w = VisibleWakeups(m, {waiter}, FitRange(16 * kMs, 35 * kMs, 0, 500));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_TRUE(w[0].condvar);
  // The hand-over instant itself is at the left edge: included.
  w = VisibleWakeups(m, {waiter}, FitRange(15 * kMs, 16 * kMs, 0, 500));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].ts_ns, 15 * kMs);
  // Arrows point into the requested lanes only; bad indices are ignored.
  w = VisibleWakeups(m, {ThreadIndex(m, 10), ThreadIndex(m, 12), 999},
                     FitRange(10 * kMs, 60 * kMs, 0, 1000));
  EXPECT_TRUE(w.empty());
}

TEST(WakeupsTest, AtMostMaxLongestWaitsFirst) {
  const analysis::Model m = PlantedModel();
  const std::vector<Wakeup> w =
      VisibleWakeups(m, {ThreadIndex(m, 11)}, FitRange(10 * kMs, 60 * kMs, 0, 1000), 2);
  ASSERT_EQ(w.size(), 2u);  // the 10 ms and 3 ms waits, by time
  EXPECT_EQ(w[0].wait_ns, 3 * kMs);
  EXPECT_EQ(w[1].wait_ns, 10 * kMs);
}

}  // namespace
}  // namespace tracelane::gui
