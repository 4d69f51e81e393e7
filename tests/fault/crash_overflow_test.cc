// Crash capture from a thread other than the one that enabled it, on a stack
// overflow: every thread that registers while crash capture is enabled gets an
// alternate signal stack (unless the application set one, which is kept), so
// the SIGSEGV of an overflow is handled on that thread and the trace is written.
// The stacks are freed when the threads exit.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tests/fault/fault_test_util.h"
#include "tracelane/tracelane.h"
#include "tracer/capture/crash_testing.h"

#ifndef TRACELANE_OVERFLOW_CHILD_PATH
#error "TRACELANE_OVERFLOW_CHILD_PATH must name the overflow_child helper"
#endif

namespace tracelane {
namespace {

using format::EventType;

int RunChild(const std::string& dir, const char* mode) {
  const pid_t pid = fork();
  if (pid == 0) {
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    const char* argv[] = {TRACELANE_OVERFLOW_CHILD_PATH, dir.c_str(), mode, nullptr};
    execv(argv[0], const_cast<char**>(argv));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

void ExpectOverflowCaptured(const char* mode) {
  testing::TempDir dir;
  const int status = RunChild(dir.path(), mode);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);  // still dies of the overflow
  std::vector<std::string> files = dir.Files(".tlt");
  ASSERT_EQ(files.size(), 1u) << "no crash trace: the overflow was not handled";
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(files[0]);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->Property("crash_signal"), "SIGSEGV");
  const reader::Thread* victim = testing::ThreadByName(*t, "overflow-victim");
  const reader::Thread* main = testing::ThreadByName(*t, "overflow-main");
  ASSERT_NE(victim, nullptr);
  ASSERT_NE(main, nullptr);
  EXPECT_NE(victim->tid, main->tid);
  // The crash marker is on the overflowing thread, after its deepest scope.
  ASSERT_FALSE(victim->events.empty());
  const reader::Event& marker = victim->events.back();
  EXPECT_EQ(marker.type, EventType::kInstant);
  EXPECT_EQ(t->LocationOf(marker)->name, "tracelane: crash signal");
  EXPECT_EQ(marker.arg, SIGSEGV);
  const size_t depth = testing::CountNamed(*t, "recurse");
  EXPECT_GT(depth, 100u);
  EXPECT_EQ(testing::CountNamed(*t, "recurse", EventType::kScopeEnd), 0u);  // none returned
  testing::Figure("recursion_depth", depth);
  testing::Figure("trace_bytes", std::filesystem::file_size(files[0]));
}

TEST(CrashOverflow, StackOverflowOnAnotherThreadIsCaptured) { ExpectOverflowCaptured("ours"); }

TEST(CrashOverflow, TheApplicationsOwnAlternateStackIsKeptAndUsed) {
  ExpectOverflowCaptured("app");
}

// In-process: stacks are given at registration, kept when the application has
// one, and freed at exit.
TEST(CrashOverflow, AlternateStacksAreGivenAtRegistrationAndFreedAtExit) {
  testing::TempDir dir;
  CrashCaptureOptions o;
  o.directory = dir.path();
  ASSERT_TRUE(EnableCrashCapture(o).ok());
  const int64_t live0 = internal::CrashAltStacksLiveForTesting();
  std::thread([&] {
    TRACE_SCOPE("gets_one");
    stack_t now{};
    ASSERT_EQ(sigaltstack(nullptr, &now), 0);
    EXPECT_FALSE(now.ss_flags & SS_DISABLE);
    EXPECT_GE(now.ss_size, size_t{32} << 10);
    EXPECT_EQ(internal::CrashAltStacksLiveForTesting(), live0 + 1);
  }).join();
  EXPECT_EQ(internal::CrashAltStacksLiveForTesting(), live0);
  static char own[64 << 10];
  std::thread([&] {
    stack_t ss{};
    ss.ss_sp = own;
    ss.ss_size = sizeof(own);
    ASSERT_EQ(sigaltstack(&ss, nullptr), 0);
    TRACE_SCOPE("has_its_own");
    stack_t now{};
    ASSERT_EQ(sigaltstack(nullptr, &now), 0);
    EXPECT_EQ(now.ss_sp, static_cast<void*>(own));
    EXPECT_EQ(internal::CrashAltStacksLiveForTesting(), live0);
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
  }).join();
  DisableCrashCapture();
  std::thread([&] {
    TRACE_SCOPE("after_disable");
    EXPECT_EQ(internal::CrashAltStacksLiveForTesting(), live0);  // none given any more
  }).join();
}

}  // namespace
}  // namespace tracelane
