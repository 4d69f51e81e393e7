// A real flood through a tiny buffer: two threads run nested scopes at full speed
// during a streamed next-N capture whose drainer cannot keep up, so chunks are
// lost in the middle of the threads' streams. The loaded model must rank no scope
// longer than the longest the threads themselves measured (before loss records,
// a begin before a gap and an end after it made scopes as long as the gaps).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/analysis/test_support.h"
#include "tracelane/tracelane.h"
#include "viewer/analysis/losses.h"
#include "viewer/analysis/scope_stats.h"

namespace tracelane::analysis {
namespace {

using Clock = std::chrono::steady_clock;

int64_t Ns(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

uint64_t Work(uint64_t x, int k) {
  for (int j = 0; j < k; ++j) x = x * 6364136223846793005ull + 1442695040888963407ull;
  return x;
}

// Longest wall time of each scope name, measured around the scope.
struct Longest {
  int64_t request = 0, parse = 0, step = 0;
};

void Flood(const std::atomic<bool>* stop, Longest* longest, std::atomic<uint64_t>* sink) {
  uint64_t x = 1;
  while (!stop->load(std::memory_order_relaxed)) {
    const Clock::time_point r0 = Clock::now();
    {
      TRACE_SCOPE("request");
      const Clock::time_point p0 = Clock::now();
      {
        TRACE_SCOPE("parse");
        x = Work(x, 30);
      }
      const Clock::time_point s0 = Clock::now();
      longest->parse = std::max(longest->parse, Ns(s0 - p0));
      {
        TRACE_SCOPE("step");
        x = Work(x, 30);
      }
      longest->step = std::max(longest->step, Ns(Clock::now() - s0));
    }
    longest->request = std::max(longest->request, Ns(Clock::now() - r0));
  }
  sink->fetch_add(x, std::memory_order_relaxed);
}

TEST(FloodCapture, NoScopeIsRankedLongerThanTheRealOnes) {
  RecorderOptions o;
  o.buffer_bytes = size_t{1} << 20;
  ASSERT_TRUE(Configure(o).ok());
  CaptureStats stats;
  absl::StatusOr<std::string> bytes;
  std::thread capture([&] {
    CaptureOptions co;
    co.mode = CaptureMode::kNext;
    co.seconds = 0.5;
    bytes = Capture(co, &stats);
  });
  for (int i = 0; i < 5000 && !GetFlightRecorderStatus().next_capture_running; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> sink{0};
  Longest longest[2];
  std::vector<std::thread> workers;
  for (Longest& l : longest) workers.emplace_back(Flood, &stop, &l, &sink);
  capture.join();
  stop = true;
  for (std::thread& w : workers) w.join();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  ASSERT_TRUE(Configure(RecorderOptions{}).ok());

  const std::string path = ::testing::TempDir() + "tracelane_flood_capture.tlt";
  std::ofstream(path, std::ios::binary) << *bytes;  // kept for `tracelane summary`
  const Model m = testing::MustLoad(*bytes);
  const LossSummary losses = SummarizeLosses(m);
  std::printf("%s: %llu events, %llu lost, %llu gaps (%.1f ms), %llu cut scopes\n", path.c_str(),
              static_cast<unsigned long long>(m.info.event_count),
              static_cast<unsigned long long>(stats.dropped + stats.overwritten),
              static_cast<unsigned long long>(losses.gaps), losses.gap_ns / 1e6,
              static_cast<unsigned long long>(losses.cut_scopes));
  ASSERT_GT(stats.dropped + stats.overwritten, 0u) << "the drainer kept up: no losses to test";
  EXPECT_GT(losses.gaps, 0u);
  // Measured around the scope, so never shorter than what the trace holds; the
  // slack covers the TSC-to-ns conversion.
  constexpr int64_t kSlackNs = 50000;
  const int64_t real_request = std::max(longest[0].request, longest[1].request);
  const int64_t real_parse = std::max(longest[0].parse, longest[1].parse);
  const int64_t real_step = std::max(longest[0].step, longest[1].step);
  const std::vector<ScopeStats> scopes = ComputeScopeStats(m);
  ASSERT_EQ(scopes.size(), 3u);
  for (const ScopeStats& s : scopes) {
    const int64_t real = s.name == "request" ? real_request
                         : s.name == "parse" ? real_parse
                                             : real_step;
    std::printf("  %-8s count %llu cut %llu (by lost data %llu)  max %lld ns  real max %lld ns\n",
                s.name.c_str(), static_cast<unsigned long long>(s.count),
                static_cast<unsigned long long>(s.cut),
                static_cast<unsigned long long>(s.cut_by_loss), static_cast<long long>(s.max_ns),
                static_cast<long long>(real));
    EXPECT_GT(s.count, 1000u) << s.name;
    EXPECT_LE(s.max_ns, real + kSlackNs) << s.name;
  }
}

}  // namespace
}  // namespace tracelane::analysis
