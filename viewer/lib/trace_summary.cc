#include "viewer/lib/trace_summary.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "viewer/lib/block_codec.h"

namespace tracelane::reader {
namespace {

using format::BlockHeader;
using format::BlockType;

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Walks a file's blocks with positioned reads: every block header, the payloads of
// the tables and the footer, never an event payload. Run() decides whether the
// footer can answer; if not, scan_reason() says why.
class FooterWalker {
 public:
  FooterWalker(int fd, uint64_t size, const std::string& path, const ReadOptions& options,
               TraceSummary* out)
      : fd_(fd), size_(size), path_(path), options_(options), out_(out) {}

  // OK with an empty scan_reason(): `out` holds the answer. OK with a reason: scan.
  // Error: what a full read reports (strict mode), or a read or cancellation error.
  absl::Status Run() {
    Trace& t = out_->tables;
    t.path = path_;
    t.file_bytes = size_;
    std::string header;
    if (absl::Status s = ReadAt(0, std::min<uint64_t>(size_, sizeof(format::FileHeader)), &header);
        !s.ok()) {
      return s;
    }
    bool crc_ok = true;
    if (absl::Status s = internal::DecodeFileHeader(header, path_, &t, &crc_ok); !s.ok()) return s;
    if (!crc_ok) return Problem(0, "file header checksum mismatch", "damaged file header");

    uint64_t off = sizeof(format::FileHeader);
    uint64_t event_capacity = 0;  // most events the event blocks' sizes can hold
    bool saw_threads = false, saw_footer = false;
    uint32_t tables_seen = 0;  // DecodeTableBlock's `seen`
    internal::Footer footer;
    std::string buf, stored, raw;
    while (off < size_) {
      if (options_.cancelled && options_.cancelled()) {
        return absl::CancelledError(absl::StrCat(path_, ": loading cancelled"));
      }
      if (saw_footer) return Problem(off, "data after the footer block", kFooterDamaged);
      if (size_ - off < sizeof(BlockHeader)) {
        return Problem(off, "truncated block header", kFooterDamaged);
      }
      if (absl::Status s = ReadAt(off, sizeof(BlockHeader), &buf); !s.ok()) return s;
      BlockHeader h;
      std::memcpy(&h, buf.data(), sizeof(h));
      if (!internal::ValidBlockHeader(h)) {
        return Problem(off, "corrupt block header", kFooterDamaged);
      }
      const uint64_t payload_off = off + sizeof(BlockHeader);
      if (size_ - payload_off < h.stored_size) {
        return Problem(off,
                       absl::StrCat("truncated block: payload needs ", h.stored_size,
                                    " bytes, file has ", size_ - payload_off),
                       kFooterDamaged);
      }
      const uint64_t block_off = off;
      off = payload_off + h.stored_size;
      const auto type = static_cast<BlockType>(h.type);
      if (type == BlockType::kEvents) {  // skipped by its stored size, never read
        if (!saw_threads) return Scan("an event block comes before the thread table");
        if (h.raw_size < 16) {
          return Scan(absl::StrCat("malformed event block (offset ", block_off, ": ", h.raw_size,
                                   " bytes)"));
        }
        ++out_->event_blocks;
        event_capacity += (h.raw_size - 16) / 3;  // every event takes at least 3 bytes
        if (options_.progress) options_.progress(off, size_);
        continue;
      }
      if (absl::Status s = ReadAt(payload_off, h.stored_size, &stored); !s.ok()) return s;
      const char* what_is_damaged = type == BlockType::kFooter     ? kFooterDamaged
                                    : internal::IsTableBlock(type) ? "damaged table block"
                                                                   : "unknown block";
      if (absl::Status u = internal::UnpackPayload(h, stored, &raw); !u.ok()) {
        return Problem(block_off, u.message(), what_is_damaged);
      }
      absl::Status s = type == BlockType::kFooter
                           ? internal::DecodeFooter(raw, &footer)
                           : internal::DecodeTableBlock(type, raw, &t, &tables_seen);
      if (!s.ok()) return Problem(block_off, s.message(), what_is_damaged);
      saw_footer |= type == BlockType::kFooter;
      saw_threads |= type == BlockType::kThreads;
      if (options_.progress) options_.progress(off, size_);
    }
    if (!saw_footer) {
      return Problem(size_, "file ends without a footer block (truncated)", kFooterDamaged);
    }
    internal::SumLosses(&t);
    if (absl::Status s = CheckFooter(footer, event_capacity); !s.ok() || !scan_reason_.empty()) {
      return s;
    }
    t.event_count = static_cast<uint64_t>(footer.events);
    t.complete = true;
    return CheckSpan();
  }

  const std::string& scan_reason() const { return scan_reason_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  static constexpr char kFooterDamaged[] = "footer missing or damaged";

  // Reads `n` bytes at `off` into `*out`. The caller checked they are in the file.
  absl::Status ReadAt(uint64_t off, size_t n, std::string* out) {
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      const ssize_t r = pread(fd_, out->data() + done, n - done, static_cast<off_t>(off + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        return absl::DataLossError(absl::StrCat(path_, ": offset ", off + done, ": read error",
                                                r < 0 ? absl::StrCat(" (errno ", errno, ")") : ""));
      }
      done += static_cast<size_t>(r);
    }
    bytes_read_ += n;
    return absl::OkStatus();
  }

  // A structural problem: the error of a full read in strict mode; in salvage mode,
  // a scan (which records the warnings and recovers what is intact).
  absl::Status Problem(uint64_t offset, absl::string_view what, absl::string_view kind) {
    if (!options_.salvage) {
      return absl::DataLossError(absl::StrCat(path_, ": offset ", offset, ": ", what));
    }
    return Scan(absl::StrCat(kind, " (offset ", offset, ": ", what, ")"));
  }

  absl::Status Scan(std::string reason) {
    scan_reason_ = std::move(reason);
    return absl::OkStatus();
  }

  // The footer must agree with what the walk saw; any disagreement means it was
  // damaged or crafted, and a scan counts instead.
  absl::Status CheckFooter(const internal::Footer& f, uint64_t event_capacity) {
    const Trace& t = out_->tables;
    const auto disagree = [&](absl::string_view field, int64_t footer, uint64_t file) {
      return Scan(absl::StrCat("footer disagrees with the file (", field, ": footer ", footer,
                               ", file ", file, ")"));
    };
    if (f.threads != t.threads.size()) return disagree("threads", f.threads, t.threads.size());
    if (f.event_blocks < 0 || static_cast<uint64_t>(f.event_blocks) != out_->event_blocks) {
      return disagree("event blocks", f.event_blocks, out_->event_blocks);
    }
    if (f.dropped < 0 || static_cast<uint64_t>(f.dropped) != t.dropped) {
      return disagree("dropped", f.dropped, t.dropped);
    }
    if (f.lost < 0 || static_cast<uint64_t>(f.lost) != t.overwritten) {
      return disagree("lost", f.lost, t.overwritten);
    }
    if (f.events < 0 || static_cast<uint64_t>(f.events) > event_capacity) {
      return Scan(absl::StrCat("footer disagrees with the file (events: footer ", f.events,
                               ", the event blocks hold at most ", event_capacity, ")"));
    }
    return absl::OkStatus();
  }

  // The earliest and latest event times: the capture bounds without events, else
  // the writer's first_event_ns / last_event_ns properties.
  absl::Status CheckSpan() {
    const Trace& t = out_->tables;
    if (t.event_count == 0) {
      out_->first_event_ns = t.capture_start_ns;
      out_->last_event_ns = t.capture_end_ns;
      return absl::OkStatus();
    }
    const std::string& first = t.Property("first_event_ns");
    const std::string& last = t.Property("last_event_ns");
    if (first.empty() || last.empty()) {
      return Scan(
          "the file does not record its event span (no first_event_ns/last_event_ns "
          "properties: an older writer, or a crash capture)");
    }
    if (!absl::SimpleAtoi(first, &out_->first_event_ns) ||
        !absl::SimpleAtoi(last, &out_->last_event_ns) ||
        out_->first_event_ns > out_->last_event_ns) {
      return Scan(absl::StrCat("damaged event span properties (first_event_ns \"", first,
                               "\", last_event_ns \"", last, "\")"));
    }
    return absl::OkStatus();
  }

  const int fd_;
  const uint64_t size_;
  const std::string& path_;
  const ReadOptions& options_;
  TraceSummary* out_;
  std::string scan_reason_;
  uint64_t bytes_read_ = 0;
};

// Decodes every block, streaming (memory O(largest block)), keeping only the
// tables, the counts and the event span.
absl::StatusOr<TraceSummary> ScanTrace(const std::string& path, const ReadOptions& options,
                                       std::string reason) {
  TraceSummary s;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  uint64_t blocks = 0;
  absl::StatusOr<Trace> t = StreamTrace(
      path,
      [&](const Trace&, uint32_t, const std::vector<Event>& events) {
        ++blocks;
        for (const Event& e : events) {
          lo = std::min(lo, e.ts_ns);
          hi = std::max(hi, e.ts_ns);
        }
      },
      options);
  if (!t.ok()) return t.status();
  s.tables = *std::move(t);
  if (lo > hi) {
    lo = s.tables.capture_start_ns;
    hi = s.tables.capture_end_ns;
  }
  s.first_event_ns = lo;
  s.last_event_ns = hi;
  s.event_blocks = blocks;
  s.source = SummarySource::kScan;
  s.scan_reason = std::move(reason);
  s.bytes_read = s.tables.file_bytes;
  return s;
}

}  // namespace

absl::StatusOr<TraceSummary> ReadTraceSummary(const std::string& path, const ReadOptions& options,
                                              SummaryMethod method) {
  if (method == SummaryMethod::kScan) return ScanTrace(path, options, "requested");
  const Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  struct stat st;
  if (fstat(fd.get(), &st) != 0)
    return absl::DataLossError(absl::StrCat(path, ": cannot stat file"));
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  TraceSummary summary;
  FooterWalker walker(fd.get(), static_cast<uint64_t>(st.st_size), path, options, &summary);
  if (absl::Status s = walker.Run(); !s.ok()) return s;
  if (!walker.scan_reason().empty()) return ScanTrace(path, options, walker.scan_reason());
  summary.source = SummarySource::kFooter;
  summary.bytes_read = walker.bytes_read();
  return summary;
}

const char* SummarySourceName(SummarySource source) {
  return source == SummarySource::kFooter ? "footer" : "scan";
}

}  // namespace tracelane::reader
