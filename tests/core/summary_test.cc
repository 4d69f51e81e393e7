// ReadTraceSummary (what `tracelane info` prints) against the full reader: on files
// from the real writer the footer path gives exactly the full decode's numbers while
// reading only the header, tables, block headers and footer; truncated, damaged,
// inconsistent and older files fall back to a scan and say why; hostile footers and
// block headers cost time and memory in proportion to the real file. This binary
// also runs under ASan+UBSan.
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/core/test_util.h"
#include "tests/core/tlt_builder.h"
#include "tracelane/tracelane.h"
#include "viewer/lib/trace_reader.h"
#include "viewer/lib/trace_summary.h"

// ---- Peak heap bytes allocated through operator new (this binary only) ----------

namespace {
std::atomic<int64_t> g_live{0};
std::atomic<int64_t> g_peak{0};

void* Allocate(std::size_t n, bool nothrow = false) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) {
    if (nothrow) return nullptr;
    throw std::bad_alloc();
  }
  const int64_t live = g_live.fetch_add(static_cast<int64_t>(malloc_usable_size(p))) +
                       static_cast<int64_t>(malloc_usable_size(p));
  int64_t peak = g_peak.load();
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
  return p;
}

void Release(void* p) {
  if (p == nullptr) return;
  g_live.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)));
  std::free(p);
}
}  // namespace

void* operator new(std::size_t n) { return Allocate(n); }
void* operator new[](std::size_t n) { return Allocate(n); }
void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, std::size_t) noexcept { Release(p); }
void operator delete[](void* p, std::size_t) noexcept { Release(p); }
// Every form that pairs with the above, so ASan sees malloc/free only.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return Allocate(n, true); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return Allocate(n, true); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Release(p); }

namespace tracelane {
namespace {

using reader::ReadOptions;
using reader::ReadTraceSummary;
using reader::SummaryMethod;
using reader::SummarySource;
using reader::TraceSummary;
using testing::Block;
using testing::Bytes;
using testing::FooterPayload;
using testing::ScopedFile;
using testing::TempPath;

constexpr uint16_t kEventsType = 6;
constexpr uint16_t kFooterType = 15;

// Peak bytes allocated with operator new while `fn` runs, above what was live before.
template <typename Fn>
int64_t PeakHeapDuring(Fn fn) {
  const int64_t before = g_live.load();
  g_peak.store(before);
  fn();
  return g_peak.load() - before;
}

struct BlockInfo {
  uint64_t offset;  // of the block header
  uint64_t end;     // one past the payload
  uint16_t type;
};

std::vector<BlockInfo> MapBlocks(const std::string& bytes) {
  std::vector<BlockInfo> blocks;
  for (uint64_t off = 72; off + 24 <= bytes.size();) {
    uint16_t type;
    uint32_t stored;
    std::memcpy(&type, bytes.data() + off + 4, 2);
    std::memcpy(&stored, bytes.data() + off + 8, 4);
    blocks.push_back(BlockInfo{off, off + 24 + stored, type});
    off += 24 + stored;
  }
  return blocks;
}

// Records four threads of nested scopes and counters with the real recorder and
// writer. `buffer_bytes` small enough makes the flight recorder overwrite (or, with
// kDropNewest, drop) events, so the loss counts are not zero.
std::string Record(size_t buffer_bytes, OverflowPolicy policy, int iterations) {
  RecorderOptions o;
  o.buffer_bytes = buffer_bytes;
  o.policy = policy;
  EXPECT_TRUE(Configure(o).ok());
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([k, iterations] {
      TRACE_THREAD_NAME(("summary-" + std::to_string(k)).c_str());
      for (int i = 0; i < iterations + 1000 * k; ++i) {
        TRACE_SCOPE("outer");
        TRACE_COUNTER("i", i);
        TRACE_SCOPE();
      }
    });
  }
  for (auto& t : threads) t.join();
  std::ostringstream out;
  EXPECT_TRUE(WriteTrace(out).ok());
  return out.str();
}

// Several event blocks per thread, nothing lost.
const std::string& Multiblock() {
  static const std::string* s = new std::string(Record(size_t{64} << 20, {}, 25000));
  return *s;
}
// The flight recorder overwrote most of it.
const std::string& Overwritten() {
  static const std::string* s = new std::string(Record(size_t{1} << 20, {}, 40000));
  return *s;
}
// A full buffer dropped new events.
const std::string& Dropped() {
  static const std::string* s =
      new std::string(Record(size_t{1} << 20, OverflowPolicy::kDropNewest, 40000));
  return *s;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

ReadOptions Salvage() {
  ReadOptions o;
  o.salvage = true;
  return o;
}

// Everything `tracelane info` shows must equal what the full decode gives.
void ExpectSameAsFullRead(const TraceSummary& s, const reader::Trace& full) {
  const reader::Trace& t = s.tables;
  EXPECT_EQ(t.event_count, full.event_count);
  EXPECT_EQ(t.dropped, full.dropped);
  EXPECT_EQ(t.overwritten, full.overwritten);
  EXPECT_EQ(t.file_bytes, full.file_bytes);
  EXPECT_EQ(t.complete, full.complete);
  EXPECT_EQ(t.warnings, full.warnings);
  const auto [lo, hi] = full.EventSpan();
  EXPECT_EQ(s.first_event_ns, lo);
  EXPECT_EQ(s.last_event_ns, hi);
  EXPECT_EQ(t.version, full.version);
  EXPECT_EQ(t.clock_source, full.clock_source);
  EXPECT_EQ(t.tsc_hz, full.tsc_hz);
  EXPECT_EQ(t.pid, full.pid);
  EXPECT_EQ(t.realtime_anchor_ns, full.realtime_anchor_ns);
  EXPECT_EQ(t.monotonic_anchor_ns, full.monotonic_anchor_ns);
  EXPECT_EQ(t.capture_start_ns, full.capture_start_ns);
  EXPECT_EQ(t.capture_end_ns, full.capture_end_ns);
  EXPECT_EQ(t.properties, full.properties);
  EXPECT_EQ(t.strings, full.strings);
  EXPECT_EQ(t.locations.size(), full.locations.size());
  EXPECT_EQ(t.objects.size(), full.objects.size());
  ASSERT_EQ(t.threads.size(), full.threads.size());
  for (size_t i = 0; i < t.threads.size(); ++i) {
    EXPECT_EQ(t.threads[i].tid, full.threads[i].tid);
    EXPECT_EQ(t.threads[i].name, full.threads[i].name);
    EXPECT_EQ(t.threads[i].dropped, full.threads[i].dropped);
    EXPECT_EQ(t.threads[i].overwritten, full.threads[i].overwritten);
    EXPECT_TRUE(t.threads[i].events.empty());
  }
}

TEST(SummaryTest, FooterPathEqualsTheFullDecodeOnRealCaptures) {
  int lossy = 0;
  for (const std::string* bytes : {&Multiblock(), &Overwritten(), &Dropped()}) {
    ScopedFile file(TempPath("summary_real.tlt"));
    WriteFile(file.path(), *bytes);
    absl::StatusOr<reader::Trace> full = reader::ReadTrace(file.path());
    ASSERT_TRUE(full.ok()) << full.status();
    absl::StatusOr<TraceSummary> s = ReadTraceSummary(file.path());
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->source, SummarySource::kFooter) << s->scan_reason;
    EXPECT_TRUE(s->scan_reason.empty());
    ExpectSameAsFullRead(*s, *full);
    EXPECT_GT(full->event_count, 0u);
    lossy += full->dropped + full->overwritten > 0;

    // It read the header, the block headers, the tables and the footer: nothing else.
    uint64_t expected_read = 72, event_blocks = 0;
    for (const BlockInfo& b : MapBlocks(*bytes)) {
      expected_read += b.type == kEventsType ? 24 : b.end - b.offset;
      event_blocks += b.type == kEventsType;
    }
    EXPECT_EQ(s->bytes_read, expected_read);
    EXPECT_EQ(s->event_blocks, event_blocks);
    EXPECT_LT(s->bytes_read * 4, bytes->size());

    // Salvage mode changes nothing on an intact file; a forced scan agrees.
    absl::StatusOr<TraceSummary> salvaged = ReadTraceSummary(file.path(), Salvage());
    ASSERT_TRUE(salvaged.ok()) << salvaged.status();
    EXPECT_EQ(salvaged->source, SummarySource::kFooter);
    ExpectSameAsFullRead(*salvaged, *full);
    absl::StatusOr<TraceSummary> scan = ReadTraceSummary(file.path(), {}, SummaryMethod::kScan);
    ASSERT_TRUE(scan.ok()) << scan.status();
    EXPECT_EQ(scan->source, SummarySource::kScan);
    EXPECT_EQ(scan->event_blocks, event_blocks);
    ExpectSameAsFullRead(*scan, *full);
  }
  EXPECT_GE(lossy, 2) << "the small-buffer captures should have lost events";
  EXPECT_GT(MapBlocks(Multiblock()).size(), 6 + 4u) << "expected several blocks per thread";
}

// The issue's own test: event payloads overwritten with garbage (headers intact)
// change nothing, because the footer path never reads them.
TEST(SummaryTest, EventPayloadsAreNeverRead) {
  const std::string& good = Multiblock();
  std::string bad = good;
  for (const BlockInfo& b : MapBlocks(good)) {
    if (b.type != kEventsType) continue;
    for (uint64_t i = b.offset + 24; i < b.end; ++i) bad[i] = static_cast<char>(i * 131 + 7);
  }
  ScopedFile good_file(TempPath("summary_good.tlt"));
  ScopedFile bad_file(TempPath("summary_garbage.tlt"));
  WriteFile(good_file.path(), good);
  WriteFile(bad_file.path(), bad);
  absl::StatusOr<TraceSummary> expected = ReadTraceSummary(good_file.path());
  absl::StatusOr<TraceSummary> s = ReadTraceSummary(bad_file.path());
  ASSERT_TRUE(expected.ok() && s.ok()) << s.status();
  EXPECT_EQ(s->source, SummarySource::kFooter);
  EXPECT_EQ(s->tables.event_count, expected->tables.event_count);
  EXPECT_EQ(s->first_event_ns, expected->first_event_ns);
  EXPECT_EQ(s->last_event_ns, expected->last_event_ns);
  // The full decode and a forced scan do read them, and refuse the file.
  EXPECT_FALSE(reader::ReadTrace(bad_file.path()).ok());
  EXPECT_FALSE(ReadTraceSummary(bad_file.path(), {}, SummaryMethod::kScan).ok());
}

// Strict mode: the full reader's error. Salvage: a scan that says why.
void ExpectFallback(const std::string& bytes, const std::string& reason_prefix,
                    const std::string& label) {
  SCOPED_TRACE(label);
  ScopedFile file(TempPath("summary_fallback.tlt"));
  WriteFile(file.path(), bytes);
  absl::StatusOr<reader::Trace> full = reader::ReadTrace(file.path());
  absl::StatusOr<TraceSummary> s = ReadTraceSummary(file.path());
  ASSERT_FALSE(full.ok());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status(), full.status());
  absl::StatusOr<reader::Trace> full_salvaged = reader::ReadTrace(file.path(), Salvage());
  absl::StatusOr<TraceSummary> salvaged = ReadTraceSummary(file.path(), Salvage());
  ASSERT_TRUE(full_salvaged.ok()) << full_salvaged.status();
  ASSERT_TRUE(salvaged.ok()) << salvaged.status();
  EXPECT_EQ(salvaged->source, SummarySource::kScan);
  EXPECT_EQ(salvaged->scan_reason.rfind(reason_prefix, 0), 0u) << salvaged->scan_reason;
  EXPECT_FALSE(salvaged->tables.complete);
  ExpectSameAsFullRead(*salvaged, *full_salvaged);
}

TEST(SummaryTest, TruncatedFileFallsBackAndSaysSo) {
  // Cuts in every block of a small capture (each one is read four times in full).
  const std::string& small = Overwritten();
  std::vector<uint64_t> cuts = {small.size() - 1, small.size() - 20, small.size() - 36};
  for (const BlockInfo& b : MapBlocks(small)) {
    for (uint64_t c : {b.offset, b.offset + 1, b.offset + 24, (b.offset + b.end) / 2}) {
      if (c > 72 && c < small.size()) cuts.push_back(c);
    }
  }
  for (uint64_t n : cuts) {
    ExpectFallback(small.substr(0, n), "footer missing or damaged", "cut at " + std::to_string(n));
    if (HasFatalFailure()) return;
  }
  const std::string& big = Multiblock();
  ExpectFallback(big.substr(0, big.size() - 1), "footer missing or damaged", "multiblock");
}

TEST(SummaryTest, DamagedFooterFallsBack) {
  const std::string& good = Multiblock();
  const BlockInfo footer = MapBlocks(good).back();
  ASSERT_EQ(footer.type, kFooterType);
  for (uint64_t byte : {footer.offset + 2, footer.offset + 9, footer.offset + 24 + 3,
                        footer.offset + 24 + 20, footer.end - 1}) {
    std::string bad = good;
    bad[byte] = static_cast<char>(bad[byte] ^ 0x10);
    ExpectFallback(bad, "footer missing or damaged", "flip byte " + std::to_string(byte));
  }
  // Data after the footer.
  ExpectFallback(good + "x", "footer missing or damaged", "trailing byte");
}

// A damaged table is still an error in strict mode (its checksum is checked).
TEST(SummaryTest, DamagedTableIsAnError) {
  const std::string& good = Multiblock();
  const std::vector<BlockInfo> blocks = MapBlocks(good);
  for (int table = 0; table < 5; ++table) {
    std::string bad = good;
    bad[blocks[table].offset + 24] ^= 0x01;
    ExpectFallback(bad, "damaged table block", "table " + std::to_string(table));
  }
}

// Replaces the footer of `bytes` with one holding the given fields (valid checksums).
std::string WithFooter(const std::string& bytes, int64_t blocks, int64_t events, int64_t dropped,
                       int64_t lost, uint32_t threads) {
  const BlockInfo footer = MapBlocks(bytes).back();
  return bytes.substr(0, footer.offset) +
         Block(kFooterType, FooterPayload(blocks, events, dropped, lost, threads));
}

TEST(SummaryTest, HostileFooterFallsBackWithoutAllocatingOrLooping) {
  const std::string& good = Overwritten();
  ScopedFile file(TempPath("summary_hostile.tlt"));
  WriteFile(file.path(), good);
  absl::StatusOr<reader::Trace> full = reader::ReadTrace(file.path());
  ASSERT_TRUE(full.ok());
  int64_t event_blocks = 0;
  for (const BlockInfo& b : MapBlocks(good)) event_blocks += b.type == kEventsType;
  const auto events = static_cast<int64_t>(full->event_count);
  const auto dropped = static_cast<int64_t>(full->dropped);
  const auto lost = static_cast<int64_t>(full->overwritten);
  const auto threads = static_cast<uint32_t>(full->threads.size());
  struct Case {
    std::string bytes;
    std::string reason;
    bool strict_ok;  // the full reader accepts it (only `events` is checked there)
  };
  const std::vector<Case> cases = {
      {WithFooter(good, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, UINT32_MAX),
       "footer disagrees with the file (threads", false},
      {WithFooter(good, INT64_MAX, events, dropped, lost, threads),
       "footer disagrees with the file (event blocks", true},
      {WithFooter(good, -1, events, dropped, lost, threads), "footer disagrees", true},
      {WithFooter(good, event_blocks, INT64_MAX, dropped, lost, threads),
       "footer disagrees with the file (events", false},
      {WithFooter(good, event_blocks, -5, dropped, lost, threads), "footer disagrees", false},
      {WithFooter(good, event_blocks, events, dropped + 1, lost, threads),
       "footer disagrees with the file (dropped", true},
      {WithFooter(good, event_blocks, events, dropped, lost + 1000000, threads),
       "footer disagrees with the file (lost", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    WriteFile(file.path(), c.bytes);
    absl::StatusOr<reader::Trace> strict_full = reader::ReadTrace(file.path());
    ASSERT_EQ(strict_full.ok(), c.strict_ok) << strict_full.status();
    absl::StatusOr<TraceSummary> s;
    const absl::Time start = absl::Now();
    const int64_t peak = PeakHeapDuring([&] { s = ReadTraceSummary(file.path()); });
    EXPECT_LT(absl::Now() - start, absl::Seconds(10));
    // A scan holds one block's events (at most 65536 x 32 bytes) and the tables.
    EXPECT_LT(peak, 8 << 20);
    if (!c.strict_ok) {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.status(), strict_full.status());
      s = ReadTraceSummary(file.path(), Salvage());
    }
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->source, SummarySource::kScan);
    EXPECT_EQ(s->scan_reason.rfind(c.reason, 0), 0u) << s->scan_reason;
    EXPECT_EQ(s->tables.event_count, full->event_count);
    EXPECT_EQ(s->first_event_ns, full->EventSpan().first);
    EXPECT_EQ(s->last_event_ns, full->EventSpan().second);
  }
}

// ---- Hand-made files (tests/core/tlt_builder.h) -------------------------------------

// Tables for one thread and one location; `properties` and `objects` replace the
// default blocks when given.
std::string Tables(const std::string& properties = "", const std::string& objects = "") {
  std::string s;
  s += properties.empty() ? Block(1, Bytes().Var(1).Str("process_name").Str("crafted").str())
                          : properties;
  s += Block(2, Bytes().Var(4).Str("").Str("scope").Str("fn").Str("file.cc").str(), true);
  s += Block(3, Bytes().Var(1).Var(1).Var(2).Var(3).Var(42).str());
  s += Block(4, Bytes().Var(1).Zig(77).Var(0).Var(3).Var(4).U8(1).Zig(1000).Zig(5000).str());
  s += objects.empty() ? Block(5, Bytes().Var(0).str()) : objects;
  return s;
}

std::string SpanProperties(const std::string& first, const std::string& last) {
  Bytes b;
  b.Var(3).Str("process_name").Str("crafted");
  b.Str("first_event_ns").Str(first).Str("last_event_ns").Str(last);
  return Block(1, b.str());
}

// Two events at 1000 and 1010 ns, as one event block.
std::string TwoEvents() {
  return Block(kEventsType,
               Bytes().U32(0).U32(2).I64(1000).U8(1).Zig(0).Var(0).U8(2).Zig(10).Var(0).str());
}

absl::StatusOr<TraceSummary> SummarizeBytes(const std::string& bytes,
                                            const ReadOptions& options = {}) {
  ScopedFile file(TempPath("summary_crafted.tlt"));
  WriteFile(file.path(), bytes);
  return ReadTraceSummary(file.path(), options);
}

TEST(SummaryTest, OlderFilesWithoutTheSpanPropertiesAreScanned) {
  const std::string old = testing::FileHeader() + Tables() + TwoEvents() +
                          Block(kFooterType, FooterPayload(1, 2, 3, 4, 1));
  absl::StatusOr<TraceSummary> s = SummarizeBytes(old);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->source, SummarySource::kScan);
  EXPECT_NE(s->scan_reason.find("first_event_ns"), std::string::npos) << s->scan_reason;
  EXPECT_EQ(s->tables.event_count, 2u);
  EXPECT_EQ(s->tables.dropped, 3u);
  EXPECT_EQ(s->tables.overwritten, 4u);
  EXPECT_EQ(s->first_event_ns, 1000);
  EXPECT_EQ(s->last_event_ns, 1010);
  EXPECT_TRUE(s->tables.complete);

  // With them, the footer answers.
  const std::string current = testing::FileHeader() + Tables(SpanProperties("1000", "1010")) +
                              TwoEvents() + Block(kFooterType, FooterPayload(1, 2, 3, 4, 1));
  s = SummarizeBytes(current);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->source, SummarySource::kFooter) << s->scan_reason;
  EXPECT_EQ(s->first_event_ns, 1000);
  EXPECT_EQ(s->last_event_ns, 1010);
  EXPECT_EQ(s->tables.event_count, 2u);

  // Damaged span properties: scanned.
  for (const auto& [first, last] : std::vector<std::pair<std::string, std::string>>{
           {"1010", "1000"}, {"x", "1010"}, {"1000", "99999999999999999999"}}) {
    s = SummarizeBytes(testing::FileHeader() + Tables(SpanProperties(first, last)) + TwoEvents() +
                       Block(kFooterType, FooterPayload(1, 2, 3, 4, 1)));
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->source, SummarySource::kScan);
    EXPECT_EQ(s->scan_reason.rfind("damaged event span properties", 0), 0u) << s->scan_reason;
    EXPECT_EQ(s->first_event_ns, 1000);
    EXPECT_EQ(s->last_event_ns, 1010);
  }
}

TEST(SummaryTest, NoEventsGivesTheCaptureBounds) {
  const std::string empty =
      testing::FileHeader() + Tables() + Block(kFooterType, FooterPayload(0, 0, 3, 4, 1));
  absl::StatusOr<TraceSummary> s = SummarizeBytes(empty);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->source, SummarySource::kFooter) << s->scan_reason;
  absl::StatusOr<reader::Trace> full = reader::ParseTrace(empty, "empty.tlt");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(s->first_event_ns, full->EventSpan().first);
  EXPECT_EQ(s->last_event_ns, full->EventSpan().second);
  EXPECT_EQ(s->first_event_ns, 1000);  // HeaderFields defaults
  EXPECT_EQ(s->last_event_ns, 9000);
  EXPECT_EQ(s->tables.event_count, 0u);
}

TEST(SummaryTest, HugeBlockSizesAreNotAllocated) {
  const std::string head = testing::FileHeader() + Tables(SpanProperties("1000", "1010"));
  const std::string footer = Block(kFooterType, FooterPayload(1, 2, 3, 4, 1));
  // An event block that claims a 64 MiB payload in a file of a few hundred bytes.
  std::string huge = TwoEvents();
  const uint32_t max = 64u << 20;
  std::memcpy(huge.data() + 8, &max, 4);
  uint32_t crc = testing::Crc(huge, 20);
  std::memcpy(huge.data() + 20, &crc, 4);
  absl::StatusOr<TraceSummary> s;
  int64_t peak = PeakHeapDuring([&] { s = SummarizeBytes(head + huge + footer); });
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("truncated block: payload needs 67108864 bytes"),
            std::string::npos)
      << s.status();
  EXPECT_LT(peak, 1 << 20);
  // An event block that claims 64 MiB decompressed: skipped, never inflated.
  std::string inflated = TwoEvents();
  std::memcpy(inflated.data() + 12, &max, 4);
  crc = testing::Crc(inflated, 20);
  std::memcpy(inflated.data() + 20, &crc, 4);
  peak = PeakHeapDuring([&] { s = SummarizeBytes(head + inflated + footer); });
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->source, SummarySource::kFooter);
  EXPECT_LT(peak, 1 << 20);
  // A table whose zstd frame states a different size than its block header: refused
  // before the 64 MiB buffer is allocated.
  const std::string objects = Block(5, Bytes().Var(0).str(), true, max);
  peak = PeakHeapDuring([&] {
    s = SummarizeBytes(testing::FileHeader() + Tables(SpanProperties("1000", "1010"), objects) +
                       TwoEvents() + footer);
  });
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("does not decompress"), std::string::npos) << s.status();
  EXPECT_LT(peak, 1 << 20);
}

TEST(SummaryTest, ManyBlocksCostTimeInProportion) {
  // 100000 empty-ish event blocks: the walk is linear in the blocks.
  std::string events;
  const std::string one = TwoEvents();
  for (int i = 0; i < 100000; ++i) events += one;
  const std::string file = testing::FileHeader() + Tables(SpanProperties("1000", "1010")) + events +
                           Block(kFooterType, FooterPayload(100000, 200000, 3, 4, 1));
  absl::StatusOr<TraceSummary> s;
  const absl::Time start = absl::Now();
  const int64_t peak = PeakHeapDuring([&] { s = SummarizeBytes(file); });
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->source, SummarySource::kFooter) << s->scan_reason;
  EXPECT_EQ(s->event_blocks, 100000u);
  EXPECT_EQ(s->tables.event_count, 200000u);
  EXPECT_LT(peak, static_cast<int64_t>(file.size()) + (1 << 20));  // the test's own copy
}

TEST(SummaryTest, ErrorsNameTheFile) {
  const std::string missing = TempPath("summary_missing.tlt");
  absl::StatusOr<TraceSummary> s = ReadTraceSummary(missing);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::IsNotFound(s.status())) << s.status();
  EXPECT_NE(s.status().message().find(missing), std::string::npos);
  s = SummarizeBytes("");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("offset 0: truncated file header"), std::string::npos)
      << s.status();
  s = SummarizeBytes(std::string(100, 'x'));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("not a tracelane trace"), std::string::npos) << s.status();
  EXPECT_FALSE(ReadTraceSummary(::testing::TempDir()).ok());

  ReadOptions cancel;
  cancel.cancelled = [] { return true; };
  ScopedFile file(TempPath("summary_cancel.tlt"));
  WriteFile(file.path(), Multiblock());
  s = ReadTraceSummary(file.path(), cancel);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::IsCancelled(s.status())) << s.status();
}

}  // namespace
}  // namespace tracelane
