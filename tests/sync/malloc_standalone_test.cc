// libtracelane_malloc.so preloaded into a program without tracelane: it records
// with its own copy of the recorder and writes TRACELANE_MALLOC_TRACE at exit.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/sync/alloc_pause_util.h"
#include "viewer/lib/trace_reader.h"

extern char** environ;

namespace tracelane {
namespace {

TEST(MallocStandaloneTest, PreloadedIntoAPlainProgramWritesItsOwnTrace) {
  const std::string out = absl::StrCat(::testing::TempDir(), "/standalone-", getpid(), ".tlt");
  std::remove(out.c_str());
  std::vector<std::string> env_strings = {
      absl::StrCat("LD_PRELOAD=", TRACELANE_MALLOC_SO),
      "TRACELANE_ALLOC_PAUSE_US=0",
      absl::StrCat("TRACELANE_MALLOC_TRACE=", out),
  };
  std::vector<char*> env;
  for (std::string& s : env_strings) env.push_back(s.data());
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  env.push_back(nullptr);
  std::string helper = TRACELANE_STANDALONE_HELPER;
  char* argv[] = {helper.data(), nullptr};
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, helper.c_str(), nullptr, nullptr, argv, env.data()), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  absl::StatusOr<reader::Trace> trace = reader::ReadTrace(out);
  ASSERT_TRUE(trace.ok()) << trace.status();
  bool found = false;
  for (const reader::Thread& t : trace->threads) {
    for (const testing::Pause& p : testing::PausesOf(*trace, t)) {
      found |= p.op == "malloc" && p.size == (int64_t{64} << 20);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_NE(trace->Property("scheduler_source"), "");
  std::remove(out.c_str());
}

}  // namespace
}  // namespace tracelane
