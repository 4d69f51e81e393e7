#include "viewer/lib/block_codec.h"

#include <zlib.h>
#include <zstd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace tracelane::reader::internal {

using format::BlockType;
using format::EventType;

namespace {

// Event types of format `version`: kDataLost (76) exists since version 2.
bool KnownEventType(uint8_t t, uint32_t version) {
  return (t >= 1 && t <= 10) || (t >= 64 && t <= 75) || (t == 76 && version >= 2);
}

// Reads a varint at p (bounded by end), advancing p; false if it is truncated or
// longer than 10 bytes (as ByteReader::Var).
inline bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* v) {
  if (p < end && *p < 0x80) {  // most payloads and deltas fit in one byte
    *v = *p++;
    return true;
  }
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= end) return false;
    const uint8_t b = *p++;
    result |= uint64_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

inline int64_t UnZigZag(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)); }

// Within [0, kMaxTimestampNs): differences and sums of two never overflow
// (found by fuzz/trace_analysis: hostile times overflowed exports' arithmetic).
inline bool ValidTimestamp(int64_t ns) { return ns >= 0 && ns < format::kMaxTimestampNs; }

}  // namespace

bool ChecksumMatches(const void* data, size_t n, uint32_t crc) {
#ifdef TRACELANE_FUZZ_SKIP_CHECKSUM
  (void)data;
  (void)n;
  (void)crc;
  return true;
#else
  return crc == crc32(0, static_cast<const Bytef*>(data), static_cast<uInt>(n));
#endif
}

absl::Status DecodeFileHeader(std::string_view bytes, const std::string& name, Trace* trace,
                              bool* crc_ok) {
  if (bytes.size() < sizeof(format::FileHeader)) {
    if (bytes.size() >= 8 && std::memcmp(bytes.data(), format::kFileMagic, 8) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": offset 0: not a tracelane trace (bad magic)"));
    }
    return absl::DataLossError(
        absl::StrCat(name, ": offset 0: truncated file header (", bytes.size(), " of 72 bytes)"));
  }
  format::FileHeader h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  if (std::memcmp(h.magic, format::kFileMagic, 8) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": offset 0: not a tracelane trace (bad magic)"));
  }
  if (h.version < format::kOldestReadableVersion || h.version > format::kFormatVersion) {
    return absl::UnimplementedError(absl::StrCat(
        name, ": offset 8: unsupported format version ", h.version, " (this reader reads versions ",
        format::kOldestReadableVersion, " to ", format::kFormatVersion, ")"));
  }
  *crc_ok = ChecksumMatches(&h, 68, h.header_crc32);
  // Times out of range: an error if the header is intact, else (salvage goes on
  // past the checksum mismatch) unknown, 0.
  for (int64_t* t :
       {&h.realtime_anchor_ns, &h.monotonic_anchor_ns, &h.capture_start_ns, &h.capture_end_ns}) {
    if (ValidTimestamp(*t)) continue;
    if (*crc_ok) {
      return absl::DataLossError(
          absl::StrCat(name, ": offset 16: file header time ", *t, " out of range"));
    }
    *t = 0;
  }
  trace->version = h.version;
  trace->clock_source = static_cast<format::ClockSource>(h.clock_source);
  trace->tsc_hz = h.tsc_hz;
  trace->pid = h.pid;
  trace->realtime_anchor_ns = h.realtime_anchor_ns;
  trace->monotonic_anchor_ns = h.monotonic_anchor_ns;
  trace->capture_start_ns = h.capture_start_ns;
  trace->capture_end_ns = h.capture_end_ns;
  return absl::OkStatus();
}

bool ValidBlockHeader(const format::BlockHeader& h) {
  return h.magic == format::kBlockMagic && ChecksumMatches(&h, 20, h.header_crc32) &&
         h.stored_size <= format::kMaxBlockPayload && h.raw_size <= format::kMaxBlockPayload;
}

absl::Status UnpackPayload(const format::BlockHeader& h, std::string_view stored,
                           std::string* raw) {
  if (!ChecksumMatches(stored.data(), stored.size(), h.payload_crc32)) {
    return absl::DataLossError("block payload checksum mismatch");
  }
  if ((h.flags & format::kBlockFlagZstd) == 0) {
    raw->assign(stored.data(), stored.size());
    return absl::OkStatus();
  }
  // A frame that states its size must state raw_size: refuse before allocating.
  const unsigned long long declared = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR ||
      (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != h.raw_size)) {
    return absl::DataLossError("block payload does not decompress");
  }
  raw->resize(h.raw_size);
  const size_t n = ZSTD_decompress(raw->data(), raw->size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != h.raw_size) {
    return absl::DataLossError("block payload does not decompress");
  }
  return absl::OkStatus();
}

absl::Status DecodeEventBlock(std::string_view raw, uint32_t version, size_t threads,
                              size_t locations, uint32_t* thread, std::vector<Event>* events) {
  ByteReader r(raw);
  uint32_t count;
  int64_t ts;
  if (!r.Fixed(thread) || !r.Fixed(&count) || !r.Fixed(&ts)) {
    return absl::DataLossError("malformed event block header");
  }
  if (*thread >= threads) {
    return absl::DataLossError(absl::StrCat("event block for unknown thread ", *thread));
  }
  // Every event takes at least 3 bytes (head, delta, payload): a larger count is
  // corruption, and must not size the allocation below.
  if (count > r.remaining() / 3) {
    return absl::DataLossError(
        absl::StrCat("event block claims ", count, " events in ", r.remaining(), " bytes"));
  }
  // Every field of every event is written below: a reused vector of the same size
  // (the usual case) is neither cleared nor zeroed.
  events->resize(count);
  const auto* p = reinterpret_cast<const uint8_t*>(raw.data()) + (raw.size() - r.remaining());
  const auto* end = reinterpret_cast<const uint8_t*>(raw.data()) + raw.size();
  Event* out = events->data();
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t delta, payload;
    if (p >= end) {
      return absl::DataLossError(absl::StrCat("event ", i, " of ", count, " is truncated"));
    }
    const uint8_t head = *p++;
    if (!ReadVarint(p, end, &delta) || !ReadVarint(p, end, &payload)) {
      return absl::DataLossError(absl::StrCat("event ", i, " of ", count, " is truncated"));
    }
    const uint8_t type = head & 0x7F;
    if (!KnownEventType(type, version)) {
      return absl::DataLossError(absl::StrCat("event ", i, " has unknown type ", int{type}));
    }
    Event& e = out[i];
    e.type = static_cast<EventType>(type);
    e.payload = payload;
    if (format::HasLocationPayload(e.type) && payload >= locations) {
      return absl::DataLossError(
          absl::StrCat("event ", i, " refers to missing location ", payload));
    }
    e.has_arg = head & 0x80;
    e.arg = 0;
    if (e.has_arg) {
      uint64_t arg;
      if (!ReadVarint(p, end, &arg)) return absl::DataLossError("event argument truncated");
      e.arg = UnZigZag(arg);
    }
    if (__builtin_add_overflow(ts, UnZigZag(delta), &ts)) {
      return absl::DataLossError(absl::StrCat("event ", i, " timestamp overflows"));
    }
    if (!ValidTimestamp(ts)) {
      return absl::DataLossError(absl::StrCat("event ", i, " timestamp ", ts, " out of range"));
    }
    e.ts_ns = ts;
  }
  if (p != end) return absl::DataLossError("event block has trailing bytes");
  return absl::OkStatus();
}

bool IsTableBlock(BlockType type) {
  switch (type) {
    case BlockType::kProperties:
    case BlockType::kStrings:
    case BlockType::kLocations:
    case BlockType::kThreads:
    case BlockType::kObjects:
      return true;
    case BlockType::kEvents:
    case BlockType::kFooter:
      return false;
  }
  return false;
}

namespace {

// What tables may expand to, beyond their own bytes: memory must stay in
// proportion to a file's content whatever its counts claim (a zstd payload of
// 64 MiB of empty strings is a few KB on disk).
constexpr uint64_t kTableAllowance = uint64_t{64} << 20;
constexpr uint64_t kTableExpansion = 4;

// Whether `n` entries of `size` bytes decoded from a `raw`-byte table stay
// within the allowance; else the error names the table.
absl::Status CheckExpansion(const char* table, uint64_t n, size_t size, size_t raw) {
  if (n * size <= kTableAllowance + kTableExpansion * raw) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(table, " of ", n, " entries in ", raw,
                                          " bytes would take ", n * size,
                                          " bytes of memory (damaged or hostile)"));
}

// The bytes of names a table copies out of the string table (each location,
// thread and object holds its own copy): at most the allowance plus twice the
// string table, so one long string referred to by every entry of a table cannot
// turn a small file into gigabytes. A real table copies each name a few times.
class NameCopies {
 public:
  NameCopies(const Trace& t, const char* table) : table_(table) {
    uint64_t bytes = 0;
    for (const std::string& s : t.strings) bytes += s.size();
    limit_ = kTableAllowance + 2 * bytes;
  }
  // Counts a copy of `s`; false once the copies exceed the limit.
  bool Add(const std::string& s) {
    copied_ += s.size();
    return copied_ <= limit_;
  }
  absl::Status Error() const {
    return absl::DataLossError(
        absl::StrCat(table_, " copies more than ", limit_, " bytes of names (damaged or hostile)"));
  }

 private:
  const char* table_;
  uint64_t limit_ = 0;
  uint64_t copied_ = 0;
};

}  // namespace

absl::Status DecodeTableBlock(BlockType type, std::string_view raw, Trace* trace, uint32_t* seen) {
  ByteReader r(raw);
  const auto bad = [](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("malformed ", what, " block"));
  };
  if (seen != nullptr && IsTableBlock(type)) {
    const uint32_t bit = uint32_t{1} << static_cast<int>(type);
    if (*seen & bit) {
      static constexpr const char* kNames[] = {
          "", "properties", "string table", "location table", "thread table", "object table"};
      return absl::DataLossError(
          absl::StrCat("duplicate ", kNames[static_cast<int>(type)], " block"));
    }
    *seen |= bit;
  }
  switch (type) {
    case BlockType::kProperties: {
      uint64_t n;
      if (!r.Var(&n)) return bad("properties");
      for (uint64_t i = 0; i < n; ++i) {
        std::string k, v;
        if (!r.Str(&k) || !r.Str(&v)) return bad("properties");
        trace->properties.emplace_back(std::move(k), std::move(v));
      }
      return absl::OkStatus();
    }
    case BlockType::kStrings: {
      uint64_t n;
      // Each entry takes at least 1 byte: a larger count is corruption and must
      // not size an allocation (32+ bytes per entry) from a small block.
      if (!r.Var(&n) || n > r.remaining()) return bad("string table");
      if (absl::Status s = CheckExpansion("string table", n, sizeof(std::string), raw.size());
          !s.ok()) {
        return s;
      }
      trace->strings.resize(n);
      for (auto& s : trace->strings) {
        if (!r.Str(&s)) return bad("string table");
      }
      return absl::OkStatus();
    }
    case BlockType::kLocations: {
      uint64_t n;
      if (!r.Var(&n) || n > r.remaining() / 4) return bad("location table");  // 4+ bytes each
      if (absl::Status s = CheckExpansion("location table", n, sizeof(Location), raw.size());
          !s.ok()) {
        return s;
      }
      trace->locations.resize(n);
      const std::vector<std::string>& strings = trace->strings;
      NameCopies copies(*trace, "location table");
      for (Location& l : trace->locations) {
        uint64_t a, b, c, line;
        if (!r.Var(&a) || !r.Var(&b) || !r.Var(&c) || !r.Var(&line)) return bad("location table");
        if (a >= strings.size() || b >= strings.size() || c >= strings.size()) {
          return absl::DataLossError("location table refers to a missing string");
        }
        if (!copies.Add(strings[a]) || !copies.Add(strings[b]) || !copies.Add(strings[c])) {
          return copies.Error();
        }
        l = Location{strings[a], strings[b], strings[c], static_cast<uint32_t>(line)};
      }
      return absl::OkStatus();
    }
    case BlockType::kThreads: {
      uint64_t n;
      if (!r.Var(&n) || n > r.remaining() / 7) return bad("thread table");  // 7+ bytes each
      if (absl::Status s = CheckExpansion("thread table", n, sizeof(Thread), raw.size()); !s.ok()) {
        return s;
      }
      trace->threads.resize(n);
      NameCopies copies(*trace, "thread table");
      for (Thread& t : trace->threads) {
        uint64_t name;
        uint8_t flags;
        if (!r.ZigZag(&t.tid) || !r.Var(&name) || !r.Var(&t.dropped) || !r.Var(&t.overwritten) ||
            !r.U8(&flags) || !r.ZigZag(&t.start_ns) || !r.ZigZag(&t.exit_ns)) {
          return bad("thread table");
        }
        if (name >= trace->strings.size()) return absl::DataLossError("thread name missing");
        if (!ValidTimestamp(t.start_ns) || !ValidTimestamp(t.exit_ns)) {
          return absl::DataLossError("thread time out of range");
        }
        if (!copies.Add(trace->strings[name])) return copies.Error();
        t.name = trace->strings[name];
        t.exited = flags & 1;
      }
      return absl::OkStatus();
    }
    case BlockType::kObjects: {
      uint64_t n;
      if (!r.Var(&n) || n > r.remaining() / 3) return bad("object table");  // 3+ bytes each
      if (absl::Status s = CheckExpansion("object table", n, sizeof(Object), raw.size()); !s.ok()) {
        return s;
      }
      NameCopies copies(*trace, "object table");
      for (uint64_t i = 0; i < n; ++i) {
        uint8_t kind;
        uint64_t id, name;
        if (!r.U8(&kind) || !r.Var(&id) || !r.Var(&name)) return bad("object table");
        if (name >= trace->strings.size()) return absl::DataLossError("object name missing");
        if (!copies.Add(trace->strings[name])) return copies.Error();
        trace->objects.push_back(
            Object{static_cast<format::ObjectKind>(kind), id, trace->strings[name]});
      }
      return absl::OkStatus();
    }
    case BlockType::kEvents:
    case BlockType::kFooter:
      break;
  }
  return absl::DataLossError(absl::StrCat("unknown block type ", static_cast<int>(type)));
}

absl::Status DecodeFooter(std::string_view raw, Footer* footer) {
  ByteReader r(raw);
  if (!r.Fixed(&footer->event_blocks) || !r.Fixed(&footer->events) || !r.Fixed(&footer->dropped) ||
      !r.Fixed(&footer->lost) || !r.Fixed(&footer->threads)) {
    return absl::DataLossError("malformed footer block");
  }
  return absl::OkStatus();
}

uint64_t PropertyNumber(const Trace& trace, const std::string& key) {
  const std::string& v = trace.Property(key);
  return v.empty() ? 0 : std::strtoull(v.c_str(), nullptr, 10);
}

void SumLosses(Trace* trace) {
  trace->dropped = 0;
  trace->overwritten = 0;
  for (const Thread& t : trace->threads) {
    trace->dropped += t.dropped;
    trace->overwritten += t.overwritten;
  }
  trace->overwritten +=
      PropertyNumber(*trace, "lost_recycled_threads") + PropertyNumber(*trace, "lost_after_exit");
}

}  // namespace tracelane::reader::internal
