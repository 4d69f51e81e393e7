#include "viewer/lib/trace_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "viewer/lib/block_codec.h"

namespace tracelane::reader {
namespace {

using format::BlockHeader;
using format::BlockType;
using format::EventType;

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
      if (!internal::ValidBlockHeader(h)) {
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
      const uint64_t block_off = payload_off - sizeof(BlockHeader);
      std::string raw;
      if (absl::Status u = internal::UnpackPayload(h, stored, &raw); !u.ok()) {
        if (absl::Status s = Problem(block_off, u.message()); !s.ok()) return s;
        continue;
      }
      absl::Status s = DecodeBlock(static_cast<BlockType>(h.type), raw, &saw_footer);
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
    }
    internal::SumLosses(&trace_);
    trace_.complete = saw_footer && trace_.warnings.empty();
    return std::move(trace_);
  }

 private:
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
      if (internal::ChecksumMatches(&h, 20, h.header_crc32)) return o;
    }
    return 0;
  }

  absl::Status ParseHeader() {
    bool crc_ok = true;
    if (absl::Status s = internal::DecodeFileHeader(bytes_, name_, &trace_, &crc_ok); !s.ok()) {
      return s;
    }
    if (!crc_ok) return Problem(0, "file header checksum mismatch");
    return absl::OkStatus();
  }

  absl::Status DecodeBlock(BlockType type, std::string_view raw, bool* footer) {
    if (type == BlockType::kEvents) return DecodeEvents(raw);
    if (type == BlockType::kFooter) {
      internal::Footer f;
      if (absl::Status s = internal::DecodeFooter(raw, &f); !s.ok()) return s;
      *footer = true;
      if (static_cast<uint64_t>(f.events) != trace_.event_count && trace_.warnings.empty()) {
        return absl::DataLossError(
            absl::StrCat("footer counts ", f.events, " events, blocks hold ", trace_.event_count));
      }
      return absl::OkStatus();
    }
    return internal::DecodeTableBlock(type, raw, &trace_, &tables_seen_);
  }

  absl::Status DecodeEvents(std::string_view raw) {
    uint32_t thread;
    if (absl::Status s = internal::DecodeEventBlock(raw, trace_.version, trace_.threads.size(),
                                                    trace_.locations.size(), &thread, &events_);
        !s.ok()) {
      return s;
    }
    trace_.event_count += events_.size();
    if (on_events_ != nullptr) {  // streaming: hand the block over, keep nothing
      (*on_events_)(trace_, thread, events_);
      return absl::OkStatus();
    }
    auto& dst = trace_.threads[thread].events;
    dst.insert(dst.end(), events_.begin(), events_.end());
    return absl::OkStatus();
  }

  std::string_view bytes_;
  uint32_t tables_seen_ = 0;  // DecodeTableBlock's `seen`
  std::string name_;
  ReadOptions options_;
  const EventBlockFn* on_events_;
  Trace trace_;
  std::vector<Event> events_;  // the block being decoded (reused)
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
