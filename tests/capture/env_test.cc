// Environment-driven start-up, in a child process that never calls the capture
// API: TRACELANE_ENDPOINT serves, TRACELANE_SIGNAL_DIR answers SIGUSR2,
// TRACELANE_CRASH_DIR writes a crash trace. Also proves the autostart object is
// linked into programs that reference nothing from it.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"

#ifndef TRACELANE_ENV_CHILD_PATH
#error "TRACELANE_ENV_CHILD_PATH must name the env_child helper"
#endif

namespace tracelane {
namespace {

using testing::TempDir;

// Starts the helper with extra environment variables; returns its pid.
pid_t Spawn(const std::vector<std::string>& env, const char* seconds, const char* mode = nullptr) {
  const pid_t pid = fork();
  if (pid == 0) {
    for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    const char* argv[] = {TRACELANE_ENV_CHILD_PATH, seconds, mode, nullptr};
    execv(argv[0], const_cast<char**>(argv));
    _exit(127);
  }
  return pid;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

TEST(Environment, EndpointStartsFromTracelaneEndpoint) {
  const int port = FreePort();
  const pid_t pid = Spawn({absl::StrCat("TRACELANE_ENDPOINT=127.0.0.1:", port)}, "20");
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1, 0);
  // The endpoint can answer before the child's first tick (on a busy machine,
  // long before): poll until a capture holds one, for up to 10 s.
  httplib::Result r = client.Get("/debug/tracelane/trace?last=5");
  reader::Trace t;
  for (int i = 0; i < 200; ++i) {
    if (r && r->status == 200) {
      t = testing::Decode(r->body);
      if (testing::CountNamed(t, "env_tick") > 0) break;
    }
    absl::SleepFor(absl::Milliseconds(50));
    r = client.Get("/debug/tracelane/trace?last=5");
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_GT(testing::CountNamed(t, "env_tick"), 0u);
  EXPECT_NE(testing::ThreadByName(t, "env-main"), nullptr);
}

TEST(Environment, NonLoopbackEndpointWithoutTokenIsRefusedWithAMessage) {
  TempDir dir;
  const std::string log = dir.path() + "/stderr.txt";
  const pid_t pid = fork();
  if (pid == 0) {
    if (freopen(log.c_str(), "w", stderr) == nullptr) _exit(126);
    putenv(const_cast<char*>("TRACELANE_ENDPOINT=0.0.0.0:0"));
    const char* argv[] = {TRACELANE_ENV_CHILD_PATH, "0", nullptr};
    execv(argv[0], const_cast<char**>(argv));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);  // the program runs on
  FILE* f = fopen(log.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char buf[1024] = {};
  EXPECT_GT(fread(buf, 1, sizeof(buf) - 1, f), 0u);
  fclose(f);
  EXPECT_NE(std::string(buf).find("TRACELANE_ENDPOINT=0.0.0.0:0"), std::string::npos) << buf;
  EXPECT_NE(std::string(buf).find("token"), std::string::npos) << buf;
}

TEST(Environment, SignalDirAnswersSigusr2) {
  TempDir dir;
  const pid_t pid = Spawn({"TRACELANE_SIGNAL_DIR=" + dir.path(), "TRACELANE_SIGNAL_SECONDS=2"},
                          "20");
  absl::SleepFor(absl::Milliseconds(500));  // past start-up, with some data
  kill(pid, SIGUSR2);
  std::vector<std::string> files;
  for (int i = 0; i < 200 && files.empty(); ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    files = dir.Files(".tlt");
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_EQ(files.size(), 1u);
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(files[0]);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_GT(testing::CountNamed(*t, "env_tick"), 0u);
  EXPECT_EQ(t->Property("trigger"), "signal");
  EXPECT_EQ(t->Property("capture_seconds"), "2");
}

TEST(Environment, CrashDirWritesACrashTrace) {
  TempDir dir;
  const pid_t pid = Spawn({"TRACELANE_CRASH_DIR=" + dir.path()}, "0.3", "crash");
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGABRT);
  std::vector<std::string> files = dir.Files(".tlt");
  ASSERT_EQ(files.size(), 1u);
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(files[0]);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_GT(testing::CountNamed(*t, "env_tick"), 0u);
  EXPECT_EQ(t->Property("capture_mode"), "crash");
}

}  // namespace
}  // namespace tracelane
