// tracelane::Capture (next-N and last-N), retention, the signal trigger and the
// endpoint's parsing helpers.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

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
using testing::TempDir;

CaptureOptions Opts(CaptureMode mode, double seconds) {
  CaptureOptions o;
  o.mode = mode;
  o.seconds = seconds;
  return o;
}
CaptureOptions Seconds(double seconds) { return Opts(CaptureMode::kLast, seconds); }

SignalTriggerOptions Trigger(const std::string& dir, int sig = SIGUSR2) {
  SignalTriggerOptions o;
  o.directory = dir;
  o.signal = sig;
  o.last_seconds = 2;
  o.log = false;
  return o;
}

void EmitBefore() { TRACE_SCOPE("api_before"); }
void EmitDuring() { TRACE_SCOPE("api_during"); }
void EmitOld() { TRACE_SCOPE("api_old"); }
void EmitRecent() { TRACE_SCOPE("api_recent"); }

// Waits until a next-N window is open (the capture runs on another thread).
void WaitForWindow() {
  for (int i = 0; i < 5000 && !GetFlightRecorderStatus().next_capture_running; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_TRUE(GetFlightRecorderStatus().next_capture_running);
}

TEST(CaptureApi, NextHoldsTheWindowAndNothingFromWellBefore) {
  std::thread([] {
    for (int i = 0; i < 100; ++i) EmitBefore();
  }).join();
  absl::SleepFor(absl::Milliseconds(300));  // "well before" the window
  CaptureStats stats;
  auto capture = std::async(std::launch::async, [&] {
    return Capture(Opts(CaptureMode::kNext, 1.0), &stats);
  });
  WaitForWindow();
  std::thread([] {
    for (int i = 0; i < 500; ++i) EmitDuring();
  }).join();
  absl::StatusOr<std::string> bytes = capture.get();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  reader::Trace t = Decode(*bytes);
  EXPECT_EQ(CountNamed(t, "api_during"), 500u);
  EXPECT_EQ(CountNamed(t, "api_before"), 0u);
  EXPECT_GE(FirstEventNs(t), t.capture_start_ns);
  EXPECT_GE(t.capture_end_ns - t.capture_start_ns, 1000000000);
  EXPECT_EQ(t.Property("capture_mode"), "next");
  EXPECT_EQ(t.Property("loss_counts"), "window");
  EXPECT_EQ(t.Property("window_intact"), "yes");
  EXPECT_EQ(stats.events, t.event_count);
  EXPECT_EQ(stats.bytes, bytes->size());
}

TEST(CaptureApi, SecondNextCaptureIsRefusedWhileOneRecords) {
  auto first = std::async(std::launch::async,
                          [] { return Capture(Opts(CaptureMode::kNext, 0.5)); });
  WaitForWindow();
  absl::StatusOr<std::string> second = Capture(Opts(CaptureMode::kNext, 0.5));
  EXPECT_TRUE(absl::IsUnavailable(second.status())) << second.status();
  // A last-N capture is a plain snapshot and may run meanwhile.
  EXPECT_TRUE(Capture(Opts(CaptureMode::kLast, 1)).ok());
  EXPECT_TRUE(first.get().ok());
}

TEST(CaptureApi, NextCanBeCancelled) {
  std::atomic<bool> cancel{false};
  auto capture = std::async(std::launch::async, [&] {
    CaptureOptions o = Opts(CaptureMode::kNext, 30);
    o.cancelled = [&] { return cancel.load(); };
    return Capture(o);
  });
  WaitForWindow();
  cancel = true;
  EXPECT_TRUE(absl::IsCancelled(capture.get().status()));
  EXPECT_FALSE(GetFlightRecorderStatus().next_capture_running);
}

TEST(CaptureApi, LastHoldsTheLastSecondsOnly) {
  testing::EmitOldThenRecent(EmitOld, EmitRecent);
  absl::StatusOr<std::string> bytes = Capture(Opts(CaptureMode::kLast, 1.0));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  reader::Trace t = Decode(*bytes);
  EXPECT_EQ(CountNamed(t, "api_recent"), 200u);
  EXPECT_EQ(CountNamed(t, "api_old"), 0u);
  EXPECT_GE(FirstEventNs(t), t.capture_start_ns);
  EXPECT_NEAR(static_cast<double>(t.capture_end_ns - t.capture_start_ns), 1e9, 5e7);
  EXPECT_EQ(t.Property("capture_mode"), "last");
  EXPECT_EQ(t.Property("loss_counts"), "lifetime");
  EXPECT_FALSE(t.Property("keep_seconds").empty());
}

TEST(CaptureApi, CaptureToFileWritesAReadableTrace) {
  TempDir dir;
  const std::string path = dir.path() + "/t.tlt";
  std::thread(EmitRecent).join();
  ASSERT_TRUE(CaptureToFile(Opts(CaptureMode::kLast, 5), path).ok());
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(path);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->complete);
  EXPECT_EQ(dir.Files(".tlt").size(), 1u);  // no temporary left behind
  EXPECT_FALSE(CaptureToFile(CaptureOptions(), "/nonexistent-dir/x.tlt").ok());
}

TEST(CaptureApi, RejectsBadWindows) {
  EXPECT_TRUE(absl::IsInvalidArgument(Capture(Seconds(0)).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(Capture(Seconds(-1)).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(Capture(Seconds(4000)).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(SetKeepSeconds(-1)));
}

// Retention: data older than the keep target is reused first and is not a loss.
TEST(CaptureApi, RetentionAgesOutOldDataWithoutCountingLosses) {
  ASSERT_TRUE(SetKeepSeconds(0.2).ok());
  std::thread([] {
    TRACE_THREAD_NAME("aging-old");
    for (int i = 0; i < 3000; ++i) EmitOld();
  }).join();
  absl::SleepFor(absl::Milliseconds(400));
  const uint64_t aged_before = GetFlightRecorderStatus().events_aged_out;
  std::thread([] {
    for (int i = 0; i < 50000; ++i) EmitRecent();
  }).join();
  const FlightRecorderStatus st = GetFlightRecorderStatus();
  std::ostringstream out;
  ASSERT_TRUE(WriteTrace(out).ok());
  ASSERT_TRUE(SetKeepSeconds(10).ok());
  EXPECT_GT(st.events_aged_out, aged_before);
  reader::Trace t = Decode(out.str());
  EXPECT_EQ(CountNamed(t, "api_old"), 0u);
  EXPECT_EQ(CountNamed(t, "api_recent"), 50000u);
  EXPECT_NE(t.Property("aged_out_events"), "0");
  for (const reader::Thread& th : t.threads) EXPECT_EQ(th.overwritten, 0u) << th.name;
}

TEST(SignalTrigger, SignalWritesALastNCaptureToTheDirectory) {
  TempDir dir;
  ASSERT_TRUE(EnableSignalTrigger(Trigger(dir.path())).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(EnableSignalTrigger(Trigger(dir.path()))));
  std::thread([] {
    for (int i = 0; i < 100; ++i) EmitRecent();
  }).join();
  const uint64_t before = SignalCapturesWritten();
  ASSERT_EQ(kill(getpid(), SIGUSR2), 0);
  for (int i = 0; i < 1000 && SignalCapturesWritten() == before; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  DisableSignalTrigger();
  ASSERT_EQ(SignalCapturesWritten(), before + 1);
  std::vector<std::string> files = dir.Files(".tlt");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].find("tracelane-"), std::string::npos);
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(files[0]);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_GE(testing::CountNamed(*t, "api_recent"), 100u);
  EXPECT_EQ(t->Property("trigger"), "signal");
  EXPECT_EQ(t->Property("trigger_signal"), "SIGUSR2");
  EXPECT_EQ(t->Property("capture_mode"), "last");
}

TEST(SignalTrigger, RefusesCrashSignalsAndMissingDirectories) {
  EXPECT_FALSE(EnableSignalTrigger(Trigger(".", SIGSEGV)).ok());
  EXPECT_FALSE(EnableSignalTrigger(Trigger(".", SIGKILL)).ok());
  EXPECT_FALSE(EnableSignalTrigger(Trigger("/nonexistent/tracelane")).ok());
  DisableSignalTrigger();  // idempotent when not enabled
}

// ---- endpoint parsing ----------------------------------------------------------------

using internal::ParseTraceQuery;

TEST(EndpointParsing, TraceQuery) {
  const auto q = [](std::optional<std::string> s, std::optional<std::string> l) {
    return ParseTraceQuery(s, s ? 1 : 0, l, l ? 1 : 0, 60);
  };
  EXPECT_EQ(q("5", std::nullopt)->mode, CaptureMode::kNext);
  EXPECT_EQ(q("5", std::nullopt)->seconds, 5);
  EXPECT_EQ(q(std::nullopt, "2.5")->mode, CaptureMode::kLast);
  EXPECT_EQ(q(std::nullopt, "2.5")->seconds, 2.5);
  EXPECT_EQ(q(std::nullopt, "60")->seconds, 60);
  EXPECT_EQ(q(std::nullopt, std::nullopt)->seconds, 5);  // default: next 5 s
  for (const char* bad : {"abc", "0", "-1", "61", "", "nan", "inf", "1e9"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(q(bad, std::nullopt).status())) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(q(std::nullopt, bad).status())) << bad;
  }
  EXPECT_TRUE(absl::IsInvalidArgument(q("1", "1").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ParseTraceQuery("1", 2, std::nullopt, 0, 60).status()));
}

TEST(EndpointParsing, Addresses) {
  EXPECT_EQ(internal::ParseHostPort("127.0.0.1:6060")->port, 6060);
  EXPECT_EQ(internal::ParseHostPort("[::1]:80")->host, "::1");
  EXPECT_FALSE(internal::ParseHostPort("127.0.0.1").ok());
  EXPECT_FALSE(internal::ParseHostPort("::1:80").ok());
  EXPECT_FALSE(internal::ParseHostPort("host:99999").ok());
  EXPECT_FALSE(internal::ParseHostPort(":80").ok());
  EXPECT_TRUE(internal::IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(internal::IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(internal::IsLoopbackHost("::1"));
  EXPECT_TRUE(internal::IsLoopbackHost("localhost"));
  EXPECT_FALSE(internal::IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(internal::IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(internal::IsLoopbackHost("::"));
  EXPECT_FALSE(internal::IsLoopbackHost("example.com"));
  EXPECT_EQ(internal::FormatHostPort("::1", 80), "[::1]:80");
}

TEST(EndpointParsing, BearerToken) {
  EXPECT_TRUE(internal::BearerTokenMatches("Bearer s3cret", "s3cret"));
  EXPECT_FALSE(internal::BearerTokenMatches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(internal::BearerTokenMatches("Bearer s3cret2", "s3cret"));
  EXPECT_FALSE(internal::BearerTokenMatches("", "s3cret"));
  EXPECT_FALSE(internal::BearerTokenMatches("s3cret", "s3cret"));
}

}  // namespace
}  // namespace tracelane
