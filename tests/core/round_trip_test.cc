// Round trip through a .tlt file: what the threads recorded comes back exactly.
//
// Several named threads record nested scopes, counters (double values, including
// the awkward ones), instants and raw-payload events with arguments, crossing many
// chunk and event-block boundaries. The trace is then written and read back, and
// compared twice: against the recorder's own buffers (a snapshot, converted with
// the snapshot's calibration: every field and timestamp must match exactly) and
// against the sequence the test meant to emit.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/test_util.h"
#include "tracelane/tracelane.h"
#include "tracer/snapshot.h"
#include "tracer/trace_writer.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane {
namespace {

using format::EventType;
using testing::CheckMonotonic;
using testing::CheckNesting;
using testing::FindThread;
using testing::OwnEvents;
using testing::ScopedFile;
using testing::TempPath;

constexpr int kWorkers = 4;
// ~4.3 events per iteration: ~65k events per worker, so every worker fills many
// 1024-event chunks and worker 0 (more iterations) spans two 65536-event blocks.
constexpr int kIterations = 15000;
constexpr uint64_t kLockId = 0x00ABCDEF01234567;  // 56 bits: the largest raw payload
constexpr int kRawEvery = 1000;

// One event the test emitted, as the reader should report it.
struct Expected {
  EventType type;
  std::string name;
  std::string function;
  uint32_t line;
  bool has_arg;
  int64_t arg;
  uint64_t raw_payload;  // for non-location types
};

struct WorkerLog {
  int64_t tid = 0;
  std::string name;
  int iterations = 0;
  uint32_t outer_line = 0, leaf_line = 0, instant_line = 0, counter_line = 0;
};

double CounterValue(int worker, int i) {
  switch (i % 7) {
    case 0: return i * 0.25 - worker;
    case 1: return -0.0;
    case 2: return 1e300;
    case 3: return std::numeric_limits<double>::denorm_min();
    case 4: return std::numeric_limits<double>::quiet_NaN();
    case 5: return -std::numeric_limits<double>::infinity();
    default: return -static_cast<double>(i);
  }
}

int64_t Bits(double v) {
  int64_t b;
  std::memcpy(&b, &v, sizeof(b));
  return b;
}

std::string WorkerName(int k) { return k == 3 ? "wörker-3 ✓" : "worker-" + std::to_string(k); }

void Leaf(int i, WorkerLog* log) {
  TRACE_SCOPE(); log->leaf_line = __LINE__;  // NOLINT: the line must match the macro's
  if (i % 3 == 0) {
    TRACE_INSTANT("tick"); log->instant_line = __LINE__;  // NOLINT
  }
}

void Worker(int k, WorkerLog* log) {
  if (k == 0) TRACE_THREAD_NAME("first-name");  // renamed below: the last name wins
  TRACE_THREAD_NAME(WorkerName(k).c_str());
  log->tid = internal::CurrentTid();
  log->name = WorkerName(k);
  log->iterations = kIterations + (k == 0 ? kIterations / 2 : 0);
  for (int i = 0; i < log->iterations; ++i) {
    TRACE_SCOPE("outer"); log->outer_line = __LINE__;  // NOLINT
    TRACE_COUNTER("value", CounterValue(k, i)); log->counter_line = __LINE__;  // NOLINT
    Leaf(i, log);
    if (i % kRawEvery == kRawEvery / 2) {
      internal::EmitWithArg(EventType::kLockReleased, kLockId, static_cast<uint64_t>(-int64_t{i}));
    }
  }
}

// The sequence Worker(k) emits (without its thread start/exit events).
std::vector<Expected> ExpectedSequence(int k, const WorkerLog& log) {
  std::vector<Expected> out;
  const std::string file = __FILE__;
  for (int i = 0; i < log.iterations; ++i) {
    out.push_back({EventType::kScopeBegin, "outer", "Worker", log.outer_line, false, 0, 0});
    out.push_back({EventType::kCounter, "value", "Worker", log.counter_line, true,
                   Bits(CounterValue(k, i)), 0});
    out.push_back({EventType::kScopeBegin, "Leaf", "Leaf", log.leaf_line, false, 0, 0});
    if (i % 3 == 0) {
      out.push_back({EventType::kInstant, "tick", "Leaf", log.instant_line, false, 0, 0});
    }
    out.push_back({EventType::kScopeEnd, "Leaf", "Leaf", log.leaf_line, false, 0, 0});
    if (i % kRawEvery == kRawEvery / 2) {
      out.push_back({EventType::kLockReleased, "", "", 0, true, -int64_t{i}, kLockId});
    }
    out.push_back({EventType::kScopeEnd, "outer", "Worker", log.outer_line, false, 0, 0});
  }
  return out;
}

// Records the workload: kWorkers joined threads plus a few events on this thread.
// Returns the logs; `before`/`after` bracket the recording in CLOCK_MONOTONIC ns.
std::vector<WorkerLog> Record(int64_t* before, int64_t* after) {
  *before = internal::MonotonicNs();
  {
    TRACE_SCOPE("main_scope");
    TRACE_INSTANT("main_instant");
  }
  internal::NameObject(format::ObjectKind::kLock, kLockId, "the-lock");
  internal::NameObject(format::ObjectKind::kCondVar, 7, "the-condvar");
  std::vector<WorkerLog> logs(kWorkers);
  std::vector<std::thread> threads;
  for (int k = 0; k < kWorkers; ++k) threads.emplace_back(Worker, k, &logs[k]);
  for (auto& t : threads) t.join();
  *after = internal::MonotonicNs();
  return logs;
}

// Checks a decoded worker thread against what the worker emitted.
// Scheduler events (merged in when a scheduler source is active) are left out.
void ExpectWorkerEvents(const reader::Trace& trace, const WorkerLog& log, int k) {
  SCOPED_TRACE("worker " + std::to_string(k));
  const reader::Thread* found = FindThread(trace, log.tid);
  ASSERT_NE(found, nullptr) << "thread " << log.tid << " missing";
  const reader::Thread own = OwnEvents(*found);
  const reader::Thread* t = &own;
  EXPECT_EQ(t->name, log.name);
  EXPECT_TRUE(t->exited);
  EXPECT_EQ(t->dropped, 0u);
  EXPECT_EQ(t->overwritten, 0u);
  ASSERT_GE(t->events.size(), 2u);
  EXPECT_EQ(t->events.front().type, EventType::kThreadStart);
  EXPECT_EQ(t->events.back().type, EventType::kThreadExit);
  EXPECT_EQ(t->start_ns, t->events.front().ts_ns);
  EXPECT_GE(t->exit_ns, t->events.back().ts_ns);
  EXPECT_EQ(CheckNesting(trace, *t), "");
  EXPECT_EQ(CheckMonotonic(*t), "");

  const std::vector<Expected> want = ExpectedSequence(k, log);
  ASSERT_EQ(t->events.size(), want.size() + 2);
  for (size_t i = 0; i < want.size(); ++i) {
    const reader::Event& e = t->events[i + 1];
    const Expected& w = want[i];
    ASSERT_EQ(e.type, w.type) << "event " << i;
    ASSERT_EQ(e.has_arg, w.has_arg) << "event " << i;
    if (w.has_arg) {
      ASSERT_EQ(e.arg, w.arg) << "event " << i;
    }
    if (format::HasLocationPayload(e.type)) {
      const reader::Location* loc = trace.LocationOf(e);
      ASSERT_NE(loc, nullptr) << "event " << i;
      ASSERT_EQ(loc->name, w.name) << "event " << i;
      ASSERT_EQ(loc->function, w.function) << "event " << i;
      ASSERT_EQ(loc->file, __FILE__) << "event " << i;
      ASSERT_EQ(loc->line, w.line) << "event " << i;
    } else {
      ASSERT_EQ(e.payload, w.raw_payload) << "event " << i;
    }
  }
}

// The events the writer should produce for one snapshot thread, computed here
// independently: pads skipped, arguments attached, extras merged by time.
std::vector<reader::Event> Flatten(const internal::ThreadSnapshot& t,
                                   const internal::Calibration& cal) {
  std::vector<reader::Event> out;
  for (const internal::RawEvent& e : t.events) {
    const uint8_t type = static_cast<uint8_t>(e.word >> internal::kTypeShift);
    if (type == internal::kPadType) continue;
    if (type == internal::kArgType) {
      out.back().arg = static_cast<int64_t>(e.ticks);
      out.back().has_arg = true;
      continue;
    }
    out.push_back(reader::Event{cal.ToNs(e.ticks), e.word & internal::kPayloadMask, 0,
                                static_cast<EventType>(type), false});
  }
  std::vector<reader::Event> extra;
  for (const internal::ExtraEvent& e : t.extra) {
    extra.push_back(reader::Event{cal.ToNs(e.ticks), e.payload, e.arg, e.type, e.has_arg});
  }
  std::vector<reader::Event> merged;
  std::merge(out.begin(), out.end(), extra.begin(), extra.end(), std::back_inserter(merged),
             [](const reader::Event& a, const reader::Event& b) { return a.ts_ns < b.ts_ns; });
  return merged;
}

class RoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Configure(RecorderOptions{}).ok()); }
};

// Snapshot -> file -> reader: every thread, event, timestamp, location and table
// entry equals the recorder's buffers converted with the snapshot's calibration.
TEST_F(RoundTripTest, FileMatchesRecorderBuffersExactly) {
  int64_t before, after;
  const std::vector<WorkerLog> logs = Record(&before, &after);

  const internal::Snapshot snap = internal::TakeSnapshot();
  ScopedFile file(TempPath("round_trip.tlt"));
  internal::WriteStats stats;
  {
    std::ofstream out(file.path(), std::ios::binary);
    ASSERT_TRUE(internal::EncodeTrace(snap, out, &stats).ok());
  }
  absl::StatusOr<reader::Trace> trace = reader::ReadTrace(file.path());
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_TRUE(trace->complete);
  EXPECT_TRUE(trace->warnings.empty());
  EXPECT_EQ(trace->event_count, stats.events);
  EXPECT_EQ(trace->file_bytes, stats.bytes);

  // Header: clock, process, anchors.
  const internal::Calibration& cal = snap.calibration;
  EXPECT_EQ(trace->version, format::kFormatVersion);
  EXPECT_EQ(trace->clock_source,
            cal.tsc ? format::ClockSource::kTsc : format::ClockSource::kClockMonotonic);
  EXPECT_DOUBLE_EQ(trace->tsc_hz, cal.Hz());
  EXPECT_EQ(trace->pid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(trace->monotonic_anchor_ns, cal.mono0_ns);
  EXPECT_EQ(trace->realtime_anchor_ns, cal.realtime0_ns);
  EXPECT_EQ(trace->capture_end_ns, cal.ToNs(snap.end_ticks));
  EXPECT_FALSE(trace->Property("process_name").empty());
  EXPECT_EQ(trace->Property("scheduler_source").empty(), false);

  // Objects.
  ASSERT_EQ(trace->objects.size(), 2u);
  EXPECT_EQ(trace->objects[0].id, 7u);
  EXPECT_EQ(trace->objects[0].kind, format::ObjectKind::kCondVar);
  EXPECT_EQ(trace->objects[0].name, "the-condvar");
  EXPECT_EQ(trace->objects[1].id, kLockId);
  EXPECT_EQ(trace->objects[1].kind, format::ObjectKind::kLock);
  EXPECT_EQ(trace->objects[1].name, "the-lock");

  // Threads and events, field by field.
  ASSERT_EQ(trace->threads.size(), snap.threads.size());
  for (size_t i = 0; i < snap.threads.size(); ++i) {
    const internal::ThreadSnapshot& st = snap.threads[i];
    const reader::Thread& rt = trace->threads[i];
    SCOPED_TRACE("thread " + std::to_string(st.tid));
    EXPECT_EQ(rt.tid, st.tid);
    EXPECT_EQ(rt.name, st.name);
    EXPECT_EQ(rt.dropped, st.dropped);
    EXPECT_EQ(rt.overwritten, st.overwritten);
    EXPECT_EQ(rt.exited, !st.alive);
    EXPECT_EQ(rt.start_ns, cal.ToNs(st.start_ticks));
    EXPECT_EQ(rt.exit_ns, st.alive ? 0 : cal.ToNs(st.exit_ticks));
    const std::vector<reader::Event> want = Flatten(st, cal);
    ASSERT_EQ(rt.events.size(), want.size());
    for (size_t j = 0; j < want.size(); ++j) {
      const reader::Event& got = rt.events[j];
      ASSERT_EQ(got.ts_ns, want[j].ts_ns) << "event " << j;
      ASSERT_EQ(got.type, want[j].type) << "event " << j;
      ASSERT_EQ(got.has_arg, want[j].has_arg) << "event " << j;
      ASSERT_EQ(got.arg, want[j].arg) << "event " << j;
      if (format::HasLocationPayload(got.type)) {
        const auto* loc = reinterpret_cast<const SourceLocation*>(want[j].payload);
        const reader::Location* rl = trace->LocationOf(got);
        ASSERT_NE(rl, nullptr);
        ASSERT_EQ(rl->name, loc->name) << "event " << j;
        ASSERT_EQ(rl->function, loc->function) << "event " << j;
        ASSERT_EQ(rl->file, loc->file) << "event " << j;
        ASSERT_EQ(rl->line, loc->line) << "event " << j;
      } else {
        ASSERT_EQ(got.payload, want[j].payload) << "event " << j;
      }
    }
    // Timestamps lie in the capture window and, for events the threads recorded
    // themselves, in the test's own bracket (the calibration interpolates
    // CLOCK_MONOTONIC; allow 2 ms for anchor error/slew). Scheduler events of the
    // still-running main thread may come later than `after`.
    constexpr int64_t kSlackNs = 2000000;
    for (const reader::Event& e : rt.events) {
      ASSERT_GE(e.ts_ns, trace->capture_start_ns);
      ASSERT_LE(e.ts_ns, trace->capture_end_ns);
      if (testing::IsSchedulerEvent(e.type)) continue;
      ASSERT_GE(e.ts_ns, before - kSlackNs);
      ASSERT_LE(e.ts_ns, after + kSlackNs);
    }
  }

  // And what the workers meant to record.
  for (int k = 0; k < kWorkers; ++k) ExpectWorkerEvents(*trace, logs[k], k);
  // The main thread: alive, one closed scope and one instant.
  const reader::Thread* main_found = FindThread(*trace, internal::CurrentTid());
  ASSERT_NE(main_found, nullptr);
  const reader::Thread main_own = OwnEvents(*main_found);
  const reader::Thread* main_thread = &main_own;
  EXPECT_FALSE(main_thread->exited);
  EXPECT_EQ(main_thread->exit_ns, 0);
  EXPECT_EQ(CheckNesting(*trace, *main_thread), "");
  ASSERT_EQ(main_thread->events.size(), 4u);
  EXPECT_EQ(main_thread->events[0].type, EventType::kThreadStart);
  EXPECT_EQ(trace->LocationOf(main_thread->events[1])->name, "main_scope");
  EXPECT_EQ(trace->LocationOf(main_thread->events[2])->name, "main_instant");
  EXPECT_EQ(trace->LocationOf(main_thread->events[3])->name, "main_scope");

  // Each call site is one location entry, however many events refer to it.
  std::vector<std::string> names;
  for (const reader::Location& l : trace->locations) names.push_back(l.name + "@" + l.function);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

// The public writer (to a path and to a stream): orders and counts come back
// exactly; timestamps are per-thread non-decreasing inside the capture window.
TEST_F(RoundTripTest, PublicWriteTraceRoundTrips) {
  int64_t before, after;
  const std::vector<WorkerLog> logs = Record(&before, &after);

  ScopedFile file(TempPath("public.tlt"));
  ASSERT_TRUE(WriteTrace(file.path()).ok());
  std::ostringstream stream;
  ASSERT_TRUE(WriteTrace(stream).ok());

  absl::StatusOr<reader::Trace> from_file = reader::ReadTrace(file.path());
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  absl::StatusOr<reader::Trace> from_stream = reader::ParseTrace(stream.str(), "stream");
  ASSERT_TRUE(from_stream.ok()) << from_stream.status();

  for (const reader::Trace* trace : {&*from_file, &*from_stream}) {
    EXPECT_TRUE(trace->complete);
    EXPECT_EQ(trace->dropped, 0u);
    EXPECT_EQ(trace->overwritten, 0u);
    EXPECT_LE(trace->capture_start_ns, trace->capture_end_ns);
    EXPECT_EQ(trace->threads.size(), kWorkers + 1u);
    for (int k = 0; k < kWorkers; ++k) ExpectWorkerEvents(*trace, logs[k], k);
    for (const reader::Thread& t : trace->threads) {
      for (const reader::Event& e : t.events) {
        ASSERT_GE(e.ts_ns, trace->capture_start_ns);
        ASSERT_LE(e.ts_ns, trace->capture_end_ns);
      }
    }
  }
  // Both captures hold the same recorded events (scheduler events may differ: the
  // second capture is taken later).
  const auto own_count = [](const reader::Trace& t) {
    size_t n = 0;
    for (const reader::Thread& th : t.threads) n += OwnEvents(th).events.size();
    return n;
  };
  EXPECT_EQ(own_count(*from_file), own_count(*from_stream));
}

// A thread that records nothing does not appear; an empty recorder writes a valid
// trace with no events.
TEST_F(RoundTripTest, EmptyRecorderWritesValidTrace) {
  std::thread([] {}).join();
  std::ostringstream stream;
  ASSERT_TRUE(WriteTrace(stream).ok());
  absl::StatusOr<reader::Trace> trace = reader::ParseTrace(stream.str(), "empty");
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_TRUE(trace->complete);
  EXPECT_EQ(trace->event_count, 0u);
  EXPECT_TRUE(trace->threads.empty());
}

}  // namespace
}  // namespace tracelane
