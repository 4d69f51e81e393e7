// The viewer's live capture (the Capture dialog's job, without ImGui) against
// the real endpoint served by this process: a last-N and a next-N capture give
// files that load; a refused connection, a missing token, a silent server and a
// cancel give errors the dialog can show.
#include "viewer/gui/capture_job.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tracelane/tracelane.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/scope_stats.h"

namespace tracelane::gui {
namespace {

using Clock = std::chrono::steady_clock;

void Work() { TRACE_SCOPE("capture_job_work"); }

std::string TempPath(const std::string& name) {
  return absl::StrCat(::testing::TempDir(), "capture_job_", getpid(), "_", name);
}

class CaptureJobTest : public ::testing::Test {
 protected:
  void StartServer(const std::string& token = "") {
    EndpointOptions o;
    o.timeout_seconds = 2;
    o.token = token;
    ASSERT_TRUE(StartEndpoint("127.0.0.1:0", o).ok());
    address_ = EndpointAddress();
  }
  void TearDown() override { StopEndpoint(); }

  CaptureJobOptions Options(bool last, double seconds, const std::string& file) {
    CaptureJobOptions o;
    o.request.address = address_;
    o.request.last = last;
    o.request.seconds = seconds;
    o.request.timeout_seconds = 5;
    o.path = TempPath(file);
    std::remove(o.path.c_str());
    return o;
  }
  std::string address_;
};

uint64_t CountScopes(const analysis::Model& m, const std::string& name) {
  uint64_t count = 0, cut = 0;
  analysis::NthSlowest(m, name, 1, &count, &cut);
  return count + cut;
}

TEST_F(CaptureJobTest, LastAndNextCapturesWriteFilesThatLoad) {
  StartServer();
  std::thread([] {
    for (int i = 0; i < 500; ++i) Work();
  }).join();
  CaptureJob last(Options(/*last=*/true, 5, "last.tlt"));
  absl::StatusOr<std::string> path = last.Wait();
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, TempPath("last.tlt"));
  EXPECT_EQ(last.phase(), CapturePhase::kDone);
  EXPECT_EQ(last.fraction(), 1.0f);
  absl::StatusOr<analysis::Model> m = analysis::LoadModel(*path);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(CountScopes(*m, "capture_job_work"), 500u);

  // The next second: progress moves through the recording window, and the
  // scopes run meanwhile are in the file.
  CaptureJob next(Options(/*last=*/false, 1, "next.tlt"));
  std::thread worker([] {
    for (int i = 0; i < 20; ++i) {
      Work();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  worker.join();
  bool saw_recording = false;
  while (next.phase() != CapturePhase::kDone) {
    if (next.phase() == CapturePhase::kRecording && next.fraction() > 0) saw_recording = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(saw_recording);
  path = next.Wait();
  ASSERT_TRUE(path.ok()) << path.status();
  m = analysis::LoadModel(*path);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_GE(CountScopes(*m, "capture_job_work"), 1u);
  EXPECT_LE(CountScopes(*m, "capture_job_work"), 20u);
  std::remove(TempPath("last.tlt").c_str());
  std::remove(TempPath("next.tlt").c_str());
}

TEST_F(CaptureJobTest, RefusedConnectionIsExplained) {
  StartServer();
  const std::string addr = address_;
  StopEndpoint();  // nothing listens on the port now
  CaptureJob job(Options(/*last=*/true, 1, "refused.tlt"));
  absl::StatusOr<std::string> r = job.Wait();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
  EXPECT_NE(r.status().message().find(absl::StrCat("cannot connect to ", addr)), std::string::npos)
      << r.status();
  EXPECT_NE(r.status().message().find("refused"), std::string::npos) << r.status();
  FILE* f = std::fopen(TempPath("refused.tlt").c_str(), "r");
  EXPECT_EQ(f, nullptr) << "no file for a failed capture";
  if (f != nullptr) std::fclose(f);
}

TEST_F(CaptureJobTest, MissingTokenGives401WithTheServersMessage) {
  StartServer("s3cret");
  CaptureJob job(Options(/*last=*/true, 1, "401.tlt"));
  absl::StatusOr<std::string> r = job.Wait();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsUnauthenticated(r.status())) << r.status();
  EXPECT_NE(r.status().message().find("answered 401"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("bearer token"), std::string::npos) << r.status();

  CaptureJobOptions o = Options(/*last=*/true, 1, "token.tlt");
  o.request.token = "s3cret";
  CaptureJob ok(o);
  absl::StatusOr<std::string> path = ok.Wait();
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_TRUE(analysis::LoadModel(*path).ok());
  std::remove(path->c_str());
}

TEST_F(CaptureJobTest, BadRequestShowsTheServersMessage) {
  StartServer();
  CaptureJob job(Options(/*last=*/false, 100, "400.tlt"));  // over the 60 s maximum
  absl::StatusOr<std::string> r = job.Wait();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
  EXPECT_NE(r.status().message().find("answered 400"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("at most 60 seconds"), std::string::npos) << r.status();
}

TEST_F(CaptureJobTest, SilentServerTimesOut) {
  // A port that accepts connections (backlog) but never answers.
  const int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(silent, 4), 0);
  socklen_t len = sizeof(a);
  getsockname(silent, reinterpret_cast<sockaddr*>(&a), &len);
  address_ = absl::StrCat("127.0.0.1:", ntohs(a.sin_port));
  CaptureJobOptions o = Options(/*last=*/true, 1, "silent.tlt");
  o.request.timeout_seconds = 1;
  CaptureJob job(o);
  absl::StatusOr<std::string> r = job.Wait();
  close(silent);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_NE(r.status().message().find("no complete answer"), std::string::npos) << r.status();
}

TEST_F(CaptureJobTest, CancelStopsARecordingAtOnce) {
  StartServer();
  CaptureJob job(Options(/*last=*/false, 30, "cancel.tlt"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(job.phase(), CapturePhase::kRecording);
  const Clock::time_point t0 = Clock::now();
  job.Cancel();
  absl::StatusOr<std::string> r = job.Wait();
  const double waited = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsCancelled(r.status())) << r.status();
  EXPECT_LT(waited, 10.0) << "cancel waited for the 30 s window";
}

TEST(CaptureTargetTest, ParsesAddressesAndRejectsBadOnes) {
  absl::StatusOr<CaptureTarget> t = ParseCaptureTarget("http://127.0.0.1:6060/debug/");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 6060);
  t = ParseCaptureTarget("[::1]:7000");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ToString(), "[::1]:7000");
  EXPECT_FALSE(ParseCaptureTarget("localhost").ok());
  EXPECT_FALSE(ParseCaptureTarget("localhost:99999").ok());
  EXPECT_NE(ParseCaptureTarget("nope").status().message().find("HOST:PORT"), std::string::npos);
  CaptureRequest r;
  r.seconds = 2.5;
  EXPECT_EQ(CaptureQuery(r), "seconds=2.5");
  r.last = true;
  r.seconds = 10;
  EXPECT_EQ(CaptureQuery(r), "last=10");
}

}  // namespace
}  // namespace tracelane::gui
