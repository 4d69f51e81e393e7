// Parallel loading (reader::ParallelStreamTrace, LoadModel's workers): the model
// is the one the serial reader and builder make, interval for interval, whatever
// the number of workers and blocks in flight; errors and salvage warnings are the
// serial reader's; progress is monotonic and reaches the file size; cancelling
// stops early. On synthetic traces with several blocks per thread, random traces
// with losses, and a real capture with losses.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/analysis/random_trace.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/core/tlt_builder.h"
#include "tracelane/tracelane.h"
#include "viewer/analysis/model.h"
#include "viewer/lib/parallel_reader.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::analysis {
namespace {

using testing::SyntheticTrace;

constexpr int64_t kUs = 1000, kMs = 1000000;

// Compares element by element through `key` (a tuple of every field).
template <typename T, typename Key>
void ExpectSameVector(const T& a, const T& b, Key key, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    if (key(a[i]) != key(b[i])) {
      ADD_FAILURE() << what << " differs at index " << i;
      return;
    }
  }
}

// Every interval, index and counter of two models.
void ExpectSameModel(const Model& a, const Model& b) {
  EXPECT_EQ(a.start_ns, b.start_ns);
  EXPECT_EQ(a.end_ns, b.end_ns);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.unmatched_events, b.unmatched_events);
  EXPECT_EQ(a.scheduler, b.scheduler);
  EXPECT_EQ(a.info.event_count, b.info.event_count);
  EXPECT_EQ(a.info.dropped, b.info.dropped);
  EXPECT_EQ(a.info.overwritten, b.info.overwritten);
  EXPECT_EQ(a.info.complete, b.info.complete);
  EXPECT_EQ(a.info.warnings, b.info.warnings);
  ASSERT_EQ(a.threads.size(), b.threads.size());
  for (size_t i = 0; i < a.threads.size(); ++i) {
    const ThreadModel& x = a.threads[i];
    const ThreadModel& y = b.threads[i];
    const std::string t = absl::StrCat("thread ", i, ": ");
    EXPECT_EQ(std::tie(x.tid, x.name, x.exited, x.dropped, x.overwritten, x.events, x.life_start_ns,
                       x.life_end_ns, x.max_lock_wait_ns),
              std::tie(y.tid, y.name, y.exited, y.dropped, y.overwritten, y.events, y.life_start_ns,
                       y.life_end_ns, y.max_lock_wait_ns))
        << t;
    ExpectSameVector(
        x.states, y.states, [](const StateSpan& s) { return std::tie(s.start_ns, s.state); },
        t + "states");
    ExpectSameVector(
        x.scopes, y.scopes,
        [](const Scope& s) { return std::tie(s.begin_ns, s.end_ns, s.location, s.parent); },
        t + "scopes");
    EXPECT_EQ(x.scopes_by_depth, y.scopes_by_depth) << t;
    EXPECT_EQ(x.cut_scopes, y.cut_scopes) << t;
    EXPECT_EQ(x.lost_scopes, y.lost_scopes) << t;
    ExpectSameVector(
        x.gaps, y.gaps,
        [](const DataGap& g) {
          return std::tie(g.start_ns, g.end_ns, g.lost_events, g.lost_chunks, g.events_known);
        },
        t + "gaps");
    ExpectSameVector(
        x.lock_waits, y.lock_waits,
        [](const LockWait& w) {
          return std::tie(w.start_ns, w.end_ns, w.lock_id, w.holder_thread, w.holder_scope, w.scope,
                          w.outcome);
        },
        t + "lock waits");
    ExpectSameVector(
        x.lock_holds, y.lock_holds,
        [](const LockHold& h) { return std::tie(h.acquired_ns, h.released_ns, h.lock_id); },
        t + "lock holds");
    ExpectSameVector(
        x.cond_waits, y.cond_waits,
        [](const CondWait& w) {
          return std::tie(w.start_ns, w.end_ns, w.cond_id, w.notifier_thread, w.outcome);
        },
        t + "cond waits");
    ExpectSameVector(
        x.cond_notifies, y.cond_notifies,
        [](const CondNotify& n) { return std::tie(n.ts_ns, n.cond_id, n.all); },
        t + "cond notifies");
    ExpectSameVector(
        x.blocks, y.blocks,
        [](const Block& k) { return std::tie(k.start_ns, k.end_ns, k.location, k.kind, k.cut); },
        t + "blocks");
    ExpectSameVector(
        x.pauses, y.pauses,
        [](const Pause& p) { return std::tie(p.start_ns, p.end_ns, p.arg, p.location, p.cut); },
        t + "pauses");
    ExpectSameVector(
        x.instants, y.instants, [](const Instant& n) { return std::tie(n.ts_ns, n.location); },
        t + "instants");
  }
  ExpectSameVector(
      a.stw, b.stw,
      [](const StwSpan& s) { return std::tie(s.start_ns, s.end_ns, s.thread, s.location, s.cut); },
      "stop-the-world");
  ASSERT_EQ(a.locks.size(), b.locks.size());
  for (const auto& [id, c] : a.locks) {
    auto it = b.locks.find(id);
    ASSERT_NE(it, b.locks.end()) << "lock " << id;
    EXPECT_EQ(std::tie(c.acquisitions, c.contended, c.try_failed, c.releases_with_waiters),
              std::tie(it->second.acquisitions, it->second.contended, it->second.try_failed,
                       it->second.releases_with_waiters))
        << "lock " << id;
  }
  ASSERT_EQ(a.scopes_by_location.size(), b.scopes_by_location.size());
  for (size_t l = 0; l < a.scopes_by_location.size(); ++l) {
    ExpectSameVector(
        a.scopes_by_location[l], b.scopes_by_location[l],
        [](const ScopeRef& r) { return std::tie(r.thread, r.index); },
        absl::StrCat("scopes of location ", l));
  }
  ASSERT_EQ(a.counters.size(), b.counters.size());
  for (size_t c = 0; c < a.counters.size(); ++c) {
    EXPECT_EQ(a.counters[c].location, b.counters[c].location);
    EXPECT_EQ(a.counters[c].min_value, b.counters[c].min_value);
    EXPECT_EQ(a.counters[c].max_value, b.counters[c].max_value);
    ExpectSameVector(
        a.counters[c].points, b.counters[c].points,
        [](const CounterPoint& p) { return std::tie(p.ts_ns, p.value, p.thread); },
        absl::StrCat("counter ", c));
  }
}

Model Load(const std::string& bytes, int workers) {
  LoadOptions o;
  o.workers = workers;
  absl::StatusOr<Model> m = LoadModelFromBytes(bytes, "t.tlt", o);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *std::move(m) : Model();
}

// The serial reference: the whole trace read by the serial reader, then built.
Model Serial(const std::string& bytes) {
  absl::StatusOr<reader::Trace> t = reader::ParseTrace(bytes, "t.tlt");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? BuildModel(*std::move(t)) : Model();
}

// Four threads with 150,000 events each, so every thread spans three event blocks
// (the writer puts at most 65,536 events in one), with scopes, locks, blocks,
// pauses, counters and stop-the-world spans that cross block boundaries.
std::string MultiBlockTrace() {
  SyntheticTrace tr(1 * kMs, 1 * kMs + 40000 * 10 * kUs);
  tr.Property("scheduler_source", "perf");
  for (int w = 0; w < 4; ++w) {
    const int th = tr.Thread(100 + w, absl::StrCat("worker-", w));
    int64_t t = 1 * kMs + w * 100;
    for (int i = 0; i < 15000; ++i, t += 25 * kUs) {
      tr.At(th, t, format::EventType::kScopeBegin, "request");
      tr.At(th, t + 1 * kUs, format::EventType::kScopeBegin, "parse");
      tr.At(th, t + 3 * kUs, format::EventType::kScopeEnd, "parse");
      tr.RawArg(th, t + 4 * kUs, format::EventType::kLockWait, 7, 0);
      tr.RawArg(th, t + 5 * kUs + (i % 7) * 100, format::EventType::kLockAcquired, 7,
                100 + (w + 1) % 4);
      tr.RawArg(th, t + 8 * kUs, format::EventType::kLockReleased, 7, i % 3 == 0);
      tr.AtArg(th, t + 9 * kUs, format::EventType::kBlockBegin, "read",
               static_cast<int64_t>(format::BlockKind::kIo));
      tr.At(th, t + 12 * kUs, format::EventType::kBlockEnd, "read");
      tr.AtArg(th, t + 13 * kUs, format::EventType::kCounter, "depth", 0);
      tr.At(th, t + 20 * kUs, format::EventType::kScopeEnd, "request");
      if (i % 1000 == 999 && w == 0) {
        tr.At(th, t + 21 * kUs, format::EventType::kStwBegin, "gc");
        tr.At(th, t + 24 * kUs, format::EventType::kStwEnd, "gc");
      }
    }
  }
  return tr.Encode();
}

// A real capture: three threads with nested scopes and a shared tracelane::Mutex,
// recorded through a 1 MiB buffer that the streamed capture cannot drain in time,
// so it has losses in the middle of the threads' streams.
std::string RealCaptureWithLosses() {
  RecorderOptions o;
  o.buffer_bytes = size_t{1} << 20;
  EXPECT_TRUE(Configure(o).ok());
  CaptureStats stats;
  absl::StatusOr<std::string> bytes;
  std::thread capture([&] {
    CaptureOptions co;
    co.mode = CaptureMode::kNext;
    co.seconds = 0.3;
    bytes = Capture(co, &stats);
  });
  for (int i = 0; i < 5000 && !GetFlightRecorderStatus().next_capture_running; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  std::atomic<bool> stop{false};
  Mutex mu("shared");
  std::atomic<uint64_t> sink{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([&] {
      uint64_t x = 1;
      while (!stop.load(std::memory_order_relaxed)) {
        TRACE_SCOPE("request");
        {
          TRACE_SCOPE("parse");
          for (int j = 0; j < 20; ++j) x = x * 6364136223846793005ull + 1;
        }
        std::lock_guard<Mutex> lock(mu);
        TRACE_SCOPE("update");
        x ^= x >> 7;
      }
      sink += x;
    });
  }
  capture.join();
  stop = true;
  for (std::thread& w : workers) w.join();
  EXPECT_TRUE(Configure(RecorderOptions{}).ok());
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  if (!bytes.ok()) return "";
  EXPECT_GT(stats.dropped + stats.overwritten, 0u) << "no losses: the capture kept up";
  return *std::move(bytes);
}

void ExpectSameForEveryWorkerCount(const std::string& bytes) {
  const Model serial = Serial(bytes);
  ASSERT_GT(serial.events, 0u);
  for (int workers : {1, 2, 3, 8}) {
    SCOPED_TRACE(absl::StrCat(workers, " workers"));
    ExpectSameModel(serial, Load(bytes, workers));
  }
}

TEST(ParallelLoad, SameModelAsSerialOnMultiBlockThreads) {
  const std::string bytes = MultiBlockTrace();
  absl::StatusOr<reader::Trace> t = reader::ParseTrace(bytes, "t.tlt");
  ASSERT_TRUE(t.ok());
  for (const reader::Thread& th : t->threads) ASSERT_GT(th.events.size(), 2u * 65536);
  ExpectSameForEveryWorkerCount(bytes);
}

TEST(ParallelLoad, SameModelAsSerialOnRandomTracesWithLosses) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    testing::RandomTraceOptions o;
    o.loss = seed % 2 ? 0.02 : 0;
    o.schedstat = seed % 3 == 0;
    o.threads = 3 + static_cast<int>(seed % 5);
    ExpectSameForEveryWorkerCount(testing::RandomTrace(seed, o));
  }
}

TEST(ParallelLoad, SameModelAsSerialOnARealCaptureWithLosses) {
  const std::string bytes = RealCaptureWithLosses();
  ASSERT_FALSE(bytes.empty());
  ExpectSameForEveryWorkerCount(bytes);
  const Model m = Load(bytes, 2);
  uint64_t gaps = 0;
  for (const ThreadModel& t : m.threads) gaps += t.gaps.size();
  EXPECT_GT(gaps, 0u);
}

// Runs the parallel reader with a model builder's shape of consumer: records each
// thread's blocks (event counts) in the order they arrive, and checks that no two
// calls for one thread overlap.
struct Recorded {
  absl::StatusOr<reader::Trace> trace;
  std::vector<std::vector<size_t>> blocks;  // per thread: events per block, in order
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  int overlaps = 0;
};

Recorded ReadParallel(const std::string& bytes, int workers, int in_flight, bool salvage,
                      const std::function<bool()>& cancelled = {}) {
  Recorded r;
  std::mutex mu;
  std::vector<std::unique_ptr<std::atomic<int>>> inside;
  reader::ReadOptions o;
  o.workers = workers;
  o.max_blocks_in_flight = in_flight;
  o.salvage = salvage;
  o.cancelled = cancelled;
  o.progress = [&](uint64_t done, uint64_t total) { r.progress.emplace_back(done, total); };
  r.trace = reader::ParallelStreamParseTrace(
      bytes, "t.tlt",
      [&](const reader::Trace& tables) {
        r.blocks.resize(tables.threads.size());
        for (size_t i = 0; i < tables.threads.size(); ++i) {
          inside.push_back(std::make_unique<std::atomic<int>>(0));
        }
      },
      [&](const reader::Trace&, uint32_t thread, const std::vector<reader::Event>& events) {
        if (inside[thread]->fetch_add(1) != 0) {
          std::lock_guard<std::mutex> l(mu);
          ++r.overlaps;
        }
        absl::SleepFor(absl::Microseconds(50));  // widen the window for overlaps
        {
          std::lock_guard<std::mutex> l(mu);
          r.blocks[thread].push_back(events.size());
        }
        inside[thread]->fetch_sub(1);
      },
      o);
  return r;
}

// The serial streaming reader's view of the same bytes.
Recorded ReadSerial(const std::string& bytes, bool salvage) {
  Recorded r;
  reader::ReadOptions o;
  o.salvage = salvage;
  r.trace = reader::StreamParseTrace(
      bytes, "t.tlt",
      [&](const reader::Trace& tables, uint32_t thread, const std::vector<reader::Event>& events) {
        r.blocks.resize(tables.threads.size());
        r.blocks[thread].push_back(events.size());
      },
      o);
  if (r.trace.ok()) r.blocks.resize(r.trace->threads.size());
  return r;
}

TEST(ParallelReader, BlocksArriveInFileOrderPerThreadNeverOverlapping) {
  const std::string bytes = MultiBlockTrace();
  const Recorded serial = ReadSerial(bytes, false);
  ASSERT_TRUE(serial.trace.ok());
  for (int workers : {1, 2, 8}) {
    for (int in_flight : {1, 2, 16}) {
      SCOPED_TRACE(absl::StrCat(workers, " workers, ", in_flight, " in flight"));
      const Recorded r = ReadParallel(bytes, workers, in_flight, false);
      ASSERT_TRUE(r.trace.ok()) << r.trace.status();
      EXPECT_EQ(r.blocks, serial.blocks);
      EXPECT_EQ(r.overlaps, 0);
      EXPECT_EQ(r.trace->event_count, serial.trace->event_count);
      EXPECT_TRUE(r.trace->complete);
    }
  }
}

TEST(ParallelReader, ProgressIsMonotonicAndReachesTheFileSize) {
  const std::string bytes = MultiBlockTrace();
  for (int workers : {1, 2, 8}) {
    const Recorded r = ReadParallel(bytes, workers, 2, false);
    ASSERT_TRUE(r.trace.ok());
    ASSERT_GE(r.progress.size(), 2u);
    for (size_t i = 0; i < r.progress.size(); ++i) {
      EXPECT_EQ(r.progress[i].second, bytes.size());
      EXPECT_LE(r.progress[i].first, bytes.size());
      if (i > 0) {
        EXPECT_GE(r.progress[i].first, r.progress[i - 1].first) << i;
      }
    }
    EXPECT_EQ(r.progress.back().first, bytes.size());
  }
}

TEST(ParallelReader, CancellingStopsEarly) {
  const std::string bytes = MultiBlockTrace();
  size_t total_blocks = 0;
  for (const auto& t : ReadSerial(bytes, false).blocks) total_blocks += t.size();
  ASSERT_EQ(total_blocks, 12u);
  for (int workers : {1, 2, 8}) {
    SCOPED_TRACE(absl::StrCat(workers, " workers"));
    std::atomic<bool> cancel{false};
    int progress_calls = 0;
    reader::ReadOptions o;
    o.workers = workers;
    o.max_blocks_in_flight = 2;
    o.cancelled = [&] { return cancel.load(); };
    o.progress = [&](uint64_t, uint64_t) { ++progress_calls; };
    std::atomic<int> handed{0};
    absl::StatusOr<reader::Trace> t = reader::ParallelStreamParseTrace(
        bytes, "t.tlt", nullptr,
        [&](const reader::Trace&, uint32_t, const std::vector<reader::Event>&) {
          ++handed;
          cancel = true;  // the viewer's Cancel button, pressed after the first block
        },
        o);
    EXPECT_TRUE(absl::IsCancelled(t.status())) << t.status();
    EXPECT_EQ(t.status().message(), "t.tlt: loading cancelled");
    // At most the blocks already in flight when the flag was raised.
    EXPECT_GE(handed.load(), 1);
    EXPECT_LE(handed.load(), 2);
    EXPECT_LT(progress_calls, 12);
  }
  // Through the model loader: a cancelled load returns no model.
  for (int workers : {1, 2, 8}) {
    LoadOptions o;
    o.workers = workers;
    int calls = 0;
    o.progress = [&](uint64_t, uint64_t) { ++calls; };
    o.cancelled = [&] { return calls >= 1; };
    absl::StatusOr<Model> m = LoadModelFromBytes(bytes, "t.tlt", o);
    EXPECT_TRUE(absl::IsCancelled(m.status())) << m.status();
  }
}

// Flips a byte inside the payload of the event block in the middle of the file.
std::string CorruptMiddleBlock(std::string bytes, bool header) {
  std::vector<size_t> events;
  size_t off = sizeof(format::FileHeader);
  while (off + sizeof(format::BlockHeader) <= bytes.size()) {
    format::BlockHeader h;
    std::memcpy(&h, bytes.data() + off, sizeof(h));
    if (h.type == static_cast<uint16_t>(format::BlockType::kEvents)) events.push_back(off);
    off += sizeof(h) + h.stored_size;
  }
  EXPECT_GE(events.size(), 3u);
  const size_t at = events[events.size() / 2] + (header ? 9 : sizeof(format::BlockHeader) + 40);
  bytes[at] = static_cast<char>(bytes[at] ^ 0x5A);
  return bytes;
}

TEST(ParallelReader, CorruptBlockInTheMiddleGivesTheSerialError) {
  for (bool header : {false, true}) {
    SCOPED_TRACE(header ? "corrupt block header" : "corrupt payload");
    const std::string bytes = CorruptMiddleBlock(MultiBlockTrace(), header);
    const Recorded serial = ReadSerial(bytes, false);
    ASSERT_FALSE(serial.trace.ok());
    EXPECT_TRUE(absl::IsDataLoss(serial.trace.status()));
    for (int workers : {1, 2, 8}) {
      SCOPED_TRACE(absl::StrCat(workers, " workers"));
      const Recorded r = ReadParallel(bytes, workers, 2, false);
      EXPECT_EQ(r.trace.status(), serial.trace.status());
      LoadOptions o;
      o.workers = workers;
      EXPECT_EQ(LoadModelFromBytes(bytes, "t.tlt", o).status(), serial.trace.status());
      // Salvage: the same warnings and the same model as the serial reader.
      const Recorded s = ReadParallel(bytes, workers, 2, true);
      const Recorded ss = ReadSerial(bytes, true);
      ASSERT_TRUE(s.trace.ok()) << s.trace.status();
      ASSERT_TRUE(ss.trace.ok());
      EXPECT_EQ(s.trace->warnings, ss.trace->warnings);
      EXPECT_FALSE(s.trace->warnings.empty());
      EXPECT_EQ(s.blocks, ss.blocks);
      o.salvage = true;
      absl::StatusOr<Model> m = LoadModelFromBytes(bytes, "t.tlt", o);
      ASSERT_TRUE(m.ok()) << m.status();
      reader::ReadOptions ro;
      ro.salvage = true;
      absl::StatusOr<reader::Trace> t = reader::ParseTrace(bytes, "t.tlt", ro);
      ASSERT_TRUE(t.ok());
      ExpectSameModel(BuildModel(*std::move(t)), *m);
    }
  }
}

TEST(ParallelReader, TruncatedFileGivesTheSerialError) {
  const std::string full = MultiBlockTrace();
  for (size_t keep : {size_t{50}, size_t{100}, full.size() / 3, full.size() / 2, full.size() - 5,
                      full.size() - 40}) {
    const std::string bytes = full.substr(0, keep);
    for (bool salvage : {false, true}) {
      SCOPED_TRACE(absl::StrCat("keep ", keep, salvage ? " salvage" : ""));
      const Recorded serial = ReadSerial(bytes, salvage);
      for (int workers : {1, 2, 8}) {
        const Recorded r = ReadParallel(bytes, workers, 3, salvage);
        EXPECT_EQ(r.trace.status(), serial.trace.status());
        if (r.trace.ok() && serial.trace.ok()) {
          EXPECT_EQ(r.trace->warnings, serial.trace->warnings);
          EXPECT_EQ(r.trace->event_count, serial.trace->event_count);
          EXPECT_EQ(r.blocks, serial.blocks);
        }
      }
    }
  }
}

TEST(ParallelReader, ASecondThreadTableAfterTheEventsIsAnErrorNotACrash) {
  // A damaged file with a second, one-thread table after the event blocks: a file
  // has one thread table, so the second is refused (never decoded: it would remove
  // threads 1-3 whose blocks were checked against the first), by both readers
  // (found by fuzz/trace_reader: the serial reader had dropped their events silently).
  std::string bytes = MultiBlockTrace();
  size_t off = sizeof(format::FileHeader), footer = 0;
  while (off + sizeof(format::BlockHeader) <= bytes.size()) {
    format::BlockHeader h;
    std::memcpy(&h, bytes.data() + off, sizeof(h));
    if (h.type == static_cast<uint16_t>(format::BlockType::kFooter)) footer = off;
    off += sizeof(h) + h.stored_size;
  }
  ASSERT_GT(footer, 0u);
  testing::Bytes table;
  table.Var(1).Zig(100).Var(0).Var(0).Var(0).U8(0).Zig(0).Zig(0);
  bytes.insert(footer,
               testing::Block(static_cast<uint16_t>(format::BlockType::kThreads), table.str()));
  const absl::StatusOr<reader::Trace> serial = reader::ParseTrace(bytes, "t.tlt");
  EXPECT_TRUE(absl::IsDataLoss(serial.status())) << serial.status();
  EXPECT_NE(serial.status().message().find("duplicate thread table block"), std::string::npos)
      << serial.status();
  reader::ReadOptions salvage;
  salvage.salvage = true;
  const absl::StatusOr<reader::Trace> salvaged = reader::ParseTrace(bytes, "t.tlt", salvage);
  ASSERT_TRUE(salvaged.ok()) << salvaged.status();
  EXPECT_EQ(salvaged->threads.size(), 4u);
  for (int workers : {1, 2, 8}) {
    const Recorded r = ReadParallel(bytes, workers, 2, false);
    EXPECT_EQ(r.trace.status(), serial.status());
    const Recorded s = ReadParallel(bytes, workers, 2, true);
    ASSERT_TRUE(s.trace.ok()) << s.trace.status();
    EXPECT_EQ(s.trace->warnings, salvaged->warnings);
    EXPECT_EQ(s.trace->event_count, salvaged->event_count);
  }
}

}  // namespace
}  // namespace tracelane::analysis
