// Loss records (kDataLost, format version 2): the writer puts one where a
// thread's chunks show a gap (docs/FORMAT.md), in front of the first event after
// it, with the chunks and events missing; extras inside the gap are left out;
// the place in the sequence carries over between AddEvents calls (streaming).
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tracelane/format.h"
#include "tracer/area_gaps.h"
#include "tracer/snapshot.h"
#include "tracer/trace_writer.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane {
namespace {

using format::EventType;
using internal::AreaMark;
using internal::RawEvent;
using internal::ThreadSnapshot;

// A nanosecond tick axis (ticks == ns).
internal::Calibration NsAxis() {
  internal::Calibration c;
  c.ticks0 = 0;
  c.mono0_ns = 0;
  c.ticks1 = 1000000000;
  c.mono1_ns = 1000000000;
  c.tsc = false;
  return c;
}

RawEvent Ev(uint64_t ts, EventType type, uint64_t payload) {
  return RawEvent{ts, (uint64_t{static_cast<uint8_t>(type)} << internal::kTypeShift) | payload};
}

// Appends one chunk of `n` lock releases at ts, ts + 10, ... with its mark.
void Chunk(ThreadSnapshot* t, uint64_t seq, uint64_t events_before, uint64_t ts, int n) {
  t->areas.push_back(AreaMark{t->events.size(), seq, events_before, static_cast<uint64_t>(n)});
  for (int i = 0; i < n; ++i) t->events.push_back(Ev(ts + 10 * i, EventType::kLockReleased, 5));
}

reader::Trace Write(internal::TraceEncoder& enc, const internal::Snapshot& meta) {
  std::ostringstream out;
  EXPECT_TRUE(enc.Finish(meta, out).ok());
  absl::StatusOr<reader::Trace> t = reader::ParseTrace(out.str(), "loss.tlt");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *std::move(t) : reader::Trace{};
}

internal::Snapshot Meta() {
  internal::Snapshot s;
  s.calibration = NsAxis();
  s.begin_ticks = 1;
  s.end_ticks = 100000;
  s.threads.emplace_back();
  s.threads[0].tid = 9;
  s.threads[0].alive = true;
  return s;
}

TEST(LossRecords, GapsBetweenChunksBecomeRecordsBeforeTheNextEvent) {
  internal::Snapshot snap = Meta();
  ThreadSnapshot& t = snap.threads[0];
  Chunk(&t, 1, 0, 1000, 4);   // events 0..3
  Chunk(&t, 3, 10, 5000, 4);  // chunk 2 (6 events) lost
  Chunk(&t, 4, 14, 6000, 4);  // contiguous
  Chunk(&t, 5, 20, 9000, 2);  // no chunk missing, 2 events dropped in between
  // Scheduler events: one at the first gap's start (kept), one inside it (left
  // out), one after it (kept).
  t.extra.push_back({1030, EventType::kSchedOut, 0, 0, false});
  t.extra.push_back({3000, EventType::kSchedIn, 1, 0, false});
  t.extra.push_back({5005, EventType::kSchedIn, 2, 0, false});
  internal::TraceEncoder enc(snap.calibration);
  enc.AddEvents(0, t);
  const reader::Trace r = Write(enc, snap);
  ASSERT_EQ(r.version, 2u);
  ASSERT_EQ(r.threads.size(), 1u);
  const std::vector<reader::Event>& ev = r.threads[0].events;
  // 4 + 1 extra + loss + 4 (+ 1 extra) + 4 + loss + 2.
  ASSERT_EQ(ev.size(), 4u + 1 + 1 + 4 + 1 + 4 + 1 + 2);
  EXPECT_EQ(ev[3].ts_ns, 1030);
  EXPECT_EQ(ev[4].type, EventType::kSchedOut);  // at the gap start: kept
  EXPECT_EQ(ev[5].type, EventType::kDataLost);
  EXPECT_EQ(ev[5].ts_ns, 5000);  // the first event after the gap
  EXPECT_EQ(ev[5].payload, 1u);  // one chunk
  ASSERT_TRUE(ev[5].has_arg);
  EXPECT_EQ(ev[5].arg, 6);  // six events
  EXPECT_EQ(ev[6].type, EventType::kLockReleased);
  EXPECT_EQ(ev[6].ts_ns, 5000);
  EXPECT_EQ(ev[7].type, EventType::kSchedIn);  // after the gap: kept
  EXPECT_EQ(ev[7].payload, 2u);
  int losses = 0;
  for (const reader::Event& e : ev) losses += e.type == EventType::kDataLost;
  EXPECT_EQ(losses, 2);
  const reader::Event& second = ev[ev.size() - 3];
  EXPECT_EQ(second.type, EventType::kDataLost);
  EXPECT_EQ(second.ts_ns, 9000);
  EXPECT_EQ(second.payload, 0u);
  EXPECT_EQ(second.arg, 2);
  EXPECT_EQ(r.event_count, ev.size());
}

TEST(LossRecords, ThePlaceInTheSequenceCarriesOverBetweenCalls) {
  internal::Snapshot snap = Meta();
  internal::TraceEncoder enc(snap.calibration);
  ThreadSnapshot a, b, c;
  a.first_area = 1;
  Chunk(&a, 2, 3, 1000, 4);  // area 1 (3 events) lost before the first chunk seen
  enc.AddEvents(0, a);
  b.first_area = 7;                         // ignored: the thread has started
  b.areas.push_back(AreaMark{0, 3, 7, 5});  // a chunk whose events are all filtered out
  enc.AddEvents(0, b);
  Chunk(&c, 5, 20, 3000, 1);  // area 4 (8 events) lost
  Chunk(&c, 4, 12, 2000, 0);  // stale mark (already passed): ignored
  enc.AddEvents(0, c);
  const reader::Trace r = Write(enc, snap);
  const std::vector<reader::Event>& ev = r.threads[0].events;
  ASSERT_EQ(ev.size(), 1u + 4 + 1 + 1);
  EXPECT_EQ(ev[0].type, EventType::kDataLost);
  EXPECT_EQ(ev[0].ts_ns, 1000);
  EXPECT_EQ(ev[0].payload, 1u);
  EXPECT_EQ(ev[0].arg, 3);
  EXPECT_EQ(ev[5].type, EventType::kDataLost);
  EXPECT_EQ(ev[5].ts_ns, 3000);
  EXPECT_EQ(ev[5].payload, 1u);
  EXPECT_EQ(ev[5].arg, 8);
}

TEST(LossRecords, AreaCursorCountsWhatIsKnown) {
  internal::AreaCursor c;
  EXPECT_FALSE(c.Advance(4, 100, 10));  // the first area seen: no baseline, no loss
  EXPECT_FALSE(c.Advance(5, 110, 10));
  EXPECT_TRUE(c.Advance(8, 150, 10));
  EXPECT_EQ(c.lost_areas, 2u);
  EXPECT_EQ(c.lost_events, 30u);
  EXPECT_TRUE(c.lost_events_known);
  c.ClearLoss();
  EXPECT_FALSE(c.Advance(0, 0, 0));  // unknown stamp
  internal::AreaCursor w;
  w.StartAt(6);                        // areas from 6 on are in the capture
  EXPECT_FALSE(w.Advance(6, 500, 3));  // the first of them: nothing lost
  internal::AreaCursor x;
  x.StartAt(6);
  EXPECT_TRUE(x.Advance(7, 500, 3));  // area 6 lost; its event count is unknown
  EXPECT_EQ(x.lost_areas, 1u);
  EXPECT_FALSE(x.lost_events_known);
}

}  // namespace
}  // namespace tracelane
