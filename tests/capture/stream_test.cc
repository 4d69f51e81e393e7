// Next-N captures longer than the buffer: the capture streams the window's chunks
// out of the flight recorder while it records, so a window holding many buffers'
// worth of events comes back whole, in order, with no losses.
#include <atomic>
#include <bit>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tracelane/tracelane.h"

namespace tracelane {
namespace {

using format::EventType;

constexpr size_t kBudget = size_t{4} << 20;  // 256 chunks, 262,144 event slots

// Emits, per iteration, a counter holding the iteration number and an empty scope
// (4 slots, 3 events), about 1.4M events/s: the 4 MiB budget turns over every
// ~0.2 s, so a 1.5 s window is several buffers long.
void PacedWorker(std::atomic<bool>* stop, std::atomic<int64_t>* tid) {
  TRACE_THREAD_NAME("streamer");
  tid->store(internal::CurrentTid());
  int64_t i = 0;
  while (!stop->load(std::memory_order_relaxed)) {
    for (int k = 0; k < 256; ++k) {
      ++i;
      TRACE_COUNTER("seq", i);
      TRACE_SCOPE("unit");
    }
    absl::SleepFor(absl::Microseconds(500));
  }
}

struct PacedCapture {
  absl::StatusOr<std::string> bytes;
  CaptureStats stats;
  int64_t tid = 0;  // the worker's
};

// Runs PacedWorker in a fresh kBudget recorder, waits `lead` (filling the flight
// recorder with pre-window data), then takes a next-`seconds` capture of it.
PacedCapture CapturePacedWorker(absl::Duration lead, double seconds) {
  RecorderOptions o;
  o.buffer_bytes = kBudget;
  EXPECT_TRUE(Configure(o).ok());
  std::atomic<bool> stop{false};
  std::atomic<int64_t> tid{0};
  std::thread worker(PacedWorker, &stop, &tid);
  absl::SleepFor(lead);
  CaptureOptions co;
  co.mode = CaptureMode::kNext;
  co.seconds = seconds;
  PacedCapture out;
  out.bytes = Capture(co, &out.stats);
  stop = true;
  worker.join();
  out.tid = tid.load();
  return out;
}

TEST(Stream, NextWindowLongerThanTheBufferComesBackWhole) {
  const PacedCapture c = CapturePacedWorker(absl::Milliseconds(300), 1.5);
  ASSERT_TRUE(c.bytes.ok()) << c.bytes.status();
  const CaptureStats& stats = c.stats;
  reader::Trace t = testing::Decode(*c.bytes);
  EXPECT_EQ(t.Property("window_intact"), "yes");
  EXPECT_EQ(stats.dropped + stats.overwritten, 0u);
  uint64_t streamed = 0;
  ASSERT_TRUE(absl::SimpleAtoi(t.Property("capture_streamed_chunks"), &streamed))
      << t.Property("capture_streamed_chunks");
  EXPECT_GT(streamed, 0u);
  EXPECT_EQ(t.Property("capture_stream_limit_hit"), "no");

  const reader::Thread* w = testing::ThreadByTid(t, c.tid);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->name, "streamer");
  EXPECT_EQ(w->dropped + w->overwritten, 0u);
  // Every iteration inside the window is there, in order: the counters run
  // without a gap, each followed by its scope's begin and end.
  std::vector<int64_t> seq;
  int64_t prev_ts = INT64_MIN;
  EventType prev = EventType::kScopeEnd;
  for (const reader::Event& e : w->events) {
    EXPECT_GE(e.ts_ns, t.capture_start_ns);
    EXPECT_LE(e.ts_ns, t.capture_end_ns);
    EXPECT_GE(e.ts_ns, prev_ts);
    prev_ts = e.ts_ns;
    if (e.type == EventType::kCounter) {
      ASSERT_TRUE(e.has_arg);
      const int64_t v = static_cast<int64_t>(std::bit_cast<double>(e.arg));
      if (!seq.empty()) {
        ASSERT_EQ(v, seq.back() + 1) << "gap after counter " << seq.back();
      }
      seq.push_back(v);
      ASSERT_TRUE(seq.size() == 1 || prev == EventType::kScopeEnd);
    } else if (e.type == EventType::kScopeBegin) {
      ASSERT_EQ(prev, EventType::kCounter);
    } else if (e.type == EventType::kScopeEnd) {
      // The window may open between a counter and its scope's begin.
      ASSERT_TRUE(prev == EventType::kScopeBegin || seq.size() <= 1);
    } else {
      continue;  // scheduler switches, thread start/exit
    }
    prev = e.type;
  }
  // Several buffers' worth: far more than the budget could hold at once.
  const uint64_t capacity = kBudget / sizeof(internal::RawEvent);
  EXPECT_GT(3 * seq.size(), 2 * capacity) << seq.size() << " iterations";
}

// A stream-limit or ring turnover never loses events silently: an unpaced flood
// still satisfies written + lost == recorded (budget_test covers the identity);
// here, the counts in the trace match the capture's stats.
TEST(Stream, StatsMatchTheTrace) {
  const PacedCapture c = CapturePacedWorker(absl::ZeroDuration(), 0.5);
  ASSERT_TRUE(c.bytes.ok()) << c.bytes.status();
  reader::Trace t = testing::Decode(*c.bytes);
  EXPECT_EQ(t.event_count, c.stats.events);
  EXPECT_EQ(c.bytes->size(), c.stats.bytes);
  EXPECT_EQ(t.dropped, c.stats.dropped);
}

}  // namespace
}  // namespace tracelane
