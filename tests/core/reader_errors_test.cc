// The reader on damaged input: truncated at every offset, single-bit flips, wrong
// version, bad magic, empty and missing files, and hand-crafted hostile blocks with
// valid checksums. Strict mode must fail with a message naming the file and the
// byte offset; salvage mode must return exactly the intact event blocks; nothing
// may crash (this binary also runs under ASan+UBSan).
#include <sys/stat.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/test_util.h"
#include "tests/core/tlt_builder.h"
#include "tracelane/tracelane.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane {
namespace {

using reader::ParseTrace;
using reader::ReadOptions;
using testing::Block;
using testing::Bytes;
using testing::FileHeader;
using testing::FooterPayload;
using testing::ScopedFile;
using testing::TempPath;

constexpr char kName[] = "damaged.tlt";
constexpr uint16_t kEventsBlock = 6;

// One block of the good file, as laid out on disk.
struct BlockInfo {
  uint64_t offset;  // of the block header
  uint64_t end;     // one past the payload
  uint16_t type;
  uint32_t events;  // for event blocks: the event count in the payload
};

struct GoodTrace {
  std::string bytes;
  std::vector<BlockInfo> blocks;
  uint64_t events = 0;
  uint64_t last_events_end = 0;  // end of the last event block
};

// Records a small multi-thread trace once and maps its blocks.
const GoodTrace& Good() {
  static const GoodTrace* good = [] {
    EXPECT_TRUE(Configure(RecorderOptions{}).ok());
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k) {
      threads.emplace_back([k] {
        TRACE_THREAD_NAME(("reader-" + std::to_string(k)).c_str());
        for (int i = 0; i < 150 + 50 * k; ++i) {
          TRACE_SCOPE("outer");
          TRACE_COUNTER("i", i);
          TRACE_SCOPE();
        }
      });
    }
    for (auto& t : threads) t.join();
    std::ostringstream out;
    EXPECT_TRUE(WriteTrace(out).ok());
    auto* g = new GoodTrace;
    g->bytes = out.str();
    for (uint64_t off = 72; off + 24 <= g->bytes.size();) {
      uint16_t type, flags;
      uint32_t stored, raw;
      std::memcpy(&type, g->bytes.data() + off + 4, 2);
      std::memcpy(&flags, g->bytes.data() + off + 6, 2);
      std::memcpy(&stored, g->bytes.data() + off + 8, 4);
      std::memcpy(&raw, g->bytes.data() + off + 12, 4);
      BlockInfo b{off, off + 24 + stored, type, 0};
      if (type == kEventsBlock) {
        std::string payload(raw, '\0');
        const char* src = g->bytes.data() + off + 24;
        if (flags & 1) {
          EXPECT_EQ(ZSTD_decompress(payload.data(), raw, src, stored), raw);
        } else {
          payload.assign(src, stored);
        }
        std::memcpy(&b.events, payload.data() + 4, 4);
        g->events += b.events;
        g->last_events_end = b.end;
      }
      g->blocks.push_back(b);
      off = b.end;
    }
    return g;
  }();
  return *good;
}

// The events of blocks lying entirely within the first `n` bytes, skipping the
// block that contains byte `skip_byte` (if any).
uint64_t IntactEvents(uint64_t n, uint64_t skip_byte = UINT64_MAX) {
  uint64_t events = 0;
  for (const BlockInfo& b : Good().blocks) {
    if (b.end <= n && !(skip_byte >= b.offset && skip_byte < b.end)) events += b.events;
  }
  return events;
}

// The N in "offset N" of an error message, or -1 if there is none.
int64_t OffsetIn(const std::string& message) {
  static const std::regex kOffset("offset ([0-9]+)");
  std::smatch m;
  if (!std::regex_search(message, m, kOffset)) return -1;
  return std::stoll(m[1]);
}

ReadOptions Salvage() {
  ReadOptions o;
  o.salvage = true;
  return o;
}

TEST(ReaderErrorsTest, GoodFileIsComplete) {
  const GoodTrace& g = Good();
  absl::StatusOr<reader::Trace> t = ParseTrace(g.bytes, kName);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->complete);
  EXPECT_EQ(t->event_count, g.events);
  EXPECT_GT(g.events, 0u);
  int event_blocks = 0;
  for (const BlockInfo& b : g.blocks) event_blocks += b.type == kEventsBlock;
  EXPECT_GE(event_blocks, 4);
  EXPECT_EQ(g.blocks.back().end, g.bytes.size());
  EXPECT_EQ(g.blocks.back().type, 15);  // footer last
}

TEST(ReaderErrorsTest, TruncatedHeaderFailsAtOffsetZero) {
  const GoodTrace& g = Good();
  for (size_t n = 0; n < 72; ++n) {
    for (bool salvage : {false, true}) {
      ReadOptions o;
      o.salvage = salvage;
      absl::StatusOr<reader::Trace> t =
          ParseTrace(std::string_view(g.bytes).substr(0, n), kName, o);
      ASSERT_FALSE(t.ok()) << "length " << n;
      const std::string msg(t.status().message());
      EXPECT_NE(msg.find(kName), std::string::npos) << msg;
      EXPECT_EQ(OffsetIn(msg), 0) << msg;
    }
  }
}

TEST(ReaderErrorsTest, TruncatedAnywhereFailsInStrictMode) {
  const GoodTrace& g = Good();
  for (size_t n = 72; n < g.bytes.size(); ++n) {
    absl::StatusOr<reader::Trace> t = ParseTrace(std::string_view(g.bytes).substr(0, n), kName);
    ASSERT_FALSE(t.ok()) << "length " << n;
    EXPECT_TRUE(absl::IsDataLoss(t.status())) << t.status();
    const std::string msg(t.status().message());
    ASSERT_NE(msg.find(kName), std::string::npos) << msg;
    const int64_t off = OffsetIn(msg);
    ASSERT_GE(off, 72) << msg;
    ASSERT_LE(off, static_cast<int64_t>(n)) << msg;
  }
}

TEST(ReaderErrorsTest, TruncatedSalvageKeepsExactlyTheIntactBlocks) {
  const GoodTrace& g = Good();
  uint64_t previous = 0;
  for (size_t n = 72; n < g.bytes.size(); ++n) {
    absl::StatusOr<reader::Trace> t =
        ParseTrace(std::string_view(g.bytes).substr(0, n), kName, Salvage());
    ASSERT_TRUE(t.ok()) << "length " << n << ": " << t.status();
    ASSERT_FALSE(t->warnings.empty()) << "length " << n;
    ASSERT_FALSE(t->complete);
    ASSERT_EQ(t->event_count, IntactEvents(n)) << "length " << n;
    ASSERT_GE(t->event_count, previous);
    previous = t->event_count;
    for (const std::string& w : t->warnings) ASSERT_GE(OffsetIn(w), 0) << w;
    if (n >= g.last_events_end) {
      ASSERT_EQ(t->event_count, g.events);
    }
  }
  // Cut inside the last event block: the earlier blocks survive.
  const size_t mid = g.last_events_end - 5;
  absl::StatusOr<reader::Trace> t =
      ParseTrace(std::string_view(g.bytes).substr(0, mid), kName, Salvage());
  ASSERT_TRUE(t.ok());
  EXPECT_GT(t->event_count, 0u);
  EXPECT_LT(t->event_count, g.events);
}

// Every bit of the file header plus 600 random bits elsewhere.
TEST(ReaderErrorsTest, SingleBitFlipsAreDetected) {
  const GoodTrace& g = Good();
  std::vector<size_t> bits;
  for (size_t b = 0; b < 72 * 8; ++b) bits.push_back(b);
  std::mt19937_64 rng(20240601);
  std::uniform_int_distribution<size_t> pick(72 * 8, g.bytes.size() * 8 - 1);
  for (int i = 0; i < 600; ++i) bits.push_back(pick(rng));
  for (size_t bit : bits) {
    const size_t byte = bit / 8;
    std::string bad = g.bytes;
    bad[byte] = static_cast<char>(bad[byte] ^ (1 << (bit % 8)));
    SCOPED_TRACE("bit " + std::to_string(bit % 8) + " of byte " + std::to_string(byte));

    absl::StatusOr<reader::Trace> strict = ParseTrace(bad, kName);
    ASSERT_FALSE(strict.ok());
    const std::string msg(strict.status().message());
    ASSERT_NE(msg.find(kName), std::string::npos) << msg;
    const int64_t off = OffsetIn(msg);
    ASSERT_GE(off, 0) << msg;
    ASSERT_LE(off, static_cast<int64_t>(byte)) << msg;

    absl::StatusOr<reader::Trace> salvaged = ParseTrace(bad, kName, Salvage());
    if (byte < 12) {  // magic or version: nothing can be trusted
      ASSERT_FALSE(salvaged.ok());
      continue;
    }
    ASSERT_TRUE(salvaged.ok()) << salvaged.status();
    ASSERT_FALSE(salvaged->warnings.empty());
    ASSERT_FALSE(salvaged->complete);
    ASSERT_LE(salvaged->event_count, g.events);
    // Damage to the header, properties, objects or footer loses no event; damage
    // to an event block loses exactly that block. (Damage to the string, location
    // or thread table makes the blocks that refer to it undecodable.)
    const BlockInfo* hit = nullptr;
    for (const BlockInfo& b : g.blocks) {
      if (byte >= b.offset && byte < b.end) hit = &b;
    }
    if (hit == nullptr || hit->type == 1 || hit->type == 5 || hit->type == 6 || hit->type == 15) {
      ASSERT_EQ(salvaged->event_count, IntactEvents(g.bytes.size(), byte));
    }
  }
}

std::string WithVersion(uint32_t version) {
  std::string s = Good().bytes;
  std::memcpy(s.data() + 8, &version, 4);
  const uint32_t crc = testing::Crc(s, 68);
  std::memcpy(s.data() + 68, &crc, 4);
  return s;
}

TEST(ReaderErrorsTest, WrongVersionIsRejected) {
  for (uint32_t version : {0u, format::kFormatVersion + 1, 0xFFFFFFFFu}) {
    for (bool salvage : {false, true}) {
      ReadOptions o;
      o.salvage = salvage;
      absl::StatusOr<reader::Trace> t = ParseTrace(WithVersion(version), kName, o);
      ASSERT_FALSE(t.ok());
      EXPECT_TRUE(absl::IsUnimplemented(t.status())) << t.status();
      const std::string msg(t.status().message());
      EXPECT_NE(msg.find(kName), std::string::npos) << msg;
      EXPECT_EQ(OffsetIn(msg), 8) << msg;
      EXPECT_NE(msg.find("version " + std::to_string(version)), std::string::npos) << msg;
    }
  }
}

// Version 1 files (no loss records) still read; in them a kDataLost type is
// corruption of its block, as any unknown type is.
TEST(ReaderErrorsTest, OlderVersionStillReads) {
  absl::StatusOr<reader::Trace> t = ParseTrace(WithVersion(1), kName);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->version, 1u);
  EXPECT_EQ(t->event_count, Good().events);
  // One event block holding a kDataLost record, in a version 1 and a version 2 file.
  for (uint32_t version : {1u, 2u}) {
    testing::HeaderFields header;
    header.version = version;
    const std::string events = Bytes().U32(0).U32(1).I64(1000).U8(76).Zig(0).Var(3).str();
    const std::string threads =
        Bytes().Var(1).Zig(7).Var(0).Var(0).Var(0).U8(0).Zig(0).Zig(0).str();
    const std::string file = FileHeader(header) + Block(1, Bytes().Var(0).str()) +
                             Block(2, Bytes().Var(1).Str("t").str()) +
                             Block(3, Bytes().Var(0).str()) + Block(4, threads) +
                             Block(5, Bytes().Var(0).str()) + Block(kEventsBlock, events) +
                             Block(15, FooterPayload(1, 1, 0, 0, 1));
    absl::StatusOr<reader::Trace> r = ParseTrace(file, kName);
    if (version == 1) {
      ASSERT_FALSE(r.ok());
      EXPECT_NE(r.status().message().find("unknown type 76"), std::string::npos) << r.status();
    } else {
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_EQ(r->threads[0].events.size(), 1u);
      EXPECT_EQ(r->threads[0].events[0].type, format::EventType::kDataLost);
      EXPECT_EQ(r->threads[0].events[0].payload, 3u);
      EXPECT_STREQ(reader::EventTypeName(format::EventType::kDataLost), "data_lost");
    }
  }
}

TEST(ReaderErrorsTest, BadMagicIsRejected) {
  for (std::string bad : {Good().bytes, std::string("not a trace at all")}) {
    bad[0] = 'X';
    for (bool salvage : {false, true}) {
      ReadOptions o;
      o.salvage = salvage;
      absl::StatusOr<reader::Trace> t = ParseTrace(bad, kName, o);
      ASSERT_FALSE(t.ok());
      const std::string msg(t.status().message());
      EXPECT_NE(msg.find(kName), std::string::npos) << msg;
      EXPECT_NE(msg.find("not a tracelane trace"), std::string::npos) << msg;
      EXPECT_EQ(OffsetIn(msg), 0) << msg;
    }
  }
}

TEST(ReaderErrorsTest, EmptyMissingAndDirectoryPaths) {
  ScopedFile empty(TempPath("empty.tlt"));
  std::ofstream(empty.path()).close();
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(empty.path());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find(empty.path()), std::string::npos) << t.status();
  EXPECT_EQ(OffsetIn(std::string(t.status().message())), 0) << t.status();

  const std::string missing = TempPath("does_not_exist.tlt");
  t = reader::ReadTrace(missing);
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(absl::IsNotFound(t.status())) << t.status();
  EXPECT_NE(t.status().message().find(missing), std::string::npos) << t.status();

  t = reader::ReadTrace(::testing::TempDir());
  EXPECT_FALSE(t.ok());
}

TEST(ReaderErrorsTest, TruncatedFileOnDiskNamesPathAndOffset) {
  const GoodTrace& g = Good();
  ScopedFile file(TempPath("truncated.tlt"));
  {
    std::ofstream out(file.path(), std::ios::binary);
    out.write(g.bytes.data(), static_cast<std::streamsize>(g.last_events_end - 7));
  }
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(file.path());
  ASSERT_FALSE(t.ok());
  const std::string msg(t.status().message());
  EXPECT_EQ(msg.rfind(file.path() + ": offset ", 0), 0u) << msg;
  t = reader::ReadTrace(file.path(), Salvage());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_GT(t->event_count, 0u);
  EXPECT_LT(t->event_count, g.events);
  EXPECT_FALSE(t->warnings.empty());
}

// ---- Hand-made hostile files: checksums are valid, contents are not. ----

// Tables for one thread and one location, as the writer would produce them; the
// table of type `type` (if any) is `replacement` instead (a file has each table
// once: a second one is refused as a duplicate before it is decoded).
std::string Tables(int type = 0, const std::string& replacement = "") {
  const auto table = [&](int t, const std::string& block) {
    return t == type ? replacement : block;
  };
  std::string s;
  s += table(1, Block(1, Bytes().Var(1).Str("process_name").Str("crafted").str()));
  s += table(2, Block(2, Bytes().Var(4).Str("").Str("scope").Str("fn").Str("file.cc").str(), true));
  s += table(3, Block(3, Bytes().Var(1).Var(1).Var(2).Var(3).Var(42).str()));
  s += table(4,
             Block(4, Bytes().Var(1).Zig(77).Var(0).Var(0).Var(0).U8(1).Zig(1000).Zig(5000).str()));
  s += table(5, Block(5, Bytes().Var(0).str()));
  return s;
}

// A file whose table of type `type` is the block `table`.
std::string FileWithTable(int type, const std::string& table) {
  return FileHeader() + Tables(type, table) + Block(15, FooterPayload(0, 0, 0, 0, 1));
}

std::string EventsPayload(uint32_t count, const std::string& body, int64_t base = 1000,
                          uint32_t thread = 0) {
  return Bytes().U32(thread).U32(count).I64(base).Raw(body).str();
}

std::string File(const std::string& blocks, int64_t footer_events = 0) {
  return FileHeader() + Tables() + blocks + Block(15, FooterPayload(0, footer_events, 0, 0, 1));
}

// Expects strict failure naming the file and an offset, and no crash in salvage.
void ExpectRejected(const std::string& bytes, const std::string& needle) {
  absl::StatusOr<reader::Trace> t = ParseTrace(bytes, kName);
  ASSERT_FALSE(t.ok()) << "accepted a file with: " << needle;
  const std::string msg(t.status().message());
  EXPECT_NE(msg.find(kName), std::string::npos) << msg;
  EXPECT_GE(OffsetIn(msg), 0) << msg;
  EXPECT_NE(msg.find(needle), std::string::npos) << msg;
  absl::StatusOr<reader::Trace> s = ParseTrace(bytes, kName, Salvage());
  if (s.ok()) {
    EXPECT_FALSE(s->warnings.empty());
  }
}

TEST(ReaderErrorsTest, CraftedWellFormedFileParses) {
  const std::string body = Bytes().U8(1).Zig(0).Var(0).U8(2).Zig(10).Var(0).str();
  absl::StatusOr<reader::Trace> t =
      ParseTrace(File(Block(kEventsBlock, EventsPayload(2, body)), 2), kName);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->complete);
  ASSERT_EQ(t->threads.size(), 1u);
  ASSERT_EQ(t->threads[0].events.size(), 2u);
  EXPECT_EQ(t->threads[0].events[1].ts_ns, 1010);
}

TEST(ReaderErrorsTest, CraftedHostileBlocksAreRejected) {
  const std::string one_event = Bytes().U8(1).Zig(0).Var(0).str();
  // An event count no block of this size can hold (would reserve 128 GB).
  ExpectRejected(File(Block(kEventsBlock, EventsPayload(0xFFFFFFFFu, one_event))), "event");
  // Deltas that overflow a 64-bit timestamp.
  ExpectRejected(
      File(Block(
          kEventsBlock,
          EventsPayload(2, Bytes().U8(1).Zig(INT64_MAX).Var(0).U8(2).Zig(INT64_MAX).Var(0).str()))),
      "timestamp");
  ExpectRejected(
      File(Block(kEventsBlock, EventsPayload(1, Bytes().U8(1).Zig(-10).Var(0).str(), INT64_MIN))),
      "timestamp");
  // Unknown event type, missing location, unknown thread, trailing bytes.
  ExpectRejected(File(Block(kEventsBlock, EventsPayload(1, Bytes().U8(33).Zig(0).Var(0).str()))),
                 "unknown type");
  ExpectRejected(File(Block(kEventsBlock, EventsPayload(1, Bytes().U8(1).Zig(0).Var(9).str()))),
                 "missing location");
  ExpectRejected(File(Block(kEventsBlock, EventsPayload(1, one_event, 0, 3))), "unknown thread");
  ExpectRejected(File(Block(kEventsBlock, EventsPayload(1, one_event + "x"))), "trailing");
  // A varint longer than 10 bytes.
  ExpectRejected(
      File(Block(kEventsBlock, EventsPayload(1, Bytes().U8(1).Raw(std::string(11, '\x80')).str()))),
      "truncated");
  // Event block before the tables it refers to.
  ExpectRejected(FileHeader() + Block(kEventsBlock, EventsPayload(1, one_event)) + Tables() +
                     Block(15, FooterPayload(0, 0, 0, 0, 1)),
                 "unknown thread");
  // Unknown block type; lying raw size; huge table counts; footer count mismatch;
  // data after the footer; a payload size over the limit.
  ExpectRejected(File(Block(99, "abc")), "unknown block type");
  ExpectRejected(FileWithTable(5, Block(5, Bytes().Var(0).str(), true, 1000)), "decompress");
  ExpectRejected(FileWithTable(2, Block(2, Bytes().Var(1u << 30).str())), "malformed string table");
  ExpectRejected(FileWithTable(4, Block(4, Bytes().Var(1000).str())), "malformed thread table");
  ExpectRejected(FileWithTable(3, Block(3, Bytes().Var(1).Var(100).Var(0).Var(0).Var(0).str())),
                 "missing string");
  ExpectRejected(File(Block(4, Bytes().Var(0).str())), "duplicate thread table");
  ExpectRejected(File(Block(kEventsBlock, EventsPayload(1, one_event)), 5), "footer counts");
  ExpectRejected(File("") + Block(5, Bytes().Var(0).str()), "after the footer");
  std::string big = Block(5, Bytes().Var(0).str());
  const uint32_t huge = (64u << 20) + 1;
  std::memcpy(big.data() + 12, &huge, 4);
  const uint32_t header_crc = testing::Crc(big, 20);  // keep the header checksum valid
  std::memcpy(big.data() + 20, &header_crc, 4);
  ExpectRejected(File(big), "corrupt block header");
}

// Tables whose decoded form would be far larger than the file's content are
// refused before they are allocated, with a clear error: a zstd payload of
// empty strings (a few KB on disk, gigabytes as std::strings), and a long name
// that every entry of a table refers to (each entry holds its own copy).
TEST(ReaderErrorsTest, TablesThatWouldExpandPastTheirContentAreRejected) {
  // 60M empty strings: 60 MB of payload, ~60 KB compressed, 1.9 GB as strings.
  const uint64_t empties = 60'000'000;
  const std::string table = Bytes().Var(empties).Raw(std::string(empties, '\0')).str();
  const std::string strings = Block(2, table, /*zstd=*/true);
  EXPECT_LT(strings.size(), 1u << 20);
  ExpectRejected(FileWithTable(2, strings), "string table of 60000000 entries");
  // 4M locations in 16 MB: 400+ MB of Location entries.
  const auto with_locations = [](const std::string& names, const std::string& locations) {
    return FileHeader() + Block(1, Bytes().Var(0).str()) + Block(2, names, true) +
           Block(3, locations, true) + Block(4, Bytes().Var(0).str()) +
           Block(5, Bytes().Var(0).str()) + Block(15, FooterPayload(0, 0, 0, 0, 1));
  };
  const std::string name(16u << 20, 'n');
  const std::string names = Bytes().Var(2).Str("").Str(name).str();
  Bytes many;
  many.Var(4'000'000);
  for (int i = 0; i < 4'000'000; ++i) many.Var(0).Var(0).Var(0).Var(1);
  ExpectRejected(with_locations(names, many.str()), "location table of 4000000 entries");
  // A 16 MiB name that 100k locations refer to three times each (5 TB of copies).
  Bytes copies;
  copies.Var(100'000);
  for (int i = 0; i < 100'000; ++i) copies.Var(1).Var(1).Var(1).Var(1);
  ExpectRejected(with_locations(names, copies.str()), "location table copies more than");
  // The same name referred to by a few locations reads.
  Bytes few;
  few.Var(3);
  for (int i = 0; i < 3; ++i) few.Var(1).Var(1).Var(0).Var(7);
  absl::StatusOr<reader::Trace> ok =
      ParseTrace(FileHeader() + Block(1, Bytes().Var(0).str()) + Block(2, names, true) +
                     Block(3, few.str()) + Block(4, Bytes().Var(0).str()) +
                     Block(5, Bytes().Var(0).str()) + Block(15, FooterPayload(0, 0, 0, 0, 1)),
                 kName);
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_EQ(ok->locations.size(), 3u);
  EXPECT_EQ(ok->locations[2].name.size(), name.size());
}

}  // namespace
}  // namespace tracelane
