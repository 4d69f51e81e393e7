// The HTTP endpoint, exercised with cpp-httplib's client: captures over HTTP,
// auth, parameter errors, concurrency and timeouts.
#include <arpa/inet.h>
#include <signal.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tracelane/tracelane.h"
#include "tracer/capture/endpoint_util.h"

namespace tracelane {
namespace {

using testing::CountNamed;
using testing::Decode;
using testing::FirstEventNs;

void EmitEarly() { TRACE_SCOPE("http_early"); }
void EmitDuring() { TRACE_SCOPE("http_during"); }
void EmitOld() { TRACE_SCOPE("http_old"); }
void EmitRecent() { TRACE_SCOPE("http_recent"); }

EndpointOptions Workers(int n) {
  EndpointOptions o;
  o.workers = n;
  return o;
}
EndpointOptions Token(const std::string& token) {
  EndpointOptions o;
  o.token = token;
  return o;
}

int PortOf(const std::string& address) {
  absl::StatusOr<internal::HostPort> hp = internal::ParseHostPort(address);
  return hp.ok() ? hp->port : -1;
}

// An endpoint on an ephemeral loopback port for the duration of a test.
class EndpointTest : public ::testing::Test {
 protected:
  void Start(EndpointOptions options = {}, const std::string& address = "127.0.0.1:0") {
    options.timeout_seconds = 1;
    absl::Status s = StartEndpoint(address, options);
    ASSERT_TRUE(s.ok()) << s;
    port_ = PortOf(EndpointAddress());
    ASSERT_GT(port_, 0);
  }
  void TearDown() override { StopEndpoint(); }

  httplib::Client Client(double read_timeout_s = 10) {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(static_cast<time_t>(read_timeout_s), 0);
    return c;
  }
  int Status(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Result r = Client().Get(path, headers);
    return r ? r->status : -1;
  }

  int port_ = 0;
};

TEST_F(EndpointTest, NextOverHttpHoldsTheWindowOnly) {
  Start();
  std::thread([] {
    for (int i = 0; i < 100; ++i) EmitEarly();
  }).join();
  absl::SleepFor(absl::Milliseconds(300));
  auto response = std::async(std::launch::async, [this] {
    return Client().Get("/debug/tracelane/trace?seconds=1");
  });
  for (int i = 0; i < 5000 && !GetFlightRecorderStatus().next_capture_running; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_TRUE(GetFlightRecorderStatus().next_capture_running);
  std::thread([] {
    for (int i = 0; i < 300; ++i) EmitDuring();
  }).join();
  httplib::Result r = response.get();
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/octet-stream");
  reader::Trace t = Decode(r->body);
  EXPECT_EQ(CountNamed(t, "http_during"), 300u);
  EXPECT_EQ(CountNamed(t, "http_early"), 0u);
  EXPECT_GE(FirstEventNs(t), t.capture_start_ns);
  EXPECT_EQ(t.Property("capture_mode"), "next");
  EXPECT_EQ(t.Property("trigger"), "http");
  uint64_t header_events = 0;
  ASSERT_TRUE(absl::SimpleAtoi(r->get_header_value("X-Tracelane-Events"), &header_events));
  EXPECT_EQ(header_events, t.event_count);
}

TEST_F(EndpointTest, LastOverHttpHoldsTheLastSeconds) {
  Start();
  testing::EmitOldThenRecent(EmitOld, EmitRecent);
  httplib::Result r = Client().Get("/debug/tracelane/trace?last=1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  reader::Trace t = Decode(r->body);
  EXPECT_EQ(CountNamed(t, "http_recent"), 200u);
  EXPECT_EQ(CountNamed(t, "http_old"), 0u);
  EXPECT_EQ(t.Property("capture_mode"), "last");
}

TEST_F(EndpointTest, BadParametersAndPathsGetTheDocumentedStatus) {
  Start();
  const std::pair<const char*, int> cases[] = {
      {"/debug/tracelane/trace?seconds=abc", 400}, {"/debug/tracelane/trace?seconds=0", 400},
      {"/debug/tracelane/trace?seconds=61", 400},  {"/debug/tracelane/trace?last=0", 400},
      {"/debug/tracelane/trace?last=-2", 400},     {"/debug/tracelane/trace?last=1e3", 400},
      {"/debug/tracelane/trace?last=", 400},       {"/debug/tracelane/trace?seconds=1&last=1", 400},
      {"/debug/tracelane/trace?last=1&last=2", 400}, {"/debug/nope", 404},
      {"/", 404},                                   {"/debug/tracelane/trace/x", 404},
  };
  for (const auto& [path, status] : cases) {
    httplib::Result r = Client().Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, status) << path;
    EXPECT_NE(r->body.find("tracelane endpoint:"), std::string::npos) << path << ": " << r->body;
  }
  httplib::Result index = Client().Get("/debug/tracelane/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("<h1>tracelane</h1>"), std::string::npos);
  EXPECT_NE(index->body.find("trace?seconds=5"), std::string::npos);
  EXPECT_NE(index->body.find("events dropped"), std::string::npos);
  EXPECT_EQ(Status("/debug/tracelane"), 302);
}

TEST_F(EndpointTest, ConcurrentCapturesGiveOne200AndOne409) {
  Start();
  auto a = std::async(std::launch::async,
                      [this] { return Status("/debug/tracelane/trace?seconds=1"); });
  auto b = std::async(std::launch::async,
                      [this] { return Status("/debug/tracelane/trace?seconds=1"); });
  std::vector<int> got = {a.get(), b.get()};
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int>{200, 409}));
}

// Opens a TCP connection to the endpoint and sends nothing.
int ConnectIdle(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  return fd;
}

TEST_F(EndpointTest, SilentClientsDoNotBlockALaterCaptureBeyondTheTimeout) {
  // Two workers, both taken by clients that connect and never send a byte: the
  // capture can only be served once the server's 1 s timeout frees a worker.
  Start(Workers(2));
  const int idle1 = ConnectIdle(port_);
  const int idle2 = ConnectIdle(port_);
  absl::SleepFor(absl::Milliseconds(100));  // let the workers pick them up
  const absl::Time t0 = absl::Now();
  httplib::Result r = Client(/*read_timeout_s=*/8).Get("/debug/tracelane/trace?last=1");
  const absl::Duration took = absl::Now() - t0;
  close(idle1);
  close(idle2);
  ASSERT_TRUE(r) << httplib::to_string(r.error()) << " after " << took;
  EXPECT_EQ(r->status, 200);
}

TEST_F(EndpointTest, ClientsHangingUpMidResponseDoNotHurtTheProcess) {
  struct sigaction before {}, after {};
  sigaction(SIGPIPE, nullptr, &before);
  Start();
  sigaction(SIGPIPE, nullptr, &after);
  EXPECT_EQ(before.sa_handler, after.sa_handler);  // the program's SIGPIPE is untouched
  // A trace large enough that the server is still writing when the client resets.
  std::thread([] {
    for (int i = 0; i < 300000; ++i) EmitRecent();
  }).join();
  for (int round = 0; round < 3; ++round) {
    const int fd = ConnectIdle(port_);
    const std::string req = "GET /debug/tracelane/trace?last=60 HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
    char buf[256];
    ASSERT_GT(read(fd, buf, sizeof(buf)), 0);  // the response has started
    linger reset{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    close(fd);  // RST: the server's next send fails
  }
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(Status("/debug/tracelane/trace?last=1"), 200);  // still alive and serving
}

TEST_F(EndpointTest, NonLoopbackNeedsAToken) {
  absl::Status s = StartEndpoint("0.0.0.0:0");
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_NE(s.message().find("token"), std::string::npos);
  EXPECT_EQ(EndpointAddress(), "");
  Start(Token("s3cret"), "0.0.0.0:0");
  EXPECT_EQ(Status("/debug/tracelane/"), 401);
  EXPECT_EQ(Status("/debug/tracelane/", {{"Authorization", "Bearer wrong"}}), 401);
  EXPECT_EQ(Status("/debug/tracelane/trace?last=1", {{"Authorization", "Bearer s3cret2"}}), 401);
  EXPECT_EQ(Status("/debug/tracelane/", {{"Authorization", "s3cret"}}), 401);
  EXPECT_EQ(Status("/debug/tracelane/", {{"Authorization", "Bearer s3cret"}}), 200);
  EXPECT_EQ(Status("/debug/tracelane/trace?last=1", {{"Authorization", "Bearer s3cret"}}), 200);
}

TEST_F(EndpointTest, LoopbackWithTokenAlsoChecksIt) {
  Start(Token("t"));
  EXPECT_EQ(Status("/debug/tracelane/trace?last=1"), 401);
  EXPECT_EQ(Status("/debug/tracelane/trace?last=1", {{"Authorization", "Bearer t"}}), 200);
}

TEST_F(EndpointTest, StartStopAndErrors) {
  Start();
  const std::string first = EndpointAddress();
  EXPECT_TRUE(absl::IsFailedPrecondition(StartEndpoint("127.0.0.1:0")));
  EXPECT_EQ(EndpointAddress(), first);
  StopEndpoint();
  EXPECT_EQ(EndpointAddress(), "");
  StopEndpoint();  // idempotent
  EXPECT_TRUE(absl::IsInvalidArgument(StartEndpoint("nonsense")));
  EXPECT_TRUE(absl::IsInvalidArgument(StartEndpoint("127.0.0.1:0", Workers(1))));
  // A port another socket holds.
  const int holder = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(holder, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(holder, 1), 0);
  socklen_t len = sizeof(a);
  getsockname(holder, reinterpret_cast<sockaddr*>(&a), &len);
  absl::Status busy = StartEndpoint(absl::StrCat("127.0.0.1:", ntohs(a.sin_port)));
  EXPECT_TRUE(absl::IsUnavailable(busy)) << busy;
  close(holder);
  // Restart works after all of that.
  Start();
  EXPECT_EQ(Status("/debug/tracelane/"), 200);
}

TEST_F(EndpointTest, StopCancelsARunningNextCapture) {
  Start();
  auto response = std::async(std::launch::async, [this] {
    return Client(30).Get("/debug/tracelane/trace?seconds=30");
  });
  for (int i = 0; i < 5000 && !GetFlightRecorderStatus().next_capture_running; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  const absl::Time t0 = absl::Now();
  StopEndpoint();
  EXPECT_LT(absl::Now() - t0, absl::Seconds(10));
  httplib::Result r = response.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

}  // namespace
}  // namespace tracelane
