// Exact loss accounting: 8 threads x 1M scopes into a budget far smaller than the
// data. For every thread, events written to the file + events counted as dropped +
// events counted as overwritten == events the thread recorded, under both overflow
// policies. Nothing is lost silently.
#include <bit>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/test_util.h"
#include "tracelane/tracelane.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane {
namespace {

using format::EventType;
using testing::FindThread;
using testing::ScopedFile;
using testing::TempPath;

constexpr int kThreads = 8;
#if defined(__SANITIZE_THREAD__)
constexpr int kScopes = 100000;  // TSan runs ~20x slower; the logic is the same
#else
constexpr int kScopes = 1000000;
#endif
// Each thread records a start event, 2 events per scope and an exit event, plus a
// counter (an event with an argument slot) every `counter_every` scopes if asked.
uint64_t RecordedPerThread(int counter_every) {
  const uint64_t counters =
      counter_every == 0 ? 0 : (uint64_t{kScopes} + counter_every - 1) / counter_every;
  return 2 * uint64_t{kScopes} + 2 + counters;
}
constexpr uint32_t kChunkEvents = 1024;
constexpr size_t kBudgetBytes = size_t{4} << 20;  // 256 chunks = 262144 events

struct Result {
  uint64_t recorded_per_thread = 0;
  reader::Trace trace;
  RecorderStats stats;
  std::vector<int64_t> tids;
};

// Runs the workload under `policy` and reads the trace back. With `counter_every`
// non-zero, a TRACE_COUNTER every that many scopes mixes argument slots (and the
// pad slots that keep an event and its argument in one chunk) into the chunks.
Result RunWorkload(OverflowPolicy policy, int counter_every = 0) {
  RecorderOptions options;
  options.buffer_bytes = kBudgetBytes;
  options.chunk_events = kChunkEvents;
  options.policy = policy;
  absl::Status configured = Configure(options);
  EXPECT_TRUE(configured.ok()) << configured;

  Result result;
  result.recorded_per_thread = RecordedPerThread(counter_every);
  result.tids.resize(kThreads);
  // Every thread registers (taking its first chunk) before any starts the flood, so
  // each thread's first chunk is deterministic under kDropNewest.
  std::latch registered(kThreads);
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k) {
    threads.emplace_back([k, counter_every, &registered, &result] {
      TRACE_THREAD_NAME(("acct-" + std::to_string(k)).c_str());
      result.tids[k] = internal::CurrentTid();
      registered.arrive_and_wait();
      for (int i = 0; i < kScopes; ++i) {
        TRACE_SCOPE("acct");
        if (counter_every != 0 && i % counter_every == 0) TRACE_COUNTER("acct_counter", i);
      }
    });
  }
  for (auto& t : threads) t.join();

  result.stats = GetRecorderStats();
  ScopedFile file(TempPath("accounting.tlt"));
  absl::Status written = WriteTrace(file.path());
  EXPECT_TRUE(written.ok()) << written;
  absl::StatusOr<reader::Trace> trace = reader::ReadTrace(file.path());
  EXPECT_TRUE(trace.ok()) << trace.status();
  if (trace.ok()) result.trace = std::move(*trace);
  return result;
}

// Events of the types a worker records into its own buffer.
uint64_t WorkerEvents(const reader::Thread& t) {
  uint64_t n = 0;
  for (const reader::Event& e : t.events) {
    n += e.type == EventType::kScopeBegin || e.type == EventType::kScopeEnd ||
         e.type == EventType::kThreadStart || e.type == EventType::kThreadExit ||
         e.type == EventType::kCounter;
  }
  return n;
}

// The checks common to both policies; returns the events written for the workers.
uint64_t ExpectExactAccounting(const Result& r) {
  const reader::Trace& trace = r.trace;
  EXPECT_TRUE(trace.complete);
  EXPECT_EQ(r.stats.threads_live, 0u);
  uint64_t written = 0, lost_in_table = 0;
  int present = 0;
  for (int k = 0; k < kThreads; ++k) {
    const reader::Thread* t = FindThread(trace, r.tids[k]);
    if (t == nullptr) continue;  // all of its data aged out; see the total below
    ++present;
    SCOPED_TRACE("thread acct-" + std::to_string(k));
    EXPECT_EQ(t->name, "acct-" + std::to_string(k));
    EXPECT_TRUE(t->exited);
    const uint64_t w = WorkerEvents(*t);
    EXPECT_EQ(w, testing::OwnEvents(*t).events.size()) << "unexpected event types";
    // The per-thread identity: nothing recorded by this thread is unaccounted for.
    EXPECT_EQ(w + t->dropped + t->overwritten, r.recorded_per_thread)
        << "written " << w << " dropped " << t->dropped << " overwritten " << t->overwritten;
    written += w;
    lost_in_table += t->dropped + t->overwritten;
  }
  EXPECT_GT(present, 0);
  // The file-wide identity, which also covers threads whose records were recycled
  // or whose data aged out entirely (counted in the trace-wide totals).
  EXPECT_EQ(written + trace.dropped + trace.overwritten, kThreads * r.recorded_per_thread)
      << "written " << written << " dropped " << trace.dropped << " overwritten "
      << trace.overwritten;
  EXPECT_GE(trace.dropped + trace.overwritten, lost_in_table);
  // The in-process counters agree with the file on the total lost. (Not on the
  // split: the losses of a thread whose data aged out entirely are reported in
  // one trace-wide bucket, counted as overwritten.)
  EXPECT_EQ(r.stats.events_dropped + r.stats.events_overwritten,
            trace.dropped + trace.overwritten);
  // Bounded memory: the file holds at most what the budget can hold.
  EXPECT_LE(written, r.stats.chunks_total * kChunkEvents);
  EXPECT_EQ(r.stats.bytes_budget, kBudgetBytes);
  return written;
}

TEST(AccountingTest, OverwriteOldestCountsEveryLostEvent) {
  const Result r = RunWorkload(OverflowPolicy::kOverwriteOldest);
  const uint64_t written = ExpectExactAccounting(r);
  // The flight recorder reclaims full chunks. (It can still drop: a thread finds
  // no chunk when the releaser of the oldest one is preempted mid-publication.)
  EXPECT_GT(r.trace.overwritten, 0u);
  // Every chunk holds data at the end, most of them full.
  EXPECT_EQ(r.stats.chunks_in_use, r.stats.chunks_total);
  EXPECT_GT(written, r.stats.chunks_total * kChunkEvents / 2);
  // What survives is each surviving thread's most recent data, ending with its
  // exit event (unless the thread was dropping when it exited).
  for (int64_t tid : r.tids) {
    const reader::Thread* found = FindThread(r.trace, tid);
    if (found == nullptr || found->dropped != 0) continue;
    const reader::Thread t = testing::OwnEvents(*found);
    ASSERT_FALSE(t.events.empty());
    EXPECT_EQ(t.events.back().type, EventType::kThreadExit)
        << "thread " << tid << ": " << t.events.size() << " events, overwritten "
        << t.overwritten << ", trace dropped " << r.trace.dropped;
  }
}

TEST(AccountingTest, DropNewestCountsEveryLostEvent) {
  const Result r = RunWorkload(OverflowPolicy::kDropNewest);
  const uint64_t written = ExpectExactAccounting(r);
  EXPECT_EQ(r.trace.overwritten, 0u);
  EXPECT_GT(r.trace.dropped, 0u);
  // Every chunk was filled to the last slot before its thread moved on.
  EXPECT_EQ(written, r.stats.chunks_total * kChunkEvents);
  // What survives is each thread's oldest data: a start event, then a strictly
  // alternating begin/end prefix of its scopes.
  for (int k = 0; k < kThreads; ++k) {
    const reader::Thread* found = FindThread(r.trace, r.tids[k]);
    ASSERT_NE(found, nullptr) << "kDropNewest keeps every thread's first chunk";
    const reader::Thread own = testing::OwnEvents(*found);
    const reader::Thread* t = &own;
    ASSERT_FALSE(t->events.empty());
    EXPECT_EQ(t->events.front().type, EventType::kThreadStart);
    for (size_t i = 1; i < t->events.size(); ++i) {
      const EventType want = i % 2 == 1 ? EventType::kScopeBegin : EventType::kScopeEnd;
      ASSERT_EQ(t->events[i].type, want) << "thread " << k << " event " << i;
    }
  }
}

// Chunks holding argument and pad slots: the slow path counts a chunk's events
// from the slots minus the non-event slots it was told about, never by scanning,
// so a miscount of either kind would break the identities here.
TEST(AccountingTest, OverwriteOldestCountsEventsWithArguments) {
  const Result r = RunWorkload(OverflowPolicy::kOverwriteOldest, /*counter_every=*/7);
  ExpectExactAccounting(r);
  EXPECT_GT(r.trace.overwritten, 0u);
}

TEST(AccountingTest, DropNewestCountsEventsWithArguments) {
  const Result r = RunWorkload(OverflowPolicy::kDropNewest, /*counter_every=*/7);
  ExpectExactAccounting(r);
  EXPECT_GT(r.trace.dropped, 0u);
  // Every kept counter still carries its argument: i is a multiple of 7.
  for (int64_t tid : r.tids) {
    const reader::Thread* t = FindThread(r.trace, tid);
    ASSERT_NE(t, nullptr);
    int counters = 0;
    for (const reader::Event& e : t->events) {
      if (e.type != EventType::kCounter) continue;
      ++counters;
      ASSERT_TRUE(e.has_arg);
      const double value = std::bit_cast<double>(e.arg);
      ASSERT_EQ(static_cast<int64_t>(value) % 7, 0) << value;
    }
    EXPECT_GT(counters, 0);
  }
}

}  // namespace
}  // namespace tracelane
