// Crash capture: a child process traces, then dies of SIGSEGV or SIGABRT; the
// trace it leaves opens in the reader and holds its final scopes.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tracelane/format.h"
#include "viewer/lib/trace_reader.h"

#ifndef TRACELANE_CRASH_CHILD_PATH
#error "TRACELANE_CRASH_CHILD_PATH must name the crash_child helper"
#endif

namespace tracelane {
namespace {

using format::EventType;
using testing::TempDir;

// Runs the helper and returns its wait status.
int RunChild(const std::string& dir, const char* how, const char* limit = nullptr) {
  const pid_t pid = fork();
  if (pid == 0) {
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    const char* argv[] = {TRACELANE_CRASH_CHILD_PATH, dir.c_str(), how, limit, nullptr};
    execv(argv[0], const_cast<char**>(argv));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

std::string LastLocationBegun(const reader::Trace& t, const reader::Thread& th, int back) {
  int seen = 0;
  for (auto it = th.events.rbegin(); it != th.events.rend(); ++it) {
    if (it->type != EventType::kScopeBegin) continue;
    if (seen++ == back) return t.LocationOf(*it)->name;
  }
  return "";
}

TEST(CrashCapture, SegfaultLeavesATraceWithTheFinalScopes) {
  TempDir dir;
  const int status = RunChild(dir.path(), "segv");
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);  // the process still dies of the signal
  std::vector<std::string> files = dir.Files(".tlt");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].find("tracelane-crash-"), std::string::npos);
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(files[0]);  // strict: no damage
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->complete);
  EXPECT_EQ(t->Property("capture_mode"), "crash");
  EXPECT_EQ(t->Property("crash_signal"), "SIGSEGV");
  EXPECT_EQ(t->Property("crash_write").rfind("complete:", 0), 0u) << t->Property("crash_write");

  const reader::Thread* main = testing::ThreadByName(*t, "crash-main");
  ASSERT_NE(main, nullptr);
  // The last scopes entered, innermost first, were never closed.
  EXPECT_EQ(LastLocationBegun(*t, *main, 0), "final_inner");
  EXPECT_EQ(LastLocationBegun(*t, *main, 1), "final_outer");
  EXPECT_EQ(testing::CountNamed(*t, "main_step"), 100000u);
  EXPECT_EQ(testing::CountNamed(*t, "main_step", EventType::kScopeEnd), 100000u);
  // The crash marker carries the signal number.
  ASSERT_FALSE(main->events.empty());
  const reader::Event& marker = main->events.back();
  EXPECT_EQ(marker.type, EventType::kInstant);
  EXPECT_EQ(t->LocationOf(marker)->name, "tracelane: crash signal");
  EXPECT_EQ(marker.arg, SIGSEGV);

  // The exited worker's data is all there: start + 2 per scope + exit.
  const reader::Thread* worker = testing::ThreadByName(*t, "crash-worker");
  ASSERT_NE(worker, nullptr);
  EXPECT_TRUE(worker->exited);
  EXPECT_EQ(worker->events.size(), 2u * 20000 + 2);
  EXPECT_EQ(t->dropped + t->overwritten, 0u);
  // As in any trace, each distinct string is stored once.
  EXPECT_EQ(std::set<std::string>(t->strings.begin(), t->strings.end()).size(), t->strings.size());
}

TEST(CrashCapture, AbortIsCapturedToo) {
  TempDir dir;
  const int status = RunChild(dir.path(), "abort");
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGABRT);
  std::vector<std::string> files = dir.Files(".tlt");
  ASSERT_EQ(files.size(), 1u);
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(files[0]);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->Property("crash_signal"), "SIGABRT");
  EXPECT_EQ(testing::CountNamed(*t, "final_inner"), 1u);
}

TEST(CrashCapture, AWriteCutShortSaysHowFarItGot) {
  TempDir dir;
  // The file may grow to 64 KiB only: tables fit, most event blocks do not.
  const int status = RunChild(dir.path(), "segv", "65536");
  ASSERT_TRUE(WIFSIGNALED(status));
  std::vector<std::string> files = dir.Files(".tlt");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_FALSE(reader::ReadTrace(files[0]).ok());  // strict reading refuses it
  reader::ReadOptions salvage;
  salvage.salvage = true;
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(files[0], salvage);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->complete);
  const std::string progress = t->Property("crash_write");
  EXPECT_EQ(progress.rfind("incomplete: tables written", 0), 0u) << progress;
  EXPECT_GT(t->event_count, 0u);
  EXPECT_LT(t->event_count, 240000u);
}

}  // namespace
}  // namespace tracelane
