// docs/FORMAT.md is the contract: this test decodes the writer's output with a
// small decoder written from the document alone (not from tracer/ or viewer/), checks
// every documented invariant, compares the result with the reference reader, and
// checks the document's worked example byte for byte.
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/tlt_builder.h"
#include "tracelane/tracelane.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane {
namespace {

using testing::Block;
using testing::Bytes;

// ---- A decoder written from docs/FORMAT.md --------------------------------------

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool ok() const { return ok_; }
  bool at_end() const { return p_ == s_.size(); }
  uint64_t Fixed(int n) {
    if (s_.size() - p_ < static_cast<size_t>(n)) return Fail();
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(s_[p_ + i])} << (8 * i);
    p_ += n;
    return v;
  }
  uint64_t Var() {  // unsigned LEB128, at most 10 bytes
    uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
      const uint64_t b = Fixed(1);
      if (!ok_) return 0;
      v |= (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) return v;
    }
    return Fail();
  }
  int64_t Zig() {
    const uint64_t u = Var();
    return static_cast<int64_t>((u >> 1) ^ (0 - (u & 1)));
  }
  std::string Str() {
    const uint64_t n = Var();
    if (!ok_ || s_.size() - p_ < n) return Fail(), "";
    std::string out(s_.substr(p_, n));
    p_ += n;
    return out;
  }

 private:
  uint64_t Fail() {
    ok_ = false;
    return 0;
  }
  std::string_view s_;
  size_t p_ = 0;
  bool ok_ = true;
};

struct DocEvent {
  int64_t ts;
  uint8_t type;
  uint64_t payload;
  bool has_arg;
  int64_t arg;
};
struct DocThread {
  int64_t tid;
  uint64_t name, dropped, overwritten;
  uint8_t flags;
  int64_t start_ns, exit_ns;
  std::vector<DocEvent> events;
};
struct DocLocation {
  uint64_t name, function, file, line;
};
struct DocObject {
  uint8_t kind;
  uint64_t id, name;
};
struct DocTrace {
  uint32_t version = 0, header_size = 0, clock_source = 0, pid = 0, reserved = 1;
  int64_t realtime_anchor = 0, monotonic_anchor = 0, capture_start = 0, capture_end = 0;
  double tsc_hz = 0;
  std::vector<uint16_t> block_types;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<std::string> strings;
  std::vector<DocLocation> locations;
  std::vector<DocThread> threads;
  std::vector<DocObject> objects;
  std::vector<int64_t> event_block_first_ts;
  int64_t footer[4] = {0, 0, 0, 0};
  uint32_t footer_threads = 0;
};

uint32_t Crc(std::string_view s) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(s.data()), s.size()));
}

void DecodeDocument(const std::string& file, DocTrace* t) {
  ASSERT_GE(file.size(), 72u);
  Cursor h(std::string_view(file).substr(0, 72));
  ASSERT_EQ(file.substr(0, 8), std::string("TLTRACE\0", 8));
  h.Fixed(8);
  t->version = static_cast<uint32_t>(h.Fixed(4));
  t->header_size = static_cast<uint32_t>(h.Fixed(4));
  t->realtime_anchor = static_cast<int64_t>(h.Fixed(8));
  t->monotonic_anchor = static_cast<int64_t>(h.Fixed(8));
  const uint64_t hz_bits = h.Fixed(8);
  std::memcpy(&t->tsc_hz, &hz_bits, 8);
  t->clock_source = static_cast<uint32_t>(h.Fixed(4));
  t->pid = static_cast<uint32_t>(h.Fixed(4));
  t->capture_start = static_cast<int64_t>(h.Fixed(8));
  t->capture_end = static_cast<int64_t>(h.Fixed(8));
  t->reserved = static_cast<uint32_t>(h.Fixed(4));
  ASSERT_EQ(h.Fixed(4), Crc(std::string_view(file).substr(0, 68))) << "header CRC";
  ASSERT_TRUE(h.ok() && h.at_end());

  size_t off = 72;
  while (off < file.size()) {
    SCOPED_TRACE("block at offset " + std::to_string(off));
    ASSERT_GE(file.size() - off, 24u);
    Cursor b(std::string_view(file).substr(off, 24));
    ASSERT_EQ(b.Fixed(4), 0x4B424C54u);
    const auto type = static_cast<uint16_t>(b.Fixed(2));
    const auto flags = static_cast<uint16_t>(b.Fixed(2));
    const uint32_t stored_size = static_cast<uint32_t>(b.Fixed(4));
    const uint32_t raw_size = static_cast<uint32_t>(b.Fixed(4));
    const uint32_t payload_crc = static_cast<uint32_t>(b.Fixed(4));
    ASSERT_EQ(b.Fixed(4), Crc(std::string_view(file).substr(off, 20))) << "block header CRC";
    ASSERT_EQ(flags & ~1u, 0u) << "undocumented flag bits";
    ASSERT_LE(stored_size, 64u << 20);
    ASSERT_LE(raw_size, 64u << 20);
    ASSERT_LE(stored_size, file.size() - off - 24);
    const std::string_view stored = std::string_view(file).substr(off + 24, stored_size);
    ASSERT_EQ(Crc(stored), payload_crc) << "payload CRC";
    std::string raw(raw_size, '\0');
    if (flags & 1) {
      ASSERT_EQ(ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size()), raw_size);
    } else {
      ASSERT_EQ(raw_size, stored_size);
      raw.assign(stored);
    }
    off += 24 + stored_size;
    t->block_types.push_back(type);

    Cursor c(raw);
    switch (type) {
      case 1:
        for (uint64_t n = c.Var(), i = 0; i < n && c.ok(); ++i) {
          std::string k = c.Str();
          t->properties.emplace_back(k, c.Str());
        }
        break;
      case 2:
        for (uint64_t n = c.Var(), i = 0; i < n && c.ok(); ++i) t->strings.push_back(c.Str());
        break;
      case 3:
        for (uint64_t n = c.Var(), i = 0; i < n && c.ok(); ++i) {
          DocLocation l{c.Var(), c.Var(), c.Var(), c.Var()};
          ASSERT_LT(l.name, t->strings.size());
          ASSERT_LT(l.function, t->strings.size());
          ASSERT_LT(l.file, t->strings.size());
          t->locations.push_back(l);
        }
        break;
      case 4:
        for (uint64_t n = c.Var(), i = 0; i < n && c.ok(); ++i) {
          DocThread th{};
          th.tid = c.Zig();
          th.name = c.Var();
          th.dropped = c.Var();
          th.overwritten = c.Var();
          th.flags = static_cast<uint8_t>(c.Fixed(1));
          th.start_ns = c.Zig();
          th.exit_ns = c.Zig();
          ASSERT_LT(th.name, t->strings.size());
          ASSERT_EQ(th.flags & ~1u, 0u);
          t->threads.push_back(th);
        }
        break;
      case 5:
        for (uint64_t n = c.Var(), i = 0; i < n && c.ok(); ++i) {
          DocObject o{static_cast<uint8_t>(c.Fixed(1)), c.Var(), c.Var()};
          ASSERT_LT(o.name, t->strings.size());
          t->objects.push_back(o);
        }
        break;
      case 6: {
        const uint32_t thread = static_cast<uint32_t>(c.Fixed(4));
        const uint32_t count = static_cast<uint32_t>(c.Fixed(4));
        int64_t ts = static_cast<int64_t>(c.Fixed(8));
        ASSERT_LT(thread, t->threads.size());
        ASSERT_GE(count, 1u);
        for (uint32_t i = 0; i < count; ++i) {
          DocEvent e{};
          const uint8_t head = static_cast<uint8_t>(c.Fixed(1));
          const int64_t delta = c.Zig();
          if (i == 0) {
            ASSERT_EQ(delta, 0) << "the writer's first delta is 0";
          }
          ts += delta;
          e.ts = ts;
          e.type = head & 0x7F;
          e.has_arg = (head & 0x80) != 0;
          e.payload = c.Var();
          if (e.has_arg) e.arg = c.Zig();
          if (e.type < 64) {
            ASSERT_LT(e.payload, t->locations.size());
          }
          t->threads[thread].events.push_back(e);
        }
        ASSERT_TRUE(c.at_end()) << "event block with trailing bytes";
        const std::vector<DocEvent>& evs = t->threads[thread].events;
        t->event_block_first_ts.push_back(evs[evs.size() - count].ts);
        break;
      }
      case 15:
        for (int64_t& f : t->footer) f = static_cast<int64_t>(c.Fixed(8));
        t->footer_threads = static_cast<uint32_t>(c.Fixed(4));
        ASSERT_TRUE(c.at_end());
        ASSERT_EQ(off, file.size()) << "bytes after the footer";
        break;
      default:
        FAIL() << "undocumented block type " << type;
    }
    ASSERT_TRUE(c.ok()) << "payload of block type " << type << " is shorter than documented";
  }
}

std::string PropertyOf(const DocTrace& t, const std::string& key) {
  for (const auto& [k, v] : t.properties) {
    if (k == key) return v;
  }
  return "<missing>";
}

// ---- Tests ------------------------------------------------------------------------

std::string Hex(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char ch : s) {
    std::snprintf(buf, sizeof(buf), "%02X ", ch);
    out += buf;
  }
  if (!out.empty()) out.pop_back();
  return out;
}

TEST(FormatTest, PrimitiveExamplesFromTheDocument) {
  EXPECT_EQ(Hex(Bytes().Var(0).str()), "00");
  EXPECT_EQ(Hex(Bytes().Var(127).str()), "7F");
  EXPECT_EQ(Hex(Bytes().Var(300).str()), "AC 02");
  EXPECT_EQ(Hex(Bytes().Zig(-3).str()), "05");
  EXPECT_EQ(Hex(Bytes().Zig(3).str()), "06");
  EXPECT_EQ(Crc("123456789"), 0xCBF43926u);
  EXPECT_EQ(Hex(std::string("TLBK")), "54 4C 42 4B");
  EXPECT_EQ(Hex(Bytes().U32(0x4B424C54).str()), "54 4C 42 4B");
}

TEST(FormatTest, WorkedExampleDecodes) {
  double v = 1.5;
  int64_t bits;
  std::memcpy(&bits, &v, 8);
  const std::string payload = Bytes()
                                  .U32(0).U32(3).I64(1000)
                                  .U8(0x01).Zig(0).Var(0)
                                  .U8(0x84).Zig(250).Var(1).Zig(bits)
                                  .U8(0x02).Zig(750).Var(0)
                                  .str();
  EXPECT_EQ(Hex(payload),
            "00 00 00 00 03 00 00 00 E8 03 00 00 00 00 00 00 01 00 00 84 F4 03 01 80 80 80 80 80 "
            "80 80 F8 7F 02 DC 0B 00");
  const std::string block = Block(6, payload);
  EXPECT_EQ(Hex(block.substr(0, 16)), "54 4C 42 4B 06 00 00 00 24 00 00 00 24 00 00 00");

  const std::string file =
      testing::FileHeader() + Block(1, Bytes().Var(0).str()) +
      Block(2, Bytes().Var(4).Str("").Str("work").Str("main").Str("x.cc").str()) +
      Block(3, Bytes().Var(2).Var(1).Var(2).Var(3).Var(10).Var(1).Var(2).Var(3).Var(11).str()) +
      Block(4, Bytes().Var(1).Zig(99).Var(0).Var(0).Var(0).U8(0).Zig(1000).Zig(0).str()) +
      Block(5, Bytes().Var(0).str()) + block +
      Block(15, testing::FooterPayload(1, 3, 0, 0, 1), /*zstd=*/true);
  absl::StatusOr<reader::Trace> t = reader::ParseTrace(file, "example.tlt");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->complete);
  ASSERT_EQ(t->threads.size(), 1u);
  const auto& ev = t->threads[0].events;
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].ts_ns, 1000);
  EXPECT_EQ(ev[0].type, format::EventType::kScopeBegin);
  EXPECT_EQ(ev[1].ts_ns, 1250);
  EXPECT_EQ(ev[1].type, format::EventType::kCounter);
  EXPECT_EQ(t->LocationOf(ev[1])->line, 11u);
  double value;
  std::memcpy(&value, &ev[1].arg, 8);
  EXPECT_EQ(value, 1.5);
  EXPECT_EQ(ev[2].ts_ns, 2000);
  EXPECT_EQ(ev[2].type, format::EventType::kScopeEnd);
  EXPECT_EQ(t->LocationOf(ev[2])->name, "work");
}

TEST(FormatTest, WriterOutputFollowsTheDocument) {
  ASSERT_TRUE(Configure(RecorderOptions{}).ok());
  internal::NameObject(format::ObjectKind::kLock, 0x1234, "doc-lock");
  std::vector<std::thread> threads;
  for (int k = 0; k < 3; ++k) {
    threads.emplace_back([k] {
      TRACE_THREAD_NAME(("doc-" + std::to_string(k)).c_str());
      for (int i = 0; i < 30000; ++i) {  // > 65536 events: several blocks per thread
        TRACE_SCOPE("doc_scope");
        TRACE_COUNTER("doc_counter", -i);
        if (i % 100 == 0) internal::EmitWithArg(format::EventType::kLockAcquired, 0x1234, 7);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::ostringstream out;
  ASSERT_TRUE(WriteTrace(out).ok());
  const std::string file = out.str();

  DocTrace doc;
  DecodeDocument(file, &doc);
  if (HasFatalFailure()) return;

  // Header.
  EXPECT_EQ(doc.version, 2u);
  EXPECT_EQ(doc.header_size, 72u);
  EXPECT_EQ(doc.reserved, 0u);
  EXPECT_TRUE(doc.clock_source == 1 || doc.clock_source == 2);
  if (doc.clock_source == 2) {
    EXPECT_EQ(doc.tsc_hz, 1e9);
  }
  EXPECT_GT(doc.tsc_hz, 0);
  EXPECT_EQ(doc.pid, static_cast<uint32_t>(getpid()));
  EXPECT_LE(doc.capture_start, doc.capture_end);
  EXPECT_GT(doc.realtime_anchor, doc.monotonic_anchor);  // the epoch is long ago

  // Block order: properties, strings, locations, threads, objects, events..., footer.
  ASSERT_GE(doc.block_types.size(), 7u);
  EXPECT_EQ(std::vector<uint16_t>(doc.block_types.begin(), doc.block_types.begin() + 5),
            (std::vector<uint16_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(doc.block_types.back(), 15);
  for (size_t i = 5; i + 1 < doc.block_types.size(); ++i) EXPECT_EQ(doc.block_types[i], 6);

  // Properties.
  for (const char* key : {"process_name", "recorder", "lost_recycled_threads", "lost_after_exit",
                          "scheduler_source"}) {
    EXPECT_NE(PropertyOf(doc, key), "<missing>") << key;
  }

  // Footer.
  uint64_t events = 0, dropped = 0, overwritten = 0;
  int64_t earliest = INT64_MAX, first_event = INT64_MAX, last_event = INT64_MIN;
  for (const DocThread& t : doc.threads) {
    events += t.events.size();
    dropped += t.dropped;
    overwritten += t.overwritten;
    for (const DocEvent& e : t.events) {
      first_event = std::min(first_event, e.ts);
      last_event = std::max(last_event, e.ts);
    }
    for (size_t i = 1; i < t.events.size(); ++i) {
      ASSERT_GE(t.events[i].ts, t.events[i - 1].ts) << "recording order is time order";
    }
  }
  for (int64_t ts : doc.event_block_first_ts) earliest = std::min(earliest, ts);
  EXPECT_EQ(doc.footer[0], static_cast<int64_t>(doc.block_types.size() - 6));
  EXPECT_EQ(doc.footer[1], static_cast<int64_t>(events));
  EXPECT_EQ(doc.footer[2], static_cast<int64_t>(dropped));
  EXPECT_EQ(doc.footer[3], static_cast<int64_t>(
                               overwritten + std::stoull(PropertyOf(doc, "lost_recycled_threads")) +
                               std::stoull(PropertyOf(doc, "lost_after_exit"))));
  EXPECT_EQ(doc.footer_threads, doc.threads.size());
  EXPECT_EQ(doc.capture_start, earliest);
  // The event span properties (section 6.1).
  EXPECT_EQ(PropertyOf(doc, "first_event_ns"), std::to_string(first_event));
  EXPECT_EQ(PropertyOf(doc, "last_event_ns"), std::to_string(last_event));
  EXPECT_GT(doc.footer[0], 3) << "expected several event blocks per thread";

  // Objects: the named lock, sorted by id.
  ASSERT_EQ(doc.objects.size(), 1u);
  EXPECT_EQ(doc.objects[0].kind, 1);
  EXPECT_EQ(doc.objects[0].id, 0x1234u);
  EXPECT_EQ(doc.strings[doc.objects[0].name], "doc-lock");

  // The reference reader sees the same trace.
  absl::StatusOr<reader::Trace> t = reader::ParseTrace(file, "doc.tlt");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->version, doc.version);
  EXPECT_EQ(t->realtime_anchor_ns, doc.realtime_anchor);
  EXPECT_EQ(t->monotonic_anchor_ns, doc.monotonic_anchor);
  EXPECT_EQ(t->capture_start_ns, doc.capture_start);
  EXPECT_EQ(t->capture_end_ns, doc.capture_end);
  EXPECT_EQ(t->strings, doc.strings);
  ASSERT_EQ(t->threads.size(), doc.threads.size());
  for (size_t i = 0; i < doc.threads.size(); ++i) {
    const DocThread& d = doc.threads[i];
    const reader::Thread& r = t->threads[i];
    EXPECT_EQ(r.tid, d.tid);
    EXPECT_EQ(r.name, doc.strings[d.name]);
    EXPECT_EQ(r.exited, (d.flags & 1) != 0);
    EXPECT_EQ(r.start_ns, d.start_ns);
    EXPECT_EQ(r.exit_ns, d.exit_ns);
    ASSERT_EQ(r.events.size(), d.events.size());
    for (size_t j = 0; j < d.events.size(); ++j) {
      ASSERT_EQ(r.events[j].ts_ns, d.events[j].ts);
      ASSERT_EQ(static_cast<uint8_t>(r.events[j].type), d.events[j].type);
      ASSERT_EQ(r.events[j].payload, d.events[j].payload);
      ASSERT_EQ(r.events[j].has_arg, d.events[j].has_arg);
      if (d.events[j].has_arg) {
        ASSERT_EQ(r.events[j].arg, d.events[j].arg);
      }
    }
  }
  for (size_t i = 0; i < doc.locations.size(); ++i) {
    EXPECT_EQ(t->locations[i].name, doc.strings[doc.locations[i].name]);
    EXPECT_EQ(t->locations[i].function, doc.strings[doc.locations[i].function]);
    EXPECT_EQ(t->locations[i].file, doc.strings[doc.locations[i].file]);
    EXPECT_EQ(t->locations[i].line, doc.locations[i].line);
  }
}

}  // namespace
}  // namespace tracelane
