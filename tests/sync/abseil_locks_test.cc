// absl::Mutex / absl::CondVar seen through abseil's tracer hooks
// (tracelane::TraceAbseilLocks). What abseil reports, and on which thread, is
// documented in docs/LOCKS_AND_SCHEDULING.md; these tests pin that down.
#include <atomic>
#include <cstring>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/sync/trace_capture.h"
#include "tracelane/config.h"
#include "tracelane/sync.h"

namespace tracelane {
namespace {

using format::EventType;
using testing::CaptureTrace;
using testing::EventsOf;
using testing::FindThread;
using testing::LocationName;

class AbseilLocksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { TraceAbseilLocks(); }
  void SetUp() override { ASSERT_TRUE(Configure(CurrentOptions()).ok()); }
};

TEST_F(AbseilLocksTest, ContendedReleaseIsRecordedOnTheReleaser) {
  absl::Mutex mu;
  const int64_t releaser = internal::CurrentTid();
  std::atomic<bool> started{false};
  mu.Lock();
  std::thread waiter([&] {
    started = true;
    absl::MutexLock lock(&mu);
  });
  while (!started) std::this_thread::yield();
  absl::SleepFor(absl::Milliseconds(20));  // the waiter blocks meanwhile
  mu.Unlock();
  waiter.join();

  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, releaser);
  ASSERT_NE(me, nullptr);
  const uint64_t id = internal::ObjectId(&mu);
  const auto released = EventsOf(*me, EventType::kLockReleased, id);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].arg, 1);
  // The waiters' total wait, as a counter sample next to the release.
  bool counted = false;
  for (const reader::Event& e : EventsOf(*me, EventType::kCounter)) {
    if (LocationName(trace, e) != "absl.Mutex contended wait (us)") continue;
    double us;
    std::memcpy(&us, &e.arg, sizeof(us));
    EXPECT_GT(us, 5000.0);  // it blocked for most of the 20 ms
    counted = true;
  }
  EXPECT_TRUE(counted);
}

TEST_F(AbseilLocksTest, CondVarWaitWakeAndNotifierAreRecorded) {
  absl::Mutex mu;
  absl::CondVar cv;
  bool ready = false;
  std::atomic<bool> waiting{false};
  std::atomic<int64_t> waiter_tid{0};
  const int64_t notifier = internal::CurrentTid();
  std::thread waiter([&] {
    waiter_tid = internal::CurrentTid();
    absl::MutexLock lock(&mu);
    waiting = true;
    while (!ready) cv.Wait(&mu);
  });
  while (!waiting) std::this_thread::yield();
  {
    absl::MutexLock lock(&mu);  // the waiter is inside Wait() once we hold mu
    ready = true;
    cv.Signal();
  }
  waiter.join();

  reader::Trace trace = CaptureTrace();
  const uint64_t id = internal::ObjectId(&cv);
  const reader::Thread* w = FindThread(trace, waiter_tid);
  const reader::Thread* n = FindThread(trace, notifier);
  ASSERT_NE(w, nullptr);
  ASSERT_NE(n, nullptr);
  const auto waits = EventsOf(*w, EventType::kCondWait, id);
  const auto wakes = EventsOf(*w, EventType::kCondWake, id);
  ASSERT_EQ(waits.size(), 1u);
  ASSERT_EQ(wakes.size(), 1u);
  EXPECT_LT(waits[0].ts_ns, wakes[0].ts_ns);
  EXPECT_EQ(wakes[0].arg, notifier);
  const auto notifies = EventsOf(*n, EventType::kCondNotify, id);
  ASSERT_EQ(notifies.size(), 1u);
  EXPECT_EQ(notifies[0].arg, 0);
}

TEST_F(AbseilLocksTest, CondVarTimeoutHasNoNotifier) {
  absl::Mutex mu;
  absl::CondVar cv;
  {
    absl::MutexLock lock(&mu);
    EXPECT_TRUE(cv.WaitWithTimeout(&mu, absl::Milliseconds(2)));
  }
  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  ASSERT_NE(me, nullptr);
  const auto wakes = EventsOf(*me, EventType::kCondWake, internal::ObjectId(&cv));
  ASSERT_EQ(wakes.size(), 1u);
  EXPECT_EQ(wakes[0].arg, 0);
}

}  // namespace
}  // namespace tracelane
