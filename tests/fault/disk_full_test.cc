// Disk full, simulated with RLIMIT_FSIZE (SIGXFSZ ignored, so writes past the
// limit fail with EFBIG instead of killing the process): every way a trace file
// is written gives a clear error naming the file and the reason, leaves no
// partial or temporary file, and the process stays healthy and recording; once
// space is back, the next capture to a good path succeeds.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tests/fault/fault_test_util.h"
#include "tracelane/tracelane.h"

namespace tracelane {
namespace {

constexpr rlim_t kLimit = 16 << 10;  // a "disk" with 16 KiB free

void Busy() { TRACE_SCOPE("disk_full_busy"); }

// Fills the buffers with enough events that a trace is far larger than kLimit,
// and keeps one thread recording, paced, while the test runs.
class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::thread([] {
      for (int i = 0; i < 200000; ++i) {
        TRACE_COUNTER("disk_full_value", i * 7919 % 100003);
      }
    }).join();
    recorder_ = std::thread([this] {
      while (!stop_.load()) {
        Busy();
        ++recorded_;
        absl::SleepFor(absl::Microseconds(200));
      }
    });
    sigaction(SIGXFSZ, nullptr, &old_xfsz_);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &ignore, nullptr);
    getrlimit(RLIMIT_FSIZE, &old_limit_);
  }
  void TearDown() override {
    DiskHasRoom();
    sigaction(SIGXFSZ, &old_xfsz_, nullptr);
    stop_ = true;
    recorder_.join();
  }
  void DiskIsFull() {
    rlimit small = old_limit_;
    small.rlim_cur = kLimit;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  }
  void DiskHasRoom() { setrlimit(RLIMIT_FSIZE, &old_limit_); }

  // A capture once the disk has room again: it succeeds and holds events
  // recorded while the disk was full.
  void ExpectRecoveryCapture(const std::string& path, uint64_t recorded_while_full) {
    DiskHasRoom();
    CaptureOptions o;
    o.seconds = 60;
    absl::Status s = CaptureToFile(o, path);
    ASSERT_TRUE(s.ok()) << s;
    absl::StatusOr<reader::Trace> t = reader::ReadTrace(path);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_GE(testing::CountNamed(*t, "disk_full_busy"), recorded_while_full);
  }

  testing::TempDir dir_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> recorded_{0};
  std::thread recorder_;
  struct sigaction old_xfsz_ {};
  rlimit old_limit_{};
};

TEST_F(DiskFullTest, CaptureToFileSaysWhyAndLeavesNoFile) {
  const std::string path = dir_.path() + "/full.tlt";
  DiskIsFull();
  const uint64_t before = recorded_.load();
  CaptureOptions o;
  o.seconds = 60;
  CaptureStats stats;
  absl::Status s = CaptureToFile(o, path, &stats);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), path)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "File too large")) << s;
  EXPECT_GT(stats.bytes, kLimit);
  EXPECT_TRUE(dir_.Files().empty()) << dir_.Files()[0];  // no partial, no temporary file
  testing::Figure("error", s.ToString());
  testing::Figure("trace_bytes", stats.bytes);
  testing::Figure("limit_bytes", kLimit);
  // The process records on while the disk is full.
  for (int i = 0; i < 5000 && recorded_.load() < before + 20; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  const uint64_t while_full = recorded_.load() - before;
  EXPECT_GE(while_full, 20u);
  ExpectRecoveryCapture(dir_.path() + "/after.tlt", while_full);
}

TEST_F(DiskFullTest, WriteTraceSaysWhyAndLeavesNoFile) {
  const std::string path = dir_.path() + "/full.tlt";
  DiskIsFull();
  absl::Status s = WriteTrace(path);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), path)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "File too large")) << s;
  EXPECT_TRUE(dir_.Files().empty());
  testing::Figure("error", s.ToString());
  ExpectRecoveryCapture(dir_.path() + "/after.tlt", 0);
}

TEST_F(DiskFullTest, SignalTriggerReportsTheFailureAndCapturesAgainLater) {
  SignalTriggerOptions o;
  o.directory = dir_.path();
  o.last_seconds = 60;
  ASSERT_TRUE(EnableSignalTrigger(o).ok());
  const uint64_t written = SignalCapturesWritten();
  // stderr into a file of our own, read while the trigger works.
  testing::TempDir log_dir;
  const std::string log_path = log_dir.path() + "/stderr.txt";
  std::fflush(stderr);
  const int saved_stderr = dup(2);
  std::FILE* log_file = std::fopen(log_path.c_str(), "w+");
  ASSERT_NE(log_file, nullptr);
  dup2(fileno(log_file), 2);
  DiskIsFull();
  raise(SIGUSR2);
  // The failure is reported on stderr; nothing is counted as written.
  std::string log;
  for (int i = 0; i < 20000 && !absl::StrContains(log, "\n"); ++i) {
    absl::SleepFor(absl::Milliseconds(1));
    std::ifstream in(log_path);
    log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::fflush(stderr);
  dup2(saved_stderr, 2);
  close(saved_stderr);
  std::fclose(log_file);
  EXPECT_TRUE(absl::StrContains(log, "capture failed")) << log;
  EXPECT_TRUE(absl::StrContains(log, "File too large")) << log;
  EXPECT_EQ(SignalCapturesWritten(), written);
  EXPECT_TRUE(dir_.Files().empty());
  testing::Figure("log", log.substr(0, log.find('\n')));
  DiskHasRoom();
  raise(SIGUSR2);
  for (int i = 0; i < 20000 && SignalCapturesWritten() == written; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(SignalCapturesWritten(), written + 1);
  ASSERT_EQ(dir_.Files(".tlt").size(), 1u);
  EXPECT_TRUE(reader::ReadTrace(dir_.Files(".tlt")[0]).ok());
  DisableSignalTrigger();
}

}  // namespace
}  // namespace tracelane
