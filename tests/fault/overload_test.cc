// Overload: 64 threads emit as fast as they can for 10 s (TRACELANE_OVERLOAD_SECONDS
// overrides) into a 16 MiB flight recorder. The pool stays within its budget, the
// process's peak resident set grows by no more than the budget plus a small
// allowance, and every event is accounted for, per thread: the events in the
// trace plus the ones counted lost equal the events the thread emitted.
#include <atomic>
#include <chrono>
#include <latch>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tests/fault/fault_test_util.h"
#include "tracelane/tracelane.h"
#include "tracer/recorder_state.h"

namespace tracelane {
namespace {

constexpr int kThreads = 64;
constexpr size_t kBudget = size_t{16} << 20;
// Everything but the pool the flood may make resident: 64 thread stacks, thread
// records, drop scratch areas (1 chunk per thread under kDropNewest), allocator
// arenas. Measured well under half of this.
constexpr uint64_t kAllowance = uint64_t{24} << 20;

void Flood() { TRACE_SCOPE("flood"); }

struct Outcome {
  std::vector<int64_t> tids = std::vector<int64_t>(kThreads);
  std::vector<uint64_t> scopes = std::vector<uint64_t>(kThreads);
  uint64_t pool_resident = 0;
  uint64_t peak_growth = 0;
  double seconds = 0;
  reader::Trace trace;
};

// Emits own events (scopes, thread start and exit; not the scheduler records
// a snapshot hook adds, nor the writer's kDataLost records).
uint64_t OwnEvents(const reader::Thread& t) {
  uint64_t n = 0;
  for (const reader::Event& e : t.events) {
    n += e.type == format::EventType::kScopeBegin || e.type == format::EventType::kScopeEnd ||
         e.type == format::EventType::kThreadStart || e.type == format::EventType::kThreadExit;
  }
  return n;
}

Outcome Overload(OverflowPolicy policy, double seconds) {
  RecorderOptions o;
  o.buffer_bytes = kBudget;
  o.policy = policy;
  EXPECT_TRUE(Configure(o).ok());
  EXPECT_TRUE(SetKeepSeconds(0).ok());  // no aging: every loss is the budget's doing
  Outcome out;
  const bool peak_reset = testing::ResetPeakRss();
  const uint64_t base = peak_reset ? testing::PeakRssBytes() : testing::RssBytes();
  std::atomic<bool> stop{false};
  std::latch started(kThreads + 1);
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k) {
    threads.emplace_back([k, &out, &stop, &started] {
      out.tids[k] = internal::CurrentTid();
      started.arrive_and_wait();
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 256; ++i) Flood();
        n += 256;
      }
      out.scopes[k] = n;
    });
  }
  started.arrive_and_wait();
  const auto t0 = std::chrono::steady_clock::now();
  absl::SleepFor(absl::Seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const internal::ChunkPool& pool = internal::Recorder().pool;
  out.pool_resident = testing::ResidentBytes(pool.Data(0), pool.bytes());
  const uint64_t peak = peak_reset ? testing::PeakRssBytes() : testing::RssBytes();
  out.peak_growth = peak > base ? peak - base : 0;
  std::ostringstream trace;
  EXPECT_TRUE(WriteTrace(trace).ok());
  out.trace = testing::Decode(trace.str());
  EXPECT_TRUE(SetKeepSeconds(10).ok());
  return out;
}

// Checks written + lost == emitted for every flooding thread the trace lists. A
// thread that exited with none of its events left in the buffers (all dropped:
// it never got a chunk) is not listed; its losses are in the trace's totals only,
// so those must equal, exactly, what the unlisted threads emitted. Returns the
// totals and how many threads were listed.
struct Totals {
  uint64_t emitted = 0, written = 0, lost = 0;
  int listed = 0;
};
Totals CheckAccounting(const Outcome& out, OverflowPolicy policy) {
  Totals sum;
  uint64_t listed_lost = 0, unlisted_emitted = 0;
  for (int k = 0; k < kThreads; ++k) {
    const uint64_t emitted = 2 * out.scopes[k] + 2;  // + thread start and exit
    sum.emitted += emitted;
    const reader::Thread* t = testing::ThreadByTid(out.trace, out.tids[k]);
    if (t == nullptr) {
      unlisted_emitted += emitted;
      continue;
    }
    ++sum.listed;
    const uint64_t written = OwnEvents(*t);
    EXPECT_EQ(written + t->dropped + t->overwritten, emitted) << "thread " << k;
    if (policy == OverflowPolicy::kDropNewest) {
      EXPECT_EQ(t->overwritten, 0u) << "thread " << k;
    }
    sum.written += written;
    listed_lost += t->dropped + t->overwritten;
  }
  // Nothing else was lost, and the unlisted threads lost everything they emitted.
  EXPECT_EQ(out.trace.dropped + out.trace.overwritten, listed_lost + unlisted_emitted);
  EXPECT_EQ(sum.written + out.trace.dropped + out.trace.overwritten, sum.emitted);
  sum.lost = out.trace.dropped + out.trace.overwritten;
  return sum;
}

void Report(const Outcome& out, const Totals& sum) {
  testing::Figure("threads", kThreads);
  testing::Figure("threads_listed", sum.listed);
  testing::Figure("seconds", out.seconds);
  testing::Figure("events_emitted", sum.emitted);
  testing::Figure("events_written", sum.written);
  testing::Figure("events_lost", sum.lost);
  testing::Figure("budget_bytes", kBudget);
  testing::Figure("pool_resident_bytes", out.pool_resident);
  testing::Figure("peak_rss_growth_bytes", out.peak_growth);
}

TEST(Overload, SixtyFourThreadsForTenSecondsStayInBudgetAndCountEveryLoss) {
  const double seconds = testing::SecondsFromEnv("TRACELANE_OVERLOAD_SECONDS", 10);
  Outcome out = Overload(OverflowPolicy::kOverwriteOldest, seconds);
  EXPECT_LE(out.pool_resident, kBudget);
  EXPECT_LE(out.peak_growth, kBudget + kAllowance);
  const Totals sum = CheckAccounting(out, OverflowPolicy::kOverwriteOldest);
  EXPECT_GT(sum.lost, 0u) << "the flood never filled the budget";
  // Every thread wrote last, so each keeps its latest chunk and is listed.
  EXPECT_EQ(sum.listed, kThreads);
  EXPECT_LE(out.trace.event_count, kBudget / sizeof(internal::RawEvent));
  Report(out, sum);
}

TEST(Overload, SixtyFourThreadsUnderDropNewestCountEveryDrop) {
  const double seconds = testing::SecondsFromEnv("TRACELANE_OVERLOAD_DROP_SECONDS", 2);
  Outcome out = Overload(OverflowPolicy::kDropNewest, seconds);
  EXPECT_LE(out.pool_resident, kBudget);
  EXPECT_LE(out.peak_growth, kBudget + kAllowance);
  const Totals sum = CheckAccounting(out, OverflowPolicy::kDropNewest);
  EXPECT_GT(sum.lost, 0u);
  EXPECT_GT(sum.listed, 0);
  Report(out, sum);
}

}  // namespace
}  // namespace tracelane
