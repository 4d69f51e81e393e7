#include "viewer/lib/trace_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace tracelane::reader {
namespace {

using format::BlockHeader;
using format::BlockType;
using format::EventType;

// Bounds-checked little-endian / varint decoding of one block payload.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}
  bool U8(uint8_t* v) {
    if (pos_ >= data_.size()) return false;
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  template <typename T>
  bool Fixed(T* v) {
    if (data_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool Var(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b;
      if (!U8(&b)) return false;
      result |= uint64_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool ZigZag(int64_t* v) {
    uint64_t u;
    if (!Var(&u)) return false;
    *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool Str(std::string* s) {
    uint64_t n;
    if (!Var(&n) || n > data_.size() - pos_) return false;
    s->assign(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Event types of format `version`: kDataLost (76) exists since version 2.
bool KnownEventType(uint8_t t, uint32_t version) {
  return (t >= 1 && t <= 10) || (t >= 64 && t <= 75) || (t == 76 && version >= 2);
}

class Parser {
 public:
  Parser(std::string_view bytes, const std::string& name, const ReadOptions& options,
         const EventBlockFn* on_events = nullptr)
      : bytes_(bytes), name_(name), options_(options), on_events_(on_events) {}

  absl::StatusOr<Trace> Run() {
    trace_.path = name_;
    trace_.file_bytes = bytes_.size();
    if (absl::Status s = ParseHeader(); !s.ok()) return s;
    uint64_t off = sizeof(format::FileHeader);
    bool saw_footer = false;
    while (off < bytes_.size()) {
      if (options_.cancelled && options_.cancelled()) {
        return absl::CancelledError(absl::StrCat(name_, ": loading cancelled"));
      }
      if (saw_footer) {
        if (absl::Status s = Problem(off, "data after the footer block"); !s.ok()) return s;
        break;
      }
      if (bytes_.size() - off < sizeof(BlockHeader)) {
        if (absl::Status s = Problem(off, "truncated block header"); !s.ok()) return s;
        break;
      }
      BlockHeader h;
      std::memcpy(&h, bytes_.data() + off, sizeof(h));
      if (h.magic != format::kBlockMagic ||
          h.header_crc32 != crc32(0, reinterpret_cast<const Bytef*>(&h), 20) ||
          h.stored_size > format::kMaxBlockPayload || h.raw_size > format::kMaxBlockPayload) {
        if (absl::Status s = Problem(off, "corrupt block header"); !s.ok()) return s;
        const uint64_t next = Resync(off + 1);
        if (next == 0) break;
        trace_.warnings.back() += absl::StrCat(" (resumed at offset ", next, ")");
        off = next;
        continue;
      }
      const uint64_t payload_off = off + sizeof(BlockHeader);
      if (bytes_.size() - payload_off < h.stored_size) {
        if (absl::Status s =
                Problem(off, absl::StrCat("truncated block: payload needs ", h.stored_size,
                                          " bytes, file has ", bytes_.size() - payload_off));
            !s.ok()) {
          return s;
        }
        break;
      }
      std::string_view stored = bytes_.substr(payload_off, h.stored_size);
      off = payload_off + h.stored_size;
      if (crc32(0, reinterpret_cast<const Bytef*>(stored.data()), stored.size()) !=
          h.payload_crc32) {
        if (absl::Status s =
                Problem(payload_off - sizeof(BlockHeader), "block payload checksum mismatch");
            !s.ok()) {
          return s;
        }
        continue;
      }
      std::string raw;
      if (h.flags & format::kBlockFlagZstd) {
        raw.resize(h.raw_size);
        const size_t n = ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size());
        if (ZSTD_isError(n) || n != h.raw_size) {
          if (absl::Status s =
                  Problem(payload_off - sizeof(BlockHeader), "block payload does not decompress");
              !s.ok()) {
            return s;
          }
          continue;
        }
      } else {
        raw.assign(stored.data(), stored.size());
      }
      const uint64_t block_off = payload_off - sizeof(BlockHeader);
      absl::Status s = DecodeBlock(static_cast<BlockType>(h.type), raw, block_off, &saw_footer);
      if (!s.ok()) {
        if (absl::Status p = Problem(block_off, std::string(s.message())); !p.ok()) return p;
      }
      if (options_.progress) options_.progress(off, bytes_.size());
    }
    if (!saw_footer) {
      if (absl::Status s = Problem(bytes_.size(), "file ends without a footer block (truncated)");
          !s.ok()) {
        return s;
      }
    }
    for (Thread& t : trace_.threads) {
      if (!std::is_sorted(t.events.begin(), t.events.end(),
                          [](const Event& a, const Event& b) { return a.ts_ns < b.ts_ns; })) {
        std::stable_sort(t.events.begin(), t.events.end(),
                         [](const Event& a, const Event& b) { return a.ts_ns < b.ts_ns; });
      }
      trace_.dropped += t.dropped;
      trace_.overwritten += t.overwritten;
    }
    trace_.overwritten +=
        PropertyNumber("lost_recycled_threads") + PropertyNumber("lost_after_exit");
    trace_.complete = saw_footer && trace_.warnings.empty();
    return std::move(trace_);
  }

 private:
  uint64_t PropertyNumber(const std::string& key) {
    const std::string& v = trace_.Property(key);
    return v.empty() ? 0 : std::strtoull(v.c_str(), nullptr, 10);
  }

  // Error in strict mode; warning (and OK) in salvage mode.
  absl::Status Problem(uint64_t offset, absl::string_view what) {
    std::string msg = absl::StrCat(name_, ": offset ", offset, ": ", what);
    if (!options_.salvage) return absl::DataLossError(msg);
    trace_.warnings.push_back(std::move(msg));
    return absl::OkStatus();
  }

  // Finds the next offset at or after `from` holding a valid block header.
  uint64_t Resync(uint64_t from) {
    for (uint64_t o = from; o + sizeof(BlockHeader) <= bytes_.size(); ++o) {
      uint32_t magic;
      std::memcpy(&magic, bytes_.data() + o, 4);
      if (magic != format::kBlockMagic) continue;
      BlockHeader h;
      std::memcpy(&h, bytes_.data() + o, sizeof(h));
      if (h.header_crc32 == crc32(0, reinterpret_cast<const Bytef*>(&h), 20)) return o;
    }
    return 0;
  }

  absl::Status ParseHeader() {
    if (bytes_.size() < sizeof(format::FileHeader)) {
      if (bytes_.size() >= 8 && std::memcmp(bytes_.data(), format::kFileMagic, 8) != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(name_, ": offset 0: not a tracelane trace (bad magic)"));
      }
      return absl::DataLossError(absl::StrCat(name_, ": offset 0: truncated file header (",
                                              bytes_.size(), " of 72 bytes)"));
    }
    format::FileHeader h;
    std::memcpy(&h, bytes_.data(), sizeof(h));
    if (std::memcmp(h.magic, format::kFileMagic, 8) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name_, ": offset 0: not a tracelane trace (bad magic)"));
    }
    if (h.version < 1 || h.version > format::kFormatVersion) {  // older versions stay readable
      return absl::UnimplementedError(absl::StrCat(name_, ": offset 8: unsupported format version ",
                                                   h.version, " (this reader reads versions 1 to ",
                                                   format::kFormatVersion, ")"));
    }
    if (h.header_crc32 != crc32(0, reinterpret_cast<const Bytef*>(&h), 68)) {
      if (absl::Status s = Problem(0, "file header checksum mismatch"); !s.ok()) return s;
    }
    trace_.version = h.version;
    trace_.clock_source = static_cast<format::ClockSource>(h.clock_source);
    trace_.tsc_hz = h.tsc_hz;
    trace_.pid = h.pid;
    trace_.realtime_anchor_ns = h.realtime_anchor_ns;
    trace_.monotonic_anchor_ns = h.monotonic_anchor_ns;
    trace_.capture_start_ns = h.capture_start_ns;
    trace_.capture_end_ns = h.capture_end_ns;
    return absl::OkStatus();
  }

  absl::Status DecodeBlock(BlockType type, std::string_view raw, uint64_t off, bool* footer) {
    ByteReader r(raw);
    const auto bad = [&](absl::string_view what) {
      return absl::DataLossError(absl::StrCat("malformed ", what, " block"));
    };
    switch (type) {
      case BlockType::kProperties: {
        uint64_t n;
        if (!r.Var(&n)) return bad("properties");
        for (uint64_t i = 0; i < n; ++i) {
          std::string k, v;
          if (!r.Str(&k) || !r.Str(&v)) return bad("properties");
          trace_.properties.emplace_back(std::move(k), std::move(v));
        }
        return absl::OkStatus();
      }
      case BlockType::kStrings: {
        uint64_t n;
        if (!r.Var(&n) || n > raw.size()) return bad("string table");
        trace_.strings.resize(n);
        for (auto& s : trace_.strings) {
          if (!r.Str(&s)) return bad("string table");
        }
        return absl::OkStatus();
      }
      case BlockType::kLocations: {
        uint64_t n;
        if (!r.Var(&n) || n > raw.size()) return bad("location table");
        trace_.locations.resize(n);
        for (Location& l : trace_.locations) {
          uint64_t a, b, c, line;
          if (!r.Var(&a) || !r.Var(&b) || !r.Var(&c) || !r.Var(&line)) return bad("location table");
          if (a >= trace_.strings.size() || b >= trace_.strings.size() ||
              c >= trace_.strings.size()) {
            return absl::DataLossError("location table refers to a missing string");
          }
          l = Location{trace_.strings[a], trace_.strings[b], trace_.strings[c],
                       static_cast<uint32_t>(line)};
        }
        return absl::OkStatus();
      }
      case BlockType::kThreads: {
        uint64_t n;
        if (!r.Var(&n) || n > raw.size()) return bad("thread table");
        trace_.threads.resize(n);
        for (Thread& t : trace_.threads) {
          uint64_t name;
          uint8_t flags;
          if (!r.ZigZag(&t.tid) || !r.Var(&name) || !r.Var(&t.dropped) || !r.Var(&t.overwritten) ||
              !r.U8(&flags) || !r.ZigZag(&t.start_ns) || !r.ZigZag(&t.exit_ns)) {
            return bad("thread table");
          }
          if (name >= trace_.strings.size()) return absl::DataLossError("thread name missing");
          t.name = trace_.strings[name];
          t.exited = flags & 1;
        }
        return absl::OkStatus();
      }
      case BlockType::kObjects: {
        uint64_t n;
        if (!r.Var(&n) || n > raw.size()) return bad("object table");
        for (uint64_t i = 0; i < n; ++i) {
          uint8_t kind;
          uint64_t id, name;
          if (!r.U8(&kind) || !r.Var(&id) || !r.Var(&name)) return bad("object table");
          if (name >= trace_.strings.size()) return absl::DataLossError("object name missing");
          trace_.objects.push_back(
              Object{static_cast<format::ObjectKind>(kind), id, trace_.strings[name]});
        }
        return absl::OkStatus();
      }
      case BlockType::kEvents:
        return DecodeEvents(r);
      case BlockType::kFooter: {
        int64_t blocks, events, dropped, lost;
        uint32_t threads;
        if (!r.Fixed(&blocks) || !r.Fixed(&events) || !r.Fixed(&dropped) || !r.Fixed(&lost) ||
            !r.Fixed(&threads)) {
          return bad("footer");
        }
        *footer = true;
        if (static_cast<uint64_t>(events) != trace_.event_count && trace_.warnings.empty()) {
          return absl::DataLossError(
              absl::StrCat("footer counts ", events, " events, blocks hold ", trace_.event_count));
        }
        return absl::OkStatus();
      }
    }
    (void)off;
    return absl::DataLossError(absl::StrCat("unknown block type ", static_cast<int>(type)));
  }

  absl::Status DecodeEvents(ByteReader& r) {
    uint32_t thread, count;
    int64_t ts;
    if (!r.Fixed(&thread) || !r.Fixed(&count) || !r.Fixed(&ts)) {
      return absl::DataLossError("malformed event block header");
    }
    if (thread >= trace_.threads.size()) {
      return absl::DataLossError(absl::StrCat("event block for unknown thread ", thread));
    }
    // Every event takes at least 3 bytes (head, delta, payload): a larger count is
    // corruption, and must not size the allocation below.
    if (count > r.remaining() / 3) {
      return absl::DataLossError(
          absl::StrCat("event block claims ", count, " events in ", r.remaining(), " bytes"));
    }
    std::vector<Event> events;
    events.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      uint8_t head;
      int64_t delta;
      Event e{};
      if (!r.U8(&head) || !r.ZigZag(&delta) || !r.Var(&e.payload)) {
        return absl::DataLossError(absl::StrCat("event ", i, " of ", count, " is truncated"));
      }
      const uint8_t type = head & 0x7F;
      if (!KnownEventType(type, trace_.version)) {
        return absl::DataLossError(absl::StrCat("event ", i, " has unknown type ", int{type}));
      }
      e.type = static_cast<EventType>(type);
      if (format::HasLocationPayload(e.type) && e.payload >= trace_.locations.size()) {
        return absl::DataLossError(
            absl::StrCat("event ", i, " refers to missing location ", e.payload));
      }
      e.has_arg = head & 0x80;
      if (e.has_arg && !r.ZigZag(&e.arg)) return absl::DataLossError("event argument truncated");
      if (__builtin_add_overflow(ts, delta, &ts)) {
        return absl::DataLossError(absl::StrCat("event ", i, " timestamp overflows"));
      }
      e.ts_ns = ts;
      events.push_back(e);
    }
    if (!r.done()) return absl::DataLossError("event block has trailing bytes");
    if (on_events_ != nullptr) {  // streaming: hand the block over, keep nothing
      trace_.event_count += events.size();
      (*on_events_)(trace_, thread, events);
      return absl::OkStatus();
    }
    auto& dst = trace_.threads[thread].events;
    dst.insert(dst.end(), events.begin(), events.end());
    trace_.event_count += events.size();
    return absl::OkStatus();
  }

  std::string_view bytes_;
  std::string name_;
  ReadOptions options_;
  const EventBlockFn* on_events_;
  Trace trace_;
};

}  // namespace

const std::string& Trace::Property(const std::string& key) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : properties) {
    if (k == key) return v;
  }
  return kEmpty;
}

std::pair<int64_t, int64_t> Trace::EventSpan() const {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (const Thread& t : threads) {
    if (t.events.empty()) continue;
    lo = std::min(lo, t.events.front().ts_ns);
    hi = std::max(hi, t.events.back().ts_ns);
  }
  if (lo > hi) return {capture_start_ns, capture_end_ns};
  return {lo, hi};
}

const Location* Trace::LocationOf(const Event& e) const {
  if (!format::HasLocationPayload(e.type) || e.payload >= locations.size()) return nullptr;
  return &locations[e.payload];
}

absl::StatusOr<Trace> ParseTrace(std::string_view bytes, const std::string& name,
                                 const ReadOptions& options) {
  return Parser(bytes, name, options).Run();
}

absl::StatusOr<Trace> ReadTrace(const std::string& path, const ReadOptions& options) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  const std::string bytes = std::move(ss).str();
  return ParseTrace(bytes, path, options);
}

absl::StatusOr<Trace> StreamParseTrace(std::string_view bytes, const std::string& name,
                                       const EventBlockFn& on_events, const ReadOptions& options) {
  return Parser(bytes, name, options, &on_events).Run();
}

absl::StatusOr<Trace> StreamTrace(const std::string& path, const EventBlockFn& on_events,
                                  const ReadOptions& options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return absl::DataLossError(absl::StrCat(path, ": cannot stat file"));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    close(fd);
    return StreamParseTrace(std::string_view(), path, on_events, options);
  }
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return absl::DataLossError(absl::StrCat(path, ": cannot map file"));
  madvise(map, size, MADV_SEQUENTIAL);
  // Drop the pages already decoded so resident memory stays O(block), not O(file).
  ReadOptions opts = options;
  const long page = sysconf(_SC_PAGESIZE);
  uint64_t released = 0;
  opts.progress = [&](uint64_t done, uint64_t total) {
    const uint64_t upto = done / page * page;
    if (upto > released + (8u << 20)) {
      madvise(static_cast<char*>(map) + released, upto - released, MADV_DONTNEED);
      released = upto;
    }
    if (options.progress) options.progress(done, total);
  };
  absl::StatusOr<Trace> t = StreamParseTrace(std::string_view(static_cast<const char*>(map), size),
                                             path, on_events, opts);
  munmap(map, size);
  return t;
}

const char* EventTypeName(format::EventType type) {
  switch (type) {
    case EventType::kScopeBegin:
      return "scope_begin";
    case EventType::kScopeEnd:
      return "scope_end";
    case EventType::kInstant:
      return "instant";
    case EventType::kCounter:
      return "counter";
    case EventType::kBlockBegin:
      return "block_begin";
    case EventType::kBlockEnd:
      return "block_end";
    case EventType::kPauseBegin:
      return "pause_begin";
    case EventType::kPauseEnd:
      return "pause_end";
    case EventType::kStwBegin:
      return "stw_begin";
    case EventType::kStwEnd:
      return "stw_end";
    case EventType::kThreadStart:
      return "thread_start";
    case EventType::kThreadExit:
      return "thread_exit";
    case EventType::kLockWait:
      return "lock_wait";
    case EventType::kLockAcquired:
      return "lock_acquired";
    case EventType::kLockReleased:
      return "lock_released";
    case EventType::kLockTryFailed:
      return "lock_try_failed";
    case EventType::kCondWait:
      return "cond_wait";
    case EventType::kCondWake:
      return "cond_wake";
    case EventType::kCondNotify:
      return "cond_notify";
    case EventType::kSchedOut:
      return "sched_out";
    case EventType::kSchedIn:
      return "sched_in";
    case EventType::kSchedStat:
      return "sched_stat";
    case EventType::kDataLost:
      return "data_lost";
  }
  return "unknown";
}

}  // namespace tracelane::reader
