// Traced locks and condition variables (include/tracelane/sync.h): the events a
// trace carries for uncontended, contended and failed acquisitions, hand-over
// (who unblocked whom) and condvar notification.
#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/sync/trace_capture.h"
#include "tracelane/config.h"
#include "tracelane/sync.h"
#include "tracelane/trace.h"

namespace tracelane {
namespace {

using format::EventType;
using testing::CaptureTrace;
using testing::EventsOf;
using testing::FindThread;

class LockTest : public ::testing::Test {
 protected:
  // Starts every test from empty buffers, so events of earlier tests (whose
  // stack mutexes may have had the same address) cannot match.
  void SetUp() override { ASSERT_TRUE(Configure(CurrentOptions()).ok()); }
};

// Waits until `n` threads are blocked in `mu`'s lock().
template <typename M>
void AwaitWaiters(const M& mu, int n) {
  while (mu.waiter_count() < n) std::this_thread::yield();
}

TEST_F(LockTest, UncontendedLockRecordsOnlyAcquireAndRelease) {
  Mutex mu;
  {
    std::lock_guard<Mutex> lock(mu);
  }
  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  ASSERT_NE(me, nullptr);
  const auto acquired = EventsOf(*me, EventType::kLockAcquired, mu.id());
  const auto released = EventsOf(*me, EventType::kLockReleased, mu.id());
  ASSERT_EQ(acquired.size(), 1u);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(acquired[0].arg, 0);  // nobody handed it over
  EXPECT_EQ(released[0].arg, 0);  // nobody was waiting
  EXPECT_LE(acquired[0].ts_ns, released[0].ts_ns);
  EXPECT_TRUE(EventsOf(*me, EventType::kLockWait, mu.id()).empty());
}

TEST_F(LockTest, WaiterRecordsItsWaitAndTheHolderAsUnblocker) {
  Mutex mu("handoff");
  const int64_t holder = internal::CurrentTid();
  std::atomic<int64_t> waiter{0};
  mu.lock();
  std::thread t([&] {
    waiter = internal::CurrentTid();
    std::lock_guard<Mutex> lock(mu);
  });
  AwaitWaiters(mu, 1);  // the waiter has recorded kLockWait and blocks
  absl::SleepFor(absl::Milliseconds(20));
  mu.unlock();
  t.join();

  reader::Trace trace = CaptureTrace();
  const reader::Thread* h = FindThread(trace, holder);
  const reader::Thread* w = FindThread(trace, waiter);
  ASSERT_NE(h, nullptr);
  ASSERT_NE(w, nullptr);
  const auto waits = EventsOf(*w, EventType::kLockWait, mu.id());
  const auto w_acquired = EventsOf(*w, EventType::kLockAcquired, mu.id());
  const auto h_acquired = EventsOf(*h, EventType::kLockAcquired, mu.id());
  const auto h_released = EventsOf(*h, EventType::kLockReleased, mu.id());
  ASSERT_EQ(waits.size(), 1u);
  ASSERT_EQ(w_acquired.size(), 1u);
  ASSERT_EQ(h_acquired.size(), 1u);
  ASSERT_EQ(h_released.size(), 1u);
  // The wait is at least the 20 ms the holder kept the lock after it began.
  EXPECT_GE(w_acquired[0].ts_ns - waits[0].ts_ns, 20'000'000);
  EXPECT_EQ(waits[0].arg, static_cast<int64_t>(LockMode::kExclusive));
  // The holder is named as the unblocker, and knew someone was waiting.
  EXPECT_EQ(w_acquired[0].arg, holder);
  EXPECT_EQ(h_released[0].arg, 1);
  // Order: holder acquires < waiter waits < holder releases <= waiter acquires.
  EXPECT_LT(h_acquired[0].ts_ns, waits[0].ts_ns);
  EXPECT_LT(waits[0].ts_ns, h_released[0].ts_ns);
  EXPECT_LE(h_released[0].ts_ns, w_acquired[0].ts_ns);
  // The waiter's own release had nobody waiting.
  const auto w_released = EventsOf(*w, EventType::kLockReleased, mu.id());
  ASSERT_EQ(w_released.size(), 1u);
  EXPECT_EQ(w_released[0].arg, 0);
  // The name is in the object table.
  bool named = false;
  for (const reader::Object& o : trace.objects) {
    named |= o.id == mu.id() && o.name == "handoff" && o.kind == format::ObjectKind::kLock;
  }
  EXPECT_TRUE(named);
}

TEST_F(LockTest, FailedTryLockIsRecorded) {
  Mutex mu;
  std::atomic<bool> held{false}, done{false};
  std::thread t([&] {
    std::lock_guard<Mutex> lock(mu);
    held = true;
    while (!done) std::this_thread::yield();
  });
  while (!held) std::this_thread::yield();
  EXPECT_FALSE(mu.try_lock());
  done = true;
  t.join();
  ASSERT_TRUE(mu.try_lock());
  mu.unlock();

  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  ASSERT_NE(me, nullptr);
  EXPECT_EQ(EventsOf(*me, EventType::kLockTryFailed, mu.id()).size(), 1u);
  EXPECT_EQ(EventsOf(*me, EventType::kLockAcquired, mu.id()).size(), 1u);
  EXPECT_TRUE(EventsOf(*me, EventType::kLockWait, mu.id()).empty());
}

TEST_F(LockTest, SharedMutexRecordsModeAndHandOver) {
  SharedMutex mu("rw");
  const int64_t me = internal::CurrentTid();
  std::atomic<int64_t> writer{0}, reader_tid{0};

  mu.lock_shared();  // a reader holds it; a writer has to wait
  std::thread w([&] {
    writer = internal::CurrentTid();
    std::unique_lock<SharedMutex> lock(mu);
  });
  AwaitWaiters(mu, 1);
  mu.unlock_shared();
  w.join();

  mu.lock();  // a writer holds it; a reader has to wait
  std::thread r([&] {
    reader_tid = internal::CurrentTid();
    std::shared_lock<SharedMutex> lock(mu);
  });
  AwaitWaiters(mu, 1);
  mu.unlock();
  r.join();

  reader::Trace trace = CaptureTrace();
  const reader::Thread* wt = FindThread(trace, writer);
  const reader::Thread* rt = FindThread(trace, reader_tid);
  ASSERT_NE(wt, nullptr);
  ASSERT_NE(rt, nullptr);
  const auto w_wait = EventsOf(*wt, EventType::kLockWait, mu.id());
  const auto w_acq = EventsOf(*wt, EventType::kLockAcquired, mu.id());
  ASSERT_EQ(w_wait.size(), 1u);
  ASSERT_EQ(w_acq.size(), 1u);
  EXPECT_EQ(w_wait[0].arg, static_cast<int64_t>(LockMode::kExclusive));
  EXPECT_EQ(w_acq[0].arg, me);
  const auto r_wait = EventsOf(*rt, EventType::kLockWait, mu.id());
  const auto r_acq = EventsOf(*rt, EventType::kLockAcquired, mu.id());
  ASSERT_EQ(r_wait.size(), 1u);
  ASSERT_EQ(r_acq.size(), 1u);
  EXPECT_EQ(r_wait[0].arg, static_cast<int64_t>(LockMode::kShared));
  EXPECT_EQ(r_acq[0].arg, me);
}

TEST_F(LockTest, CondVarRecordsWaitNotifierAndWake) {
  Mutex mu;
  CondVar cv("ready");
  bool ready = false;
  const int64_t notifier = internal::CurrentTid();
  std::atomic<int64_t> waiter{0};
  std::atomic<bool> waiting{false};
  std::thread t([&] {
    waiter = internal::CurrentTid();
    std::unique_lock<Mutex> lock(mu);
    waiting = true;
    cv.wait(lock, [&] { return ready; });
  });
  while (!waiting) std::this_thread::yield();
  {
    std::lock_guard<Mutex> lock(mu);  // the waiter is inside wait() once we get it
    ready = true;
  }
  cv.notify_one();
  t.join();

  reader::Trace trace = CaptureTrace();
  const reader::Thread* w = FindThread(trace, waiter);
  const reader::Thread* n = FindThread(trace, notifier);
  ASSERT_NE(w, nullptr);
  ASSERT_NE(n, nullptr);
  const auto waits = EventsOf(*w, EventType::kCondWait, cv.id());
  const auto wakes = EventsOf(*w, EventType::kCondWake, cv.id());
  ASSERT_GE(waits.size(), 1u);
  ASSERT_EQ(wakes.size(), waits.size());
  EXPECT_EQ(wakes.back().arg, notifier);
  const auto notifies = EventsOf(*n, EventType::kCondNotify, cv.id());
  ASSERT_EQ(notifies.size(), 1u);
  EXPECT_EQ(notifies[0].arg, 0);  // notify_one
  EXPECT_LE(notifies[0].ts_ns, wakes.back().ts_ns);
  // The mutex was released at the wait and reacquired after the wake.
  bool released_after_wait = false, acquired_after_wake = false;
  for (const reader::Event& e : w->events) {
    if (e.payload != mu.id()) continue;
    if (e.type == EventType::kLockReleased && e.ts_ns >= waits.back().ts_ns &&
        e.ts_ns <= wakes.back().ts_ns) {
      released_after_wait = true;
    }
    if (e.type == EventType::kLockAcquired && e.ts_ns >= wakes.back().ts_ns) {
      acquired_after_wake = true;
    }
  }
  EXPECT_TRUE(released_after_wait);
  EXPECT_TRUE(acquired_after_wake);
}

TEST_F(LockTest, CondVarTimeoutHasNoNotifierAndNotifyAllIsFlagged) {
  Mutex mu;
  CondVar cv;
  {
    std::unique_lock<Mutex> lock(mu);
    EXPECT_EQ(cv.wait_for(lock, std::chrono::milliseconds(2)), std::cv_status::timeout);
  }
  cv.notify_all();
  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  ASSERT_NE(me, nullptr);
  const auto waits = EventsOf(*me, EventType::kCondWait, cv.id());
  const auto wakes = EventsOf(*me, EventType::kCondWake, cv.id());
  ASSERT_EQ(waits.size(), 1u);
  ASSERT_EQ(wakes.size(), 1u);
  EXPECT_EQ(wakes[0].arg, 0);
  EXPECT_GE(wakes[0].ts_ns - waits[0].ts_ns, 2'000'000);
  const auto notifies = EventsOf(*me, EventType::kCondNotify, cv.id());
  ASSERT_EQ(notifies.size(), 1u);
  EXPECT_EQ(notifies[0].arg, 1);
}

TEST_F(LockTest, NothingIsRecordedWhileDisabled) {
  Mutex mu;
  SetEnabled(false);
  mu.lock();
  mu.unlock();
  SetEnabled(true);
  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  if (me != nullptr) {
    EXPECT_TRUE(EventsOf(*me, EventType::kLockAcquired, mu.id()).empty());
    EXPECT_TRUE(EventsOf(*me, EventType::kLockReleased, mu.id()).empty());
  }
}

}  // namespace
}  // namespace tracelane
