// 10,000 threads created and exited (100 at a time) while captures run: last-N
// captures back to back and a next-N window, all during the churn. Every capture
// reads strictly; afterwards every churn thread is accounted for (listed with all
// of its events, or counted lost), and nothing per thread is left behind: the
// registry stays bounded, the heap and the process's mappings return to where
// they were, and the alternate signal stacks crash capture gives every thread
// are all freed.
#include <malloc.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tests/core/test_util.h"
#include "tests/fault/fault_test_util.h"
#include "tracelane/tracelane.h"
#include "tracer/capture/crash_testing.h"
#include "tracer/recorder_state.h"

namespace tracelane {
namespace {

constexpr int kBatch = 100;
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kThreads = 2000;  // thread creation is ~10x slower under sanitizers
#else
constexpr int kThreads = 10000;
#endif
constexpr int kScopes = 3;
constexpr uint64_t kEventsPerThread = 2 + 2 * kScopes;  // start, scopes, exit

std::atomic<uint64_t> g_started{0};

void ChurnThread(const char* prefix, int i) {
  g_started.fetch_add(1);
  TRACE_THREAD_NAME(absl::StrCat(prefix, i).c_str());
  for (int s = 0; s < kScopes; ++s) {
    TRACE_SCOPE("churn_scope");
  }
}

uint64_t RegistrySize() {
  internal::ThreadRegistry& registry = internal::Recorder().registry;
  absl::MutexLock lock(&registry.mu());
  return registry.size();
}

int MappingCount() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int n = 0;
  while (std::getline(maps, line)) ++n;
  return n;
}

// Churn thread number from its name, or -1.
int ChurnIndex(const std::string& name) {
  int i;
  if (name.rfind("churn-", 0) != 0 || !absl::SimpleAtoi(name.substr(6), &i)) return -1;
  return i;
}

struct ChurnResult {
  double seconds = 0;
  int captures = 0;
  uint64_t threads_in_next_window = 0;  // churn threads started during the next-N capture
};

// Creates and joins `threads` threads, 100 at a time, while another thread takes
// captures back to back (the third a next-N window of 0.5 s); every capture must
// read strictly.
ChurnResult Churn(const char* prefix, int threads) {
  ChurnResult out;
  std::atomic<bool> churning{true};
  std::atomic<int> captures{0}, errors{0};
  std::string first_error;
  std::thread capturer([&] {
    int round = 0;
    while (churning.load()) {
      CaptureOptions o;
      o.seconds = 60;
      const bool next = ++round == 3;
      if (next) {
        o.mode = CaptureMode::kNext;
        o.seconds = 0.5;
      }
      const uint64_t started0 = g_started.load();
      absl::StatusOr<std::string> bytes = Capture(o);
      if (next) out.threads_in_next_window = g_started.load() - started0;
      absl::StatusOr<reader::Trace> t =
          bytes.ok() ? reader::ParseTrace(*bytes, "churn") : bytes.status();
      if (!t.ok()) {
        if (errors++ == 0) first_error = t.status().ToString();
        continue;
      }
      captures++;
    }
  });
  const auto t0 = std::chrono::steady_clock::now();
  for (int done = 0; done < threads; done += kBatch) {
    std::vector<std::thread> batch;
    for (int i = 0; i < kBatch; ++i) batch.emplace_back(ChurnThread, prefix, done + i);
    for (auto& t : batch) t.join();
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // At least one capture overlaps the churn's end.
  const int seen = captures.load() + errors.load();
  for (int i = 0; i < 20000 && captures.load() + errors.load() < std::max(seen + 1, 4); ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  churning = false;
  capturer.join();
  EXPECT_EQ(errors.load(), 0) << first_error;
  EXPECT_GE(captures.load(), 4);
  out.captures = captures.load();
  return out;
}

TEST(ThreadChurn, TenThousandThreadsDuringCapturesAreAllAccountedFor) {
  RecorderOptions options;
  options.buffer_bytes = size_t{4} << 20;  // 256 chunks: most churn threads' data is reused
  ASSERT_TRUE(Configure(options).ok());
  ASSERT_TRUE(SetKeepSeconds(0).ok());  // no aging: every reuse is a counted loss
  const uint64_t chunks = GetRecorderStats().chunks_total;
  testing::TempDir crash_dir;
  CrashCaptureOptions crash;
  crash.directory = crash_dir.path();
  ASSERT_TRUE(EnableCrashCapture(crash).ok());  // every churn thread gets an alternate stack
  const int64_t altstacks0 = internal::CrashAltStacksLiveForTesting();
  // Warm up with a smaller churn (glibc's thread stack cache and per-thread
  // malloc arenas, the registry's high water) before the baselines.
  constexpr int kWarmUp = kThreads / 10;
  Churn("warm-", kWarmUp);
  const size_t heap0 = mallinfo2().uordblks;
  const int maps0 = MappingCount();
  const uint64_t registry0 = RegistrySize();

  const ChurnResult churn = Churn("churn-", kThreads);

  // Every thread: listed with all its events, or counted lost.
  CaptureOptions o;
  o.seconds = 600;
  absl::StatusOr<std::string> bytes = Capture(o);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  reader::Trace t = testing::Decode(*bytes);
  uint64_t listed = 0, written = 0;
  std::set<int> seen;
  for (const reader::Thread& th : t.threads) {
    const reader::Thread own = testing::OwnEvents(th);
    written += own.events.size();
    const int i = ChurnIndex(th.name);
    if (i < 0) continue;
    EXPECT_LT(i, kThreads);
    EXPECT_TRUE(seen.insert(i).second) << "listed twice: " << th.name;
    EXPECT_TRUE(th.exited) << th.name;
    // A churn thread's data fits one chunk: kept or lost whole.
    EXPECT_EQ(own.events.size() + th.dropped + th.overwritten, kEventsPerThread) << th.name;
    ++listed;
  }
  const uint64_t lost = t.dropped + t.overwritten;
  EXPECT_EQ(written + lost, (kWarmUp + kThreads) * kEventsPerThread);
  EXPECT_GT(listed, 0u);
  EXPECT_LE(t.threads.size(), chunks);

  // Nothing per thread left behind. A record is held while a chunk or a next-N
  // capture holds its events, so the registry may grow by the threads that
  // started during the window (docs/CAPTURE.md), never with the churn itself.
  const RecorderStats stats = GetRecorderStats();
  EXPECT_EQ(stats.threads_live, 0u);
  const uint64_t registry1 = RegistrySize();
  EXPECT_LE(registry1, std::max(registry0, chunks + kBatch + churn.threads_in_next_window));
  EXPECT_EQ(internal::CrashAltStacksLiveForTesting(), altstacks0);
  const size_t heap1 = mallinfo2().uordblks;
  const int maps1 = MappingCount();
  // 10,000 threads leaking even 32 bytes each would exceed this.
  const int64_t heap_allowance =
      (256 << 10) + static_cast<int64_t>((registry1 - std::min(registry1, registry0)) * 512);
  EXPECT_LT(static_cast<int64_t>(heap1) - static_cast<int64_t>(heap0), heap_allowance);
  EXPECT_LE(maps1, maps0 + 8) << "mappings " << maps0 << " -> " << maps1;
  DisableCrashCapture();
  EXPECT_TRUE(SetKeepSeconds(10).ok());

  testing::Figure("threads", kThreads);
  testing::Figure("seconds", churn.seconds);
  testing::Figure("captures_during_churn", churn.captures);
  testing::Figure("threads_in_next_window", churn.threads_in_next_window);
  testing::Figure("threads_listed", listed);
  testing::Figure("events_written", written);
  testing::Figure("events_lost", lost);
  testing::Figure("streamed_out_events", t.Property("streamed_out_events"));
  testing::Figure("registry_records", registry1);
  testing::Figure("heap_growth_bytes", static_cast<int64_t>(heap1) - static_cast<int64_t>(heap0));
  testing::Figure("mappings_before", maps0);
  testing::Figure("mappings_after", maps1);
}

}  // namespace
}  // namespace tracelane
