// Both writers put a loss record (kDataLost) where a thread's events were lost
// between two of its chunks: the drop policy fills the pool with the thread's own
// chunks, its next area is dropped, then one chunk is freed, so the thread's next
// chunk follows a gap of one area whose events are all counted as dropped.
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/capture/capture_test_util.h"
#include "tracelane/tracelane.h"
#include "tracer/capture/crash_writer.h"
#include "tracer/recorder_state.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane {
namespace {

using format::EventType;

constexpr uint32_t kChunk = 1024;

void EmitN(int n) {
  for (int i = 0; i < n; ++i) internal::Emit(EventType::kLockReleased, 7);
}

// Checks the thread `tid` of `t`: one loss record of one area and kChunk events,
// between the last event of the full chunks and the first of the next chunk.
void ExpectOneDroppedArea(const reader::Trace& t, int64_t tid) {
  const reader::Thread* th = testing::ThreadByTid(t, tid);
  ASSERT_NE(th, nullptr);
  EXPECT_EQ(th->dropped, kChunk);
  EXPECT_EQ(th->overwritten, kChunk);  // the discarded first chunk (before the file)
  // The thread's own events (scheduler records, if any, aside).
  std::vector<reader::Event> own;
  for (const reader::Event& e : th->events) {
    if (e.type != EventType::kSchedOut && e.type != EventType::kSchedIn &&
        e.type != EventType::kSchedStat) {
      own.push_back(e);
    }
  }
  int records = 0;
  size_t at = 0;
  for (size_t i = 0; i < own.size(); ++i) {
    if (own[i].type != EventType::kDataLost) continue;
    ++records;
    at = i;
  }
  ASSERT_EQ(records, 1);
  const reader::Event& loss = own[at];
  EXPECT_EQ(loss.payload, 1u);
  ASSERT_TRUE(loss.has_arg);
  EXPECT_EQ(loss.arg, static_cast<int64_t>(kChunk));
  // Chunks 2, 3 and 4 (3 x 1024 events) precede it; the next chunk follows.
  EXPECT_EQ(at, 3 * kChunk);
  ASSERT_LT(at + 1, own.size());
  EXPECT_EQ(loss.ts_ns, own[at + 1].ts_ns);
  EXPECT_GE(loss.ts_ns, own[at - 1].ts_ns);
}

TEST(LossRecordsCapture, ADroppedAreaBetweenTwoChunksIsRecordedWhereItHappened) {
  RecorderOptions o;
  o.buffer_bytes = 4 * kChunk * sizeof(internal::RawEvent);
  o.chunk_events = kChunk;
  o.policy = OverflowPolicy::kDropNewest;
  ASSERT_TRUE(Configure(o).ok());
  internal::RecorderState& r = internal::Recorder();
  ASSERT_EQ(r.pool.chunk_count(), 4u);
  // Areas 1-4: the four chunks (area 1 starts with kThreadStart); 100 events go
  // to area 5, the drop area.
  EmitN(4 * kChunk - 1 + 100);
  // Free the oldest chunk (area 1; its events count as overwritten), then fill
  // the drop area: the thread's next area (6) is the freed chunk.
  uint32_t oldest;
  ASSERT_TRUE(r.pool.TakeOldestFullIf([](uint32_t) { return true; }, &oldest));
  internal::DiscardChunk(oldest);
  EmitN(kChunk - 100 + 50);
  const int64_t tid = internal::CurrentTid();

  std::ostringstream out;
  ASSERT_TRUE(WriteTrace(out).ok());
  ExpectOneDroppedArea(testing::Decode(out.str()), tid);

  testing::TempDir dir;
  const std::string path = dir.path() + "/crash.tlt";
  internal::CrashWriter crash;
  ASSERT_TRUE(crash.Prepare(path, "").ok());
  ASSERT_GT(crash.Write(SIGSEGV), 0);
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(path);
  ASSERT_TRUE(t.ok()) << t.status();
  ExpectOneDroppedArea(*t, tid);

  ASSERT_TRUE(Configure(RecorderOptions{}).ok());
}

}  // namespace
}  // namespace tracelane
