// Thread storm: 10,000 short-lived threads, 100 at a time, each recording a few
// scopes. Thread records are recycled once their data ages out, so the registry
// (and the heap) stays bounded by the chunk budget plus the live threads, a second
// storm does not grow it, and the trace still writes and reads back.
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/core/test_util.h"
#include "tracelane/tracelane.h"
#include "tracer/recorder_state.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane {
namespace {

using format::EventType;
using testing::CheckNesting;
using testing::ScopedFile;
using testing::TempPath;

constexpr int kBatch = 100;
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kStormThreads = 2000;  // thread creation is ~10x slower under sanitizers
#else
constexpr int kStormThreads = 10000;
#endif
constexpr int kScopesPerThread = 3;
// Start + (begin, instant, end) per scope + exit.
constexpr uint64_t kEventsPerThread = 2 + 3 * kScopesPerThread;

// Number of thread records the registry holds (live, retained or reusable).
uint64_t RegistrySize() {
  internal::ThreadRegistry& registry = internal::Recorder().registry;
  absl::MutexLock lock(&registry.mu());
  return registry.size();
}

void ShortLivedThread(int i) {
  if (i % 2 == 0) TRACE_THREAD_NAME(("storm-" + std::to_string(i)).c_str());
  for (int s = 0; s < kScopesPerThread; ++s) {
    TRACE_SCOPE("storm_scope");
    TRACE_INSTANT("storm_instant");
  }
}

void Storm(int threads) {
  for (int done = 0; done < threads; done += kBatch) {
    std::vector<std::thread> batch;
    for (int i = 0; i < kBatch; ++i) batch.emplace_back(ShortLivedThread, done + i);
    for (auto& t : batch) t.join();
  }
}

// Heap bytes in use (all malloc arenas).
size_t HeapInUse() { return mallinfo2().uordblks; }

// Checks the written trace: every listed thread kept its complete, balanced data,
// and written + lost == recorded over all `threads` storm threads.
void ExpectTraceReadsBack(uint64_t storm_threads, uint64_t chunks_total) {
  ScopedFile file(TempPath("storm.tlt"));
  absl::Status written = WriteTrace(file.path());
  ASSERT_TRUE(written.ok()) << written;
  absl::StatusOr<reader::Trace> trace = reader::ReadTrace(file.path());
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_TRUE(trace->complete);
  EXPECT_GT(trace->threads.size(), 0u);
  EXPECT_LE(trace->threads.size(), chunks_total);
  uint64_t events = 0;
  for (const reader::Thread& found : trace->threads) {
    const reader::Thread t = testing::OwnEvents(found);  // scheduler events aside
    SCOPED_TRACE("thread " + std::to_string(t.tid));
    EXPECT_TRUE(t.exited);
    // A storm thread's data fits one chunk, so it is kept or lost as a whole.
    ASSERT_EQ(t.events.size(), kEventsPerThread);
    EXPECT_EQ(t.events.front().type, EventType::kThreadStart);
    EXPECT_EQ(t.events.back().type, EventType::kThreadExit);
    EXPECT_EQ(CheckNesting(*trace, t), "");
    events += t.events.size();
  }
  EXPECT_EQ(events + trace->dropped + trace->overwritten, storm_threads * kEventsPerThread);
}

TEST(ThreadStormTest, RegistryAndHeapStayBounded) {
  RecorderOptions options;
  options.buffer_bytes = size_t{1} << 20;  // 64 chunks of 1024 events
  ASSERT_TRUE(Configure(options).ok());
  const uint64_t chunks = GetRecorderStats().chunks_total;
  ASSERT_EQ(chunks, 64u);
  // At most: every chunk owned by a distinct exited thread, plus a batch alive.
  const uint64_t bound = chunks + kBatch;

  Storm(kStormThreads);
  const RecorderStats first = GetRecorderStats();
  const uint64_t size_first = RegistrySize();
  const size_t heap_first = HeapInUse();
  EXPECT_EQ(first.threads_live, 0u);
  EXPECT_LE(first.threads_retained, first.chunks_total);
  EXPECT_GT(first.threads_retained, 0u);  // exited threads keep their data
  EXPECT_LE(size_first, bound);
  EXPECT_GT(first.events_overwritten, 0u);
  ExpectTraceReadsBack(kStormThreads, chunks);

  Storm(kStormThreads);
  const RecorderStats second = GetRecorderStats();
  const uint64_t size_second = RegistrySize();
  const size_t heap_second = HeapInUse();
  EXPECT_EQ(second.threads_live, 0u);
  EXPECT_LE(second.threads_retained, second.chunks_total);
  EXPECT_LE(size_second, bound);
  // The registry reuses its records: a second storm may fill it up to the bound
  // (if the first did not reach it) but never beyond.
  EXPECT_LE(size_second, std::max(size_first, bound));
  // No per-thread heap growth: 10,000 more threads leaking even 32 bytes each
  // would exceed this.
  EXPECT_LT(static_cast<int64_t>(heap_second) - static_cast<int64_t>(heap_first), 256 << 10)
      << "heap grew from " << heap_first << " to " << heap_second << " bytes";
  ExpectTraceReadsBack(2 * kStormThreads, chunks);
  std::printf("registry records: %lu after storm 1, %lu after storm 2 (bound %lu); heap %zu -> %zu\n",
              static_cast<unsigned long>(size_first), static_cast<unsigned long>(size_second),
              static_cast<unsigned long>(bound), heap_first, heap_second);
}

// Under kDropNewest a thread that finds no chunk records into scratch memory that
// it unmaps at exit; its record is recycled at once.
TEST(ThreadStormTest, DropPolicyStaysBounded) {
  RecorderOptions options;
  options.buffer_bytes = size_t{1} << 20;
  options.policy = OverflowPolicy::kDropNewest;
  ASSERT_TRUE(Configure(options).ok());
  const uint64_t chunks = GetRecorderStats().chunks_total;
  Storm(kStormThreads / 5);
  const uint64_t size_first = RegistrySize();
  Storm(kStormThreads / 5);
  const RecorderStats stats = GetRecorderStats();
  EXPECT_EQ(stats.threads_live, 0u);
  EXPECT_LE(stats.threads_retained, chunks);
  EXPECT_LE(RegistrySize(), std::max<uint64_t>(size_first, chunks + kBatch));
  EXPECT_GT(stats.events_dropped, 0u);
  ExpectTraceReadsBack(2 * (kStormThreads / 5), chunks);
}

}  // namespace
}  // namespace tracelane
