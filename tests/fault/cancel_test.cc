// pthread_cancel (deferred, the default) of a traced thread mid-scope, mid-lock-
// wait, mid-condvar-wait and at its very first event: the process stays healthy
// (locks free, no thread left registered), the recorder keeps recording, the
// capture reads, and what the thread never ended is shown cut, never given an
// invented end or notifier.
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tests/fault/fault_test_util.h"
#include "tracelane/tracelane.h"
#include "viewer/analysis/model.h"

namespace tracelane {
namespace {

using analysis::Model;
using analysis::ThreadModel;

int64_t Tid() { return static_cast<int64_t>(syscall(SYS_gettid)); }

// A pthread running `body(arg)`; cancelled and joined by the test.
struct Victim {
  pthread_t handle{};
  std::atomic<int64_t> tid{0};
  std::atomic<bool> ready{false};
};

template <void (*Body)(Victim*)>
void* Run(void* arg) {
  auto* v = static_cast<Victim*>(arg);
  v->tid = Tid();
  Body(v);
  return nullptr;
}

template <void (*Body)(Victim*)>
void Start(Victim* v) {
  ASSERT_EQ(pthread_create(&v->handle, nullptr, &Run<Body>, v), 0);
  for (int i = 0; i < 20000 && !v->ready.load(); ++i) absl::SleepFor(absl::Milliseconds(1));
  ASSERT_TRUE(v->ready.load());
}

// Cancels and joins; the thread must have ended by cancellation.
void CancelAndJoin(Victim* v) {
  ASSERT_EQ(pthread_cancel(v->handle), 0);
  void* result = nullptr;
  ASSERT_EQ(pthread_join(v->handle, &result), 0);
  EXPECT_EQ(result, PTHREAD_CANCELED);
}

// Blocks in a cancellation point until cancelled.
[[noreturn]] void BlockForever() {
  for (;;) pause();
}

// The recorder still records (a new thread's 1000 scopes are all there) and the
// capture reads; returns the model.
Model CaptureModel() {
  std::atomic<int64_t> tid{0};
  std::thread([&tid] {
    TRACE_THREAD_NAME("after-cancel");
    tid = Tid();
    for (int i = 0; i < 1000; ++i) {
      TRACE_SCOPE("after_cancel");
    }
  }).join();
  CaptureOptions o;
  o.seconds = 60;
  absl::StatusOr<std::string> bytes = Capture(o);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  reader::Trace t = testing::Decode(bytes.ok() ? *bytes : "");
  const reader::Thread* after = testing::ThreadByTid(t, tid.load());
  EXPECT_NE(after, nullptr);
  if (after != nullptr) {
    size_t ends = 0;
    for (const reader::Event& e : after->events) ends += e.type == format::EventType::kScopeEnd;
    EXPECT_EQ(ends, 1000u);
  }
  return analysis::BuildModel(std::move(t));
}

const ThreadModel* ThreadOf(const Model& m, int64_t tid) {
  for (const ThreadModel& t : m.threads) {
    if (t.tid == tid) return &t;
  }
  return nullptr;
}

// Index of the thread's scope named `name`, or -1.
int ScopeNamed(const Model& m, const ThreadModel& t, const std::string& name) {
  for (size_t i = 0; i < t.scopes.size(); ++i) {
    if (m.LocationName(t.scopes[i].location) == name) return static_cast<int>(i);
  }
  return -1;
}

class CancelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TRACE_THREAD_NAME("cancel-test-main");  // registered before the count
    live_before_ = GetRecorderStats().threads_live;
  }
  void TearDown() override {
    // No cancelled thread stays registered.
    EXPECT_EQ(GetRecorderStats().threads_live, live_before_);
  }
  uint64_t live_before_ = 0;
};

// ---- Mid-scope: the unwinding ends the scope (a real end, at the cancellation).

void ScopeBody(Victim* v) {
  TRACE_THREAD_NAME("cancel-in-scope");
  TRACE_SCOPE("cancelled_scope");
  v->ready = true;
  BlockForever();
}

TEST_F(CancelTest, MidScopeTheUnwindingEndsTheScope) {
  Victim v;
  Start<&ScopeBody>(&v);
  CancelAndJoin(&v);
  Model m = CaptureModel();
  const ThreadModel* t = ThreadOf(m, v.tid);
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->exited);
  const int s = ScopeNamed(m, *t, "cancelled_scope");
  ASSERT_GE(s, 0);
  EXPECT_FALSE(t->IsCut(s));  // its end was recorded, by the unwinding
  EXPECT_LE(t->scopes[s].end_ns, t->life_end_ns);
}

// ---- A scope whose end nobody records (begun without a guard, as C code or a
// frame without unwind tables would): cut at the thread's exit, not invented.

constexpr SourceLocation kBareScope{"bare_scope", "BareBody", __FILE__, __LINE__};

void BareBody(Victim* v) {
  TRACE_THREAD_NAME("cancel-bare");
  internal::Emit(format::EventType::kScopeBegin, internal::LocPayload(&kBareScope));
  v->ready = true;
  BlockForever();
}

TEST_F(CancelTest, AScopeWithoutAGuardIsShownCut) {
  Victim v;
  Start<&BareBody>(&v);
  CancelAndJoin(&v);
  Model m = CaptureModel();
  const ThreadModel* t = ThreadOf(m, v.tid);
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->exited);
  const int s = ScopeNamed(m, *t, "bare_scope");
  ASSERT_GE(s, 0);
  EXPECT_TRUE(t->IsCut(s));
  EXPECT_EQ(t->scopes[s].end_ns, t->life_end_ns);  // closed where the thread's life ends
  testing::Figure("cut_scopes", t->cut_scopes.size());
}

// ---- Mid-lock-wait: the cancel is acted upon once the lock is taken, at the
// next cancellation point; the unwinding releases it.

Mutex g_lock("cancel test lock");

void LockBody(Victim* v) {
  TRACE_THREAD_NAME("cancel-in-lock-wait");
  TRACE_SCOPE("waiting_scope");
  v->ready = true;
  std::lock_guard<Mutex> hold(g_lock);  // blocks: the test holds it
  TRACE_SCOPE("critical");
  BlockForever();
}

TEST_F(CancelTest, MidLockWaitTheLockIsReleasedByTheUnwinding) {
  Victim v;
  g_lock.lock();
  Start<&LockBody>(&v);
  for (int i = 0; i < 20000 && g_lock.waiter_count() == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(g_lock.waiter_count(), 1);
  ASSERT_EQ(pthread_cancel(v.handle), 0);  // pending: lock() is no cancellation point
  absl::SleepFor(absl::Milliseconds(5));
  g_lock.unlock();
  void* result = nullptr;
  ASSERT_EQ(pthread_join(v.handle, &result), 0);
  EXPECT_EQ(result, PTHREAD_CANCELED);
  ASSERT_TRUE(g_lock.try_lock()) << "the cancelled thread left the lock held";
  g_lock.unlock();
  EXPECT_EQ(g_lock.waiter_count(), 0);
  Model m = CaptureModel();
  const ThreadModel* t = ThreadOf(m, v.tid);
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->lock_waits.size(), 1u);
  EXPECT_EQ(t->lock_waits[0].outcome, analysis::WaitOutcome::kAcquired);
  ASSERT_EQ(t->lock_holds.size(), 1u);
  EXPECT_LE(t->lock_holds[0].released_ns, t->life_end_ns);
  EXPECT_TRUE(t->cut_scopes.empty());
  EXPECT_GE(ScopeNamed(m, *t, "critical"), 0);
}

// ---- Mid-condvar-wait (pthread_cond_wait is a cancellation point): the wait
// never ended in a wake-up, so none is recorded: it is still open at the
// thread's exit, with no notifier.

Mutex g_cv_lock("cancel test condvar lock");
CondVar g_cv("cancel test condvar");

void CondBody(Victim* v) {
  TRACE_THREAD_NAME("cancel-in-cond-wait");
  TRACE_SCOPE("cond_scope");
  std::unique_lock<Mutex> lock(g_cv_lock);
  v->ready = true;
  for (;;) g_cv.wait(lock);
}

TEST_F(CancelTest, MidCondVarWaitNoWakeUpIsInvented) {
  Victim v;
  Start<&CondBody>(&v);
  absl::SleepFor(absl::Milliseconds(20));  // let it reach the wait
  CancelAndJoin(&v);
  ASSERT_TRUE(g_cv_lock.try_lock()) << "the cancelled thread left the lock held";
  g_cv_lock.unlock();
  g_cv.notify_all();  // the condvar still works
  Model m = CaptureModel();
  const ThreadModel* t = ThreadOf(m, v.tid);
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->cond_waits.size(), 1u);
  EXPECT_EQ(t->cond_waits[0].outcome, analysis::WaitOutcome::kOpen);
  EXPECT_EQ(t->cond_waits[0].notifier_thread, analysis::kNone);
  EXPECT_EQ(testing::CountNamed(testing::Decode(*Capture({})), "cond_scope",
                                format::EventType::kScopeEnd),
            1u);  // the scope's guard ran
}

// ---- Cancelled at its first event: registration runs hooks that make
// syscalls which are cancellation points (the schedstat fallback opens a file);
// the cancel must wait until the thread is registered.

std::atomic<bool> g_go{false};

void FirstEventBody(Victim* v) {
  int old;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  v->ready = true;
  while (!g_go.load()) {
  }
  pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
  {
    TRACE_SCOPE("first_event");  // registers the thread
    pthread_testcancel();
  }
  TRACE_SCOPE("never_reached");
}

TEST_F(CancelTest, CancelPendingAtTheFirstEventWaitsForRegistration) {
  SchedulerOptions sched = CurrentSchedulerOptions();
  SchedulerOptions schedstat = sched;
  schedstat.source = SchedulerSource::kSchedstat;
  ASSERT_TRUE(SetSchedulerOptions(schedstat).ok());
  Victim v;
  g_go = false;
  Start<&FirstEventBody>(&v);
  ASSERT_EQ(pthread_cancel(v.handle), 0);
  g_go = true;
  void* result = nullptr;
  ASSERT_EQ(pthread_join(v.handle, &result), 0);
  EXPECT_EQ(result, PTHREAD_CANCELED);
  Model m = CaptureModel();
  EXPECT_TRUE(SetSchedulerOptions(sched).ok());
  const ThreadModel* t = ThreadOf(m, v.tid);
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->exited);
  EXPECT_EQ(t->dropped + t->overwritten, 0u);
  const int s = ScopeNamed(m, *t, "first_event");
  ASSERT_GE(s, 0);
  EXPECT_FALSE(t->IsCut(s));
  EXPECT_LT(ScopeNamed(m, *t, "never_reached"), 0);
}

}  // namespace
}  // namespace tracelane
