// fork() while recording and while a capture runs: the child records into a
// fresh recorder of its own (its own events only, under its own tids, the
// forking thread keeping its name), can capture at once (a next-N capture of the
// parent's does not block it), and the parent's recording and capture go on
// unaffected. The signal trigger restarts in the child when configured and never
// makes the parent capture for the child's signal.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tests/fault/child_process.h"
#include "tests/fault/fault_test_util.h"
#include "tracelane/tracelane.h"

namespace tracelane {
namespace {

using testing::CountNamed;

void ParentWork() { TRACE_SCOPE("parent_work"); }
void ChildWork() { TRACE_SCOPE("child_work"); }

// Two parent threads recording, paced (a scope every 100 us), until destroyed.
class ParentLoad {
 public:
  ParentLoad() {
    for (int k = 0; k < 2; ++k) {
      threads_.emplace_back([this, k] {
        TRACE_THREAD_NAME(absl::StrCat("parent-worker-", k).c_str());
        while (!stop_.load()) {
          ParentWork();
          absl::SleepFor(absl::Microseconds(100));
        }
      });
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  ~ParentLoad() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

int64_t Tid() { return static_cast<int64_t>(syscall(SYS_gettid)); }

// In the child: records on the forking thread and a new one, captures, and
// checks the trace holds exactly the child's threads and events.
std::string ChildRecordsItsOwnEvents(const std::string& main_name, CaptureMode mode) {
  CHILD_CHECK(GetRecorderStats().threads_live == 0, "live=", GetRecorderStats().threads_live);
  CHILD_CHECK(GetFlightRecorderStatus().next_capture_running == false);
  constexpr int kMain = 300, kWorker = 200;
  int64_t worker_tid = 0;
  auto record = [&] {
    for (int i = 0; i < kMain; ++i) ChildWork();
    std::thread([&] {
      TRACE_THREAD_NAME("child-worker");
      worker_tid = Tid();
      for (int i = 0; i < kWorker; ++i) ChildWork();
    }).join();
  };
  CaptureOptions o;
  o.mode = mode;
  o.seconds = mode == CaptureMode::kNext ? 0.5 : 30;
  absl::StatusOr<std::string> bytes;
  if (mode == CaptureMode::kNext) {
    std::thread capture([&] { bytes = Capture(o); });
    for (int i = 0; i < 5000 && !GetFlightRecorderStatus().next_capture_running; ++i) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    record();
    capture.join();
  } else {
    record();
    bytes = Capture(o);
  }
  CHILD_CHECK(bytes.ok(), bytes.status().ToString());
  absl::StatusOr<reader::Trace> t = reader::ParseTrace(*bytes, "child");
  CHILD_CHECK(t.ok(), t.status().ToString());
  CHILD_CHECK(CountNamed(*t, "parent_work") == 0, CountNamed(*t, "parent_work"));
  CHILD_CHECK(CountNamed(*t, "child_work") == kMain + kWorker, CountNamed(*t, "child_work"));
  CHILD_CHECK(CountNamed(*t, "child_work", format::EventType::kScopeEnd) == kMain + kWorker);
  CHILD_CHECK(t->dropped + t->overwritten == 0, t->dropped, " ", t->overwritten);
  const reader::Thread* main = testing::ThreadByTid(*t, getpid());
  CHILD_CHECK(main != nullptr, "the forking thread is missing under its new tid");
  CHILD_CHECK(main->name == main_name, main->name);
  const reader::Thread* worker = testing::ThreadByTid(*t, worker_tid);
  CHILD_CHECK(worker != nullptr && worker->name == "child-worker");
  // Only the child's threads.
  for (const reader::Thread& th : t->threads) {
    CHILD_CHECK(th.tid == getpid() || th.tid == worker_tid, "thread ", th.tid, " ", th.name);
  }
  return "";
}

TEST(Fork, ChildOfARecordingProcessRecordsItsOwnEventsOnly) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan does not support threads in a child of a multi-threaded fork";
#endif
  TRACE_THREAD_NAME("fork-main");
  ParentLoad load;
  const uint64_t parent_before = CountNamed(testing::Decode(*Capture({})), "parent_work");
  std::string verdict;
  {
    TRACE_SCOPE("around_fork");  // open across the fork: cut in the child, not invented
    verdict = testing::RunInChild(
        [] { return ChildRecordsItsOwnEvents("fork-main", CaptureMode::kLast); });
  }
  EXPECT_EQ(verdict, "");
  // The parent goes on recording, and never sees the child's events.
  absl::SleepFor(absl::Milliseconds(20));
  reader::Trace after = testing::Decode(*Capture({}));
  EXPECT_GT(CountNamed(after, "parent_work"), parent_before);
  EXPECT_EQ(CountNamed(after, "child_work"), 0u);
  EXPECT_EQ(CountNamed(after, "around_fork", format::EventType::kScopeEnd), 1u);
  testing::Figure("parent_work_scopes", CountNamed(after, "parent_work"));
}

TEST(Fork, ChildForkedDuringANextCaptureCapturesAtOnce) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan does not support threads in a child of a multi-threaded fork";
#endif
  TRACE_THREAD_NAME("fork-main");
  ParentLoad load;
  CaptureStats stats;
  absl::StatusOr<std::string> parent_bytes;
  std::thread parent_capture([&] {
    CaptureOptions o;
    o.mode = CaptureMode::kNext;
    o.seconds = 1.5;
    parent_bytes = Capture(o, &stats);
  });
  for (int i = 0; i < 5000 && !GetFlightRecorderStatus().next_capture_running; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_TRUE(GetFlightRecorderStatus().next_capture_running);
  const std::string verdict =
      testing::RunInChild([] { return ChildRecordsItsOwnEvents("fork-main", CaptureMode::kNext); });
  EXPECT_EQ(verdict, "");
  parent_capture.join();
  ASSERT_TRUE(parent_bytes.ok()) << parent_bytes.status();
  reader::Trace t = testing::Decode(*parent_bytes);
  EXPECT_GT(CountNamed(t, "parent_work"), 0u);
  EXPECT_EQ(CountNamed(t, "child_work"), 0u);
  EXPECT_EQ(t.Property("capture_mode"), "next");
}

// Waits up to `timeout` for `cond`.
template <typename Cond>
bool WaitFor(Cond cond, absl::Duration timeout = absl::Seconds(20)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!cond()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

TEST(Fork, SignalTriggerRestartsInTheChildWhenConfigured) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan does not support threads in a child of a multi-threaded fork";
#endif
  testing::TempDir dir;
  SignalTriggerOptions o;
  o.directory = dir.path();
  o.last_seconds = 30;
  o.log = false;
  o.restart_in_child = true;
  ASSERT_TRUE(EnableSignalTrigger(o).ok());
  const uint64_t parent_written = SignalCapturesWritten();
  const std::string verdict = testing::RunInChild([&dir] {
    CHILD_CHECK(SignalCapturesWritten() == 0, SignalCapturesWritten());
    for (int i = 0; i < 100; ++i) ChildWork();
    raise(SIGUSR2);
    CHILD_CHECK(WaitFor([] { return SignalCapturesWritten() == 1; }), "no capture in the child");
    const std::string mine = absl::StrCat("-", getpid(), "-");
    std::vector<std::string> files = dir.Files(".tlt");
    CHILD_CHECK(files.size() == 1, files.size());
    CHILD_CHECK(files[0].find(mine) != std::string::npos, files[0]);
    absl::StatusOr<reader::Trace> t = reader::ReadTrace(files[0]);
    CHILD_CHECK(t.ok(), t.status().ToString());
    CHILD_CHECK(CountNamed(*t, "child_work") == 100, CountNamed(*t, "child_work"));
    CHILD_CHECK(CountNamed(*t, "parent_work") == 0);
    CHILD_CHECK(t->Property("trigger") == "signal");
    DisableSignalTrigger();
    return std::string();
  });
  EXPECT_EQ(verdict, "");
  // The child's signal never reached the parent's trigger.
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(SignalCapturesWritten(), parent_written);
  // The parent's trigger still works.
  raise(SIGUSR2);
  EXPECT_TRUE(WaitFor([&] { return SignalCapturesWritten() == parent_written + 1; }));
  DisableSignalTrigger();
}

TEST(Fork, UnconfiguredSignalTriggerIsQuietInTheChild) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan does not support threads in a child of a multi-threaded fork";
#endif
  testing::TempDir dir;
  SignalTriggerOptions o;
  o.directory = dir.path();
  o.log = false;
  ASSERT_TRUE(EnableSignalTrigger(o).ok());
  const uint64_t parent_written = SignalCapturesWritten();
  const std::string verdict = testing::RunInChild([] {
    raise(SIGUSR2);  // neither kills the child nor captures anywhere
    absl::SleepFor(absl::Milliseconds(200));
    CHILD_CHECK(SignalCapturesWritten() == 0);
    // Enabling it in the child works, with a pipe of the child's own.
    SignalTriggerOptions again;
    again.directory = ::testing::TempDir();
    again.log = false;
    absl::Status s = EnableSignalTrigger(again);
    CHILD_CHECK(s.ok(), s.ToString());
    DisableSignalTrigger();
    return std::string();
  });
  EXPECT_EQ(verdict, "");
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(SignalCapturesWritten(), parent_written);
  EXPECT_TRUE(dir.Files(".tlt").empty());
  DisableSignalTrigger();
}

}  // namespace
}  // namespace tracelane
