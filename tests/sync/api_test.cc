// Compile-time checks that the traced locks fit the standard lock utilities,
// plus blocks, pauses and stop-the-world spans.
#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <type_traits>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/sync/trace_capture.h"
#include "tracelane/block.h"
#include "tracelane/config.h"
#include "tracelane/pause.h"
#include "tracelane/sync.h"

namespace tracelane {
namespace {

using format::EventType;
using testing::CaptureTrace;
using testing::EventsOf;
using testing::FindThread;
using testing::LocationName;

// ---- compile-time checks ----------------------------------------------------

template <typename M>
concept Lockable = requires(M m) {
  m.lock();
  m.unlock();
  { m.try_lock() } -> std::same_as<bool>;
};
template <typename M>
concept SharedLockable = Lockable<M> && requires(M m) {
  m.lock_shared();
  m.unlock_shared();
  { m.try_lock_shared() } -> std::same_as<bool>;
};
// condition_variable_any's interface, for a given lock type.
template <typename CV, typename Lock>
concept ConditionVariableAny = requires(CV cv, Lock& lock) {
  cv.notify_one();
  cv.notify_all();
  cv.wait(lock);
  cv.wait(lock, [] { return true; });
  { cv.wait_for(lock, std::chrono::milliseconds(1)) } -> std::same_as<std::cv_status>;
  { cv.wait_for(lock, std::chrono::milliseconds(1), [] { return true; }) } -> std::same_as<bool>;
  { cv.wait_until(lock, std::chrono::steady_clock::now()) } -> std::same_as<std::cv_status>;
  { cv.wait_until(lock, std::chrono::system_clock::now(), [] { return true; }) }
      -> std::same_as<bool>;
};

static_assert(Lockable<Mutex>);
static_assert(SharedLockable<SharedMutex>);
static_assert(!std::is_copy_constructible_v<Mutex> && !std::is_move_constructible_v<Mutex>);
static_assert(!std::is_copy_constructible_v<CondVar>);
static_assert(ConditionVariableAny<CondVar, std::unique_lock<Mutex>>);
static_assert(ConditionVariableAny<CondVar, std::unique_lock<SharedMutex>>);
static_assert(ConditionVariableAny<CondVar, std::shared_lock<SharedMutex>>);
static_assert(ConditionVariableAny<CondVar, std::unique_lock<std::mutex>>);
// Same shape as the std types they replace.
static_assert(ConditionVariableAny<std::condition_variable_any, std::unique_lock<Mutex>>);

// A global Mutex needs no dynamic initialization (as std::mutex).
constinit Mutex g_constinit_mutex;

TEST(SyncApiTest, WorksWithStandardLockUtilities) {
  Mutex a("a");
  SharedMutex b("b");
  CondVar cv;
  std::mutex plain;
  {
    std::lock_guard<Mutex> g(a);
  }
  {
    std::scoped_lock both(a, b);  // std::lock's deadlock avoidance uses try_lock
  }
  {
    std::unique_lock<Mutex> u(a, std::try_to_lock);
    EXPECT_TRUE(u.owns_lock());
    EXPECT_FALSE(cv.wait_for(u, std::chrono::milliseconds(1), [] { return false; }));
    EXPECT_TRUE(u.owns_lock());
  }
  {
    std::shared_lock<SharedMutex> s1(b);
    std::shared_lock<SharedMutex> s2(b, std::try_to_lock);  // readers share
    EXPECT_TRUE(s2.owns_lock());
    EXPECT_EQ(cv.wait_for(s1, std::chrono::microseconds(100)), std::cv_status::timeout);
  }
  {
    std::unique_lock<SharedMutex> w(b);
    EXPECT_TRUE(cv.wait_until(w, std::chrono::steady_clock::now(), [] { return true; }));
  }
  {
    std::unique_lock<std::mutex> p(plain);
    EXPECT_EQ(cv.wait_for(p, std::chrono::microseconds(10)), std::cv_status::timeout);
  }
  {
    std::lock_guard<Mutex> g(g_constinit_mutex);
  }
  // A waiter woken by notify_all through std::unique_lock<Mutex>.
  bool go = false;
  std::thread t([&] {
    std::unique_lock<Mutex> u(a);
    cv.wait(u, [&] { return go; });
  });
  {
    std::lock_guard<Mutex> g(a);
    go = true;
  }
  cv.notify_all();
  t.join();
}

TEST(SyncApiTest, CondVarMayBeDestroyedRightAfterNotify) {
  for (int i = 0; i < 50; ++i) {
    Mutex mu;
    auto* cv = new CondVar;
    bool done = false;
    std::thread t([&] {
      std::unique_lock<Mutex> lock(mu);
      done = true;
      cv->notify_all();
    });
    {
      std::unique_lock<Mutex> lock(mu);
      cv->wait(lock, [&] { return done; });
    }
    t.join();
    delete cv;
  }
}

// ---- blocks, pauses, stop-the-world ------------------------------------------

class SpanTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Configure(CurrentOptions()).ok()); }
};

TEST_F(SpanTest, BlockRecordsKindAndSpan) {
  {
    TRACE_BLOCK(Block::kIo, "read socket");
    absl::SleepFor(absl::Milliseconds(1));
  }
  SleepFor(std::chrono::milliseconds(3));
  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  ASSERT_NE(me, nullptr);
  const auto begins = EventsOf(*me, EventType::kBlockBegin);
  const auto ends = EventsOf(*me, EventType::kBlockEnd);
  ASSERT_EQ(begins.size(), 2u);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(LocationName(trace, begins[0]), "read socket");
  EXPECT_EQ(begins[0].arg, static_cast<int64_t>(Block::kIo));
  EXPECT_EQ(begins[0].payload, ends[0].payload);
  EXPECT_GE(ends[0].ts_ns - begins[0].ts_ns, 1'000'000);
  EXPECT_EQ(LocationName(trace, begins[1]), "sleep");
  EXPECT_EQ(begins[1].arg, static_cast<int64_t>(Block::kSleep));
  EXPECT_GE(ends[1].ts_ns - begins[1].ts_ns, 3'000'000);
}

TEST_F(SpanTest, PauseRecordsBeginAndEnd) {
  {
    TRACE_PAUSE("compaction");
    absl::SleepFor(absl::Milliseconds(1));
  }
  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  ASSERT_NE(me, nullptr);
  const auto begins = EventsOf(*me, EventType::kPauseBegin);
  const auto ends = EventsOf(*me, EventType::kPauseEnd);
  ASSERT_EQ(begins.size(), 1u);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(LocationName(trace, begins[0]), "compaction");
  EXPECT_FALSE(begins[0].has_arg);
  EXPECT_GE(ends[0].ts_ns - begins[0].ts_ns, 1'000'000);
}

TEST_F(SpanTest, StopTheWorldBracketsExactlyItsSpan) {
  // A worker that is alive (and traced) across the whole stop-the-world span.
  std::atomic<bool> started{false}, stop{false};
  std::thread worker([&] {
    SetThreadName("worker");
    started = true;
    while (!stop) absl::SleepFor(absl::Microseconds(200));
  });
  while (!started) std::this_thread::yield();

  const int64_t before = internal::MonotonicNs();
  int64_t inside_ns;
  {
    StopTheWorld stw("epoch reclaim");
    TRACE_INSTANT("inside");
    inside_ns = internal::MonotonicNs();
    absl::SleepFor(absl::Milliseconds(2));
  }
  const int64_t after = internal::MonotonicNs();
  {
    TRACE_STOP_THE_WORLD("macro form");
  }
  {
    StopTheWorld again("epoch reclaim");  // same name, other call site
  }
  stop = true;
  worker.join();

  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  ASSERT_NE(me, nullptr);
  const auto begins = EventsOf(*me, EventType::kStwBegin);
  const auto ends = EventsOf(*me, EventType::kStwEnd);
  ASSERT_EQ(begins.size(), 3u);
  ASSERT_EQ(ends.size(), 3u);
  EXPECT_EQ(LocationName(trace, begins[0]), "epoch reclaim");
  EXPECT_EQ(begins[0].payload, ends[0].payload);
  EXPECT_GE(begins[0].ts_ns, before);
  EXPECT_LE(ends[0].ts_ns, after);
  EXPECT_LE(begins[0].ts_ns, inside_ns);
  EXPECT_GE(ends[0].ts_ns - begins[0].ts_ns, 2'000'000);
  const auto instants = EventsOf(*me, EventType::kInstant);
  ASSERT_EQ(instants.size(), 1u);
  EXPECT_GT(instants[0].ts_ns, begins[0].ts_ns);
  EXPECT_LT(instants[0].ts_ns, ends[0].ts_ns);
  // Nothing of the main thread's other spans is inside the first one.
  EXPECT_GT(begins[1].ts_ns, ends[0].ts_ns);
  EXPECT_EQ(LocationName(trace, begins[1]), "macro form");
  EXPECT_EQ(LocationName(trace, begins[2]), "epoch reclaim");
  EXPECT_NE(begins[2].payload, begins[0].payload);  // a location per call site
  // The worker was live for the whole span: the analysis counts it as paused.
  const reader::Thread* w = nullptr;
  for (const reader::Thread& t : trace.threads) {
    if (t.name == "worker") w = &t;
  }
  ASSERT_NE(w, nullptr);
  ASSERT_FALSE(w->events.empty());
  EXPECT_LT(w->events.front().ts_ns, begins[0].ts_ns);
  EXPECT_GT(w->exit_ns, ends[0].ts_ns);
}

TEST_F(SpanTest, StopTheWorldInternsOneLocationPerCallSite) {
  for (int i = 0; i < 3; ++i) {
    StopTheWorld stw("loop");
  }
  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  ASSERT_NE(me, nullptr);
  const auto begins = EventsOf(*me, EventType::kStwBegin);
  ASSERT_EQ(begins.size(), 3u);
  EXPECT_EQ(begins[0].payload, begins[1].payload);
  EXPECT_EQ(begins[1].payload, begins[2].payload);
}

}  // namespace
}  // namespace tracelane
