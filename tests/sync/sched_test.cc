// OS scheduler data (include/tracelane/sched.h): perf context-switch records and
// the schedstat fallback, on four CPU-bound threads sharing this 2-core machine.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/sync/trace_capture.h"
#include "tracelane/config.h"
#include "tracelane/sched.h"
#include "tracelane/trace.h"

namespace tracelane {
namespace {

using format::EventType;
using testing::CaptureTrace;
using testing::FindThread;

struct Busy {
  std::vector<int64_t> tids;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

// Runs max(4, 2 * cores) threads that spin for `duration`: more runnable threads
// than CPUs, so each waits for a CPU a good part of the time.
Busy RunBusyThreads(absl::Duration duration) {
  const int n = std::max(4u, 2 * std::thread::hardware_concurrency());
  Busy b;
  b.tids.resize(n);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      SetThreadName("busy");  // registers the thread: its perf event opens here
      b.tids[i] = internal::CurrentTid();
      ready.fetch_add(1);
      while (!go) std::this_thread::yield();
      const absl::Time end = absl::Now() + duration;
      volatile uint64_t sink = 0;
      while (absl::Now() < end) {
        for (int k = 0; k < 1000; ++k) sink = sink + 1;
      }
    });
  }
  while (ready.load() < n) std::this_thread::yield();
  b.start_ns = internal::MonotonicNs();
  go = true;
  for (std::thread& t : threads) t.join();
  b.end_ns = internal::MonotonicNs();
  return b;
}

class SchedTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Configure(CurrentOptions()).ok()); }
  void TearDown() override {
    ASSERT_TRUE(SetSchedulerOptions(SchedulerOptions{}).ok());  // back to perf
  }
};

TEST_F(SchedTest, PerfRecordsRunnableTimeOfPreemptedThreads) {
  SchedulerOptions o;
  o.source = SchedulerSource::kPerf;
  ASSERT_TRUE(SetSchedulerOptions(o).ok());
  const Busy b = RunBusyThreads(absl::Seconds(1));
  const SchedulerStats stats = GetSchedulerStats();
  if (stats.records == 0 && !stats.perf_error.empty()) {
    GTEST_SKIP() << "perf refused on this machine: " << stats.perf_error;
  }
  reader::Trace trace = CaptureTrace();
  EXPECT_EQ(trace.Property("scheduler_source"), "perf");

  int64_t runnable = 0, wall = 0;
  for (int64_t tid : b.tids) {
    const reader::Thread* t = FindThread(trace, tid);
    ASSERT_NE(t, nullptr) << tid;
    int64_t out_at = -1;
    int outs = 0, ins = 0;
    int64_t prev = INT64_MIN;
    for (const reader::Event& e : t->events) {
      EXPECT_GE(e.ts_ns, prev);  // scheduler events are merged in time order
      prev = e.ts_ns;
      if (e.type == EventType::kSchedOut) {
        ++outs;
        out_at = (e.payload & format::kSchedPreempted) != 0 ? e.ts_ns : -1;
      } else if (e.type == EventType::kSchedIn) {
        ++ins;
        if (out_at >= 0) {
          const int64_t from = std::max(out_at, b.start_ns), to = std::min(e.ts_ns, b.end_ns);
          if (to > from) runnable += to - from;
        }
        out_at = -1;
      }
    }
    EXPECT_GT(outs, 0) << tid;
    EXPECT_GT(ins, 0) << tid;
    wall += b.end_ns - b.start_ns;
  }
  EXPECT_GE(static_cast<double>(runnable), 0.30 * static_cast<double>(wall))
      << "runnable " << runnable << " ns of " << wall << " ns";
}

TEST_F(SchedTest, SchedstatFallbackIsUsedAndLabelled) {
  SchedulerOptions o;
  o.source = SchedulerSource::kSchedstat;
  ASSERT_TRUE(SetSchedulerOptions(o).ok());
  const Busy b = RunBusyThreads(absl::Milliseconds(500));
  EXPECT_EQ(GetSchedulerStats().threads_perf, 0u);
  reader::Trace trace = CaptureTrace();
  EXPECT_EQ(trace.Property("scheduler_source"), "schedstat");
  EXPECT_NE(trace.Property("scheduler_detail").find("approximate"), std::string::npos);
  int64_t run = 0, wait = 0;
  for (int64_t tid : b.tids) {
    const reader::Thread* t = FindThread(trace, tid);
    ASSERT_NE(t, nullptr) << tid;
    int stats = 0;
    for (const reader::Event& e : t->events) {
      EXPECT_NE(e.type, EventType::kSchedOut);
      if (e.type != EventType::kSchedStat) continue;
      ++stats;
      ASSERT_TRUE(e.has_arg);
      run += static_cast<int64_t>(e.payload);
      wait += e.arg;
    }
    EXPECT_GT(stats, 0) << tid;
  }
  // More threads than CPUs: they ran and they waited.
  EXPECT_GT(run, 0);
  EXPECT_GT(wait, 0);
}

TEST_F(SchedTest, OffRecordsNothingAndSaysSo) {
  SchedulerOptions o;
  o.source = SchedulerSource::kOff;
  ASSERT_TRUE(SetSchedulerOptions(o).ok());
  std::thread([] {
    TRACE_SCOPE("short");
    absl::SleepFor(absl::Milliseconds(5));
  }).join();
  reader::Trace trace = CaptureTrace();
  EXPECT_EQ(trace.Property("scheduler_source"), "none");
  for (const reader::Thread& t : trace.threads) {
    for (const reader::Event& e : t.events) {
      EXPECT_TRUE(e.type != EventType::kSchedIn && e.type != EventType::kSchedOut &&
                  e.type != EventType::kSchedStat);
    }
  }
}

// A child of fork() inherits neither the perf rings (the kernel maps them
// VM_DONTCOPY) nor the collector thread; it must still trace, capture and exit.
TEST_F(SchedTest, ForkedChildTracesCapturesAndExitsCleanly) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan does not support threads in a child of a multi-threaded fork";
#endif
  std::thread([] { TRACE_SCOPE("parent worker"); }).join();
  TRACE_SCOPE("parent");  // this thread has a perf ring now
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::thread([] {
      TRACE_SCOPE("child worker");
      absl::SleepFor(absl::Milliseconds(5));
    }).join();
    std::ostringstream out;
    const bool ok = WriteTrace(out).ok() && out.str().size() > 72;
    std::exit(ok ? 0 : 3);  // runs the thread-exit hooks, as a real child would
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child died with signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The parent's collector still works.
  std::thread([] { TRACE_SCOPE("after fork"); absl::SleepFor(absl::Milliseconds(2)); }).join();
  EXPECT_EQ(CaptureTrace().Property("scheduler_source"), "perf");
}

// Also run by ctest with TRACELANE_SCHED=schedstat (sync_sched_env_schedstat).
TEST(SchedEnvTest, EnvironmentSelectsTheSource) {
  const std::string env = std::getenv("TRACELANE_SCHED") ? std::getenv("TRACELANE_SCHED") : "";
  const SchedulerSource expected = env == "schedstat" ? SchedulerSource::kSchedstat
                                   : env == "off"     ? SchedulerSource::kOff
                                                      : SchedulerSource::kPerf;  // the default
  EXPECT_EQ(CurrentSchedulerOptions().source, expected);
  std::thread([] { TRACE_SCOPE("registered"); }).join();
  if (expected == SchedulerSource::kSchedstat) {
    EXPECT_EQ(CaptureTrace().Property("scheduler_source"), "schedstat");
  }
}

TEST(SchedOptionsTest, RejectsInvalidOptions) {
  SchedulerOptions o;
  o.poll_interval = absl::ZeroDuration();
  EXPECT_TRUE(absl::IsInvalidArgument(SetSchedulerOptions(o)));
  o = SchedulerOptions{};
  o.history_per_thread = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(SetSchedulerOptions(o)));
}

}  // namespace
}  // namespace tracelane
