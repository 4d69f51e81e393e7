// `tracelane capture` against an endpoint in this process, then `tracelane info`.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tracelane/tracelane.h"

#ifndef TRACELANE_CLI_PATH
#error "TRACELANE_CLI_PATH must name the tracelane CLI binary"
#endif

namespace tracelane {
namespace {

using testing::TempDir;

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliRun RunCli(const std::string& args) {
  CliRun run;
  const std::string cmd = absl::StrCat(TRACELANE_CLI_PATH, " ", args, " 2>&1 </dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) run.output.append(buf, n);
  const int status = pclose(p);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

void Work() { TRACE_SCOPE("cli_work"); }

class CliCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EndpointOptions o;
    o.timeout_seconds = 2;
    ASSERT_TRUE(StartEndpoint("127.0.0.1:0", o).ok());
    address_ = EndpointAddress();
  }
  void TearDown() override { StopEndpoint(); }
  std::string address_;
};

TEST_F(CliCaptureTest, CapturesLastAndNextThenInfoReadsTheFile) {
  TempDir dir;
  std::thread([] {
    for (int i = 0; i < 1000; ++i) Work();
  }).join();
  const std::string last = dir.path() + "/last.tlt";
  CliRun r = RunCli(absl::StrCat("capture ", address_, " --last 5 -o ", last));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("wrote " + last), std::string::npos) << r.output;
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(last);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(testing::CountNamed(*t, "cli_work"), 1000u);

  CliRun info = RunCli(absl::StrCat("info ", last));
  EXPECT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("events"), std::string::npos);

  // Not a TTY here: plain progress lines, no carriage returns.
  const std::string next = dir.path() + "/next.tlt";
  r = RunCli(absl::StrCat("capture http://", address_, "/ --seconds 1 -o ", next));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("recording the next 1 s"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find('\r'), std::string::npos);
  EXPECT_TRUE(reader::ReadTrace(next).ok());
}

TEST_F(CliCaptureTest, ReportsServerErrorsAndRefusedConnections) {
  CliRun r = RunCli(absl::StrCat("capture ", address_, " --seconds 100"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("answered 400"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("at most 60 seconds"), std::string::npos) << r.output;

  r = RunCli(absl::StrCat("capture ", address_, " --seconds 1 --last 1"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("not both"), std::string::npos) << r.output;

  const std::string addr = address_;
  StopEndpoint();  // nothing listens on the port now
  r = RunCli(absl::StrCat("capture ", addr, " --last 1 --timeout 2"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("cannot connect"), std::string::npos) << r.output;

  // A port that accepts connections (backlog) but never answers: a timeout.
  const int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(silent, 4), 0);
  socklen_t len = sizeof(a);
  getsockname(silent, reinterpret_cast<sockaddr*>(&a), &len);
  r = RunCli(absl::StrCat("capture 127.0.0.1:", ntohs(a.sin_port), " --last 1 --timeout 1"));
  close(silent);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("no complete answer"), std::string::npos) << r.output;

  r = RunCli("capture not-an-address");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("HOST:PORT"), std::string::npos) << r.output;
}

TEST_F(CliCaptureTest, TokenIsSentAnd401IsExplained) {
  StopEndpoint();
  EndpointOptions o;
  o.token = "tok";
  ASSERT_TRUE(StartEndpoint("127.0.0.1:0", o).ok());
  address_ = EndpointAddress();
  CliRun r = RunCli(absl::StrCat("capture ", address_, " --last 1"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("answered 401"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--token"), std::string::npos) << r.output;
  TempDir dir;
  r = RunCli(absl::StrCat("capture ", address_, " --last 1 --token tok -o ", dir.path(), "/t.tlt"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace
}  // namespace tracelane
