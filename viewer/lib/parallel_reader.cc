#include "viewer/lib/parallel_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "viewer/lib/block_codec.h"
#include "viewer/lib/parallel.h"

namespace tracelane::reader {
namespace {

using format::BlockHeader;
using format::BlockType;

// One step of the file in order: an event block to decode, a problem found while
// walking (or while decoding a table), or the footer (checked against the events
// decoded before it when its turn comes).
struct Item {
  enum class Kind : uint8_t { kEvents, kProblem, kFooter };
  Kind kind;
  uint64_t offset;  // of the block (or of the problem)
  uint64_t end;     // file bytes consumed once this item is handled
  // kEvents: the stored payload and its header, and the table sizes when the block
  // was reached (what the serial reader validates it against).
  std::string_view stored;
  BlockHeader header;
  uint32_t threads = 0;
  uint32_t locations = 0;
  int64_t footer_events = 0;  // kFooter
  std::string problem;        // kProblem: the whole message
};

// A decoded event block waiting to be handed over.
struct Decoded {
  absl::Status status;
  uint32_t thread = 0;
  std::vector<Event> events;
};

class ParallelParser {
 public:
  ParallelParser(std::string_view bytes, const std::string& name, const ReadOptions& options,
                 const TablesFn& on_tables, const EventBlockFn& on_events,
                 std::function<void(uint64_t)> release)
      : bytes_(bytes),
        name_(name),
        options_(options),
        on_tables_(on_tables),
        on_events_(on_events),
        release_(std::move(release)) {}

  absl::StatusOr<Trace> Run() {
    trace_.path = name_;
    trace_.file_bytes = bytes_.size();
    bool crc_ok = true;
    if (absl::Status s = internal::DecodeFileHeader(bytes_, name_, &trace_, &crc_ok); !s.ok()) {
      return s;
    }
    if (!crc_ok) AddProblem(0, 0, "file header checksum mismatch");
    if (absl::Status s = Walk(); !s.ok()) return s;
    if (on_tables_) on_tables_(trace_);
    const int workers = ResolveWorkers(options_.workers);
    max_in_flight_ = options_.max_blocks_in_flight > 0 ? options_.max_blocks_in_flight
                                                       : std::max(4, 2 * workers);
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].kind == Item::Kind::kEvents) event_items_.push_back(i);
    }
    results_.resize(event_items_.size());
    pending_.resize(trace_.threads.size());
    busy_.assign(trace_.threads.size(), false);
    RunWorkers(workers, [this](int) { Work(); });
    if (!status_.ok()) return status_;
    if (options_.progress) options_.progress(bytes_.size(), bytes_.size());
    trace_.warnings.insert(trace_.warnings.end(), warnings_.begin(), warnings_.end());
    trace_.event_count = event_count_;
    internal::SumLosses(&trace_);
    trace_.complete = saw_footer_ && trace_.warnings.empty();
    return std::move(trace_);
  }

 private:
  std::string Message(uint64_t offset, absl::string_view what) const {
    return absl::StrCat(name_, ": offset ", offset, ": ", what);
  }
  void AddProblem(uint64_t offset, uint64_t end, absl::string_view what) {
    Item it{};
    it.kind = Item::Kind::kProblem;
    it.offset = offset;
    it.end = end;
    it.problem = Message(offset, what);
    items_.push_back(std::move(it));
  }

  // Finds the next offset at or after `from` holding a valid block header.
  uint64_t Resync(uint64_t from) const {
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

  // Walks the blocks in file order as the serial reader does, decoding the tables
  // and the footer and listing the event blocks; every problem becomes an item in
  // its place. A strict read walks no further than the first problem: the items
  // after it are never reached.
  absl::Status Walk() {
    uint64_t off = sizeof(format::FileHeader);
    const auto stop = [&] {
      return !options_.salvage && !items_.empty() && items_.back().kind == Item::Kind::kProblem;
    };
    while (off < bytes_.size() && !stop()) {
      if (options_.cancelled && options_.cancelled()) {
        return absl::CancelledError(absl::StrCat(name_, ": loading cancelled"));
      }
      if (saw_footer_) {
        AddProblem(off, bytes_.size(), "data after the footer block");
        break;
      }
      if (bytes_.size() - off < sizeof(BlockHeader)) {
        AddProblem(off, bytes_.size(), "truncated block header");
        break;
      }
      BlockHeader h;
      std::memcpy(&h, bytes_.data() + off, sizeof(h));
      if (!internal::ValidBlockHeader(h)) {
        const uint64_t next = options_.salvage ? Resync(off + 1) : 0;
        AddProblem(off, next, "corrupt block header");
        if (next == 0) break;
        absl::StrAppend(&items_.back().problem, " (resumed at offset ", next, ")");
        off = next;
        continue;
      }
      const uint64_t payload_off = off + sizeof(BlockHeader);
      if (bytes_.size() - payload_off < h.stored_size) {
        AddProblem(off, bytes_.size(),
                   absl::StrCat("truncated block: payload needs ", h.stored_size,
                                " bytes, file has ", bytes_.size() - payload_off));
        break;
      }
      const std::string_view stored = bytes_.substr(payload_off, h.stored_size);
      const uint64_t block_off = off;
      off = payload_off + h.stored_size;
      const auto type = static_cast<BlockType>(h.type);
      if (type == BlockType::kEvents) {
        Item it{};
        it.kind = Item::Kind::kEvents;
        it.offset = block_off;
        it.end = off;
        it.stored = stored;
        it.header = h;
        it.threads = static_cast<uint32_t>(trace_.threads.size());
        it.locations = static_cast<uint32_t>(trace_.locations.size());
        items_.push_back(std::move(it));
        continue;
      }
      std::string raw;
      if (absl::Status u = internal::UnpackPayload(h, stored, &raw); !u.ok()) {
        AddProblem(block_off, off, u.message());
        continue;
      }
      if (type == BlockType::kFooter) {
        internal::Footer f;
        if (absl::Status s = internal::DecodeFooter(raw, &f); !s.ok()) {
          AddProblem(block_off, off, s.message());
          continue;
        }
        saw_footer_ = true;
        Item it{};
        it.kind = Item::Kind::kFooter;
        it.offset = block_off;
        it.end = off;
        it.footer_events = f.events;
        items_.push_back(std::move(it));
        continue;
      }
      if (absl::Status s = internal::DecodeTableBlock(type, raw, &trace_, &tables_seen_); !s.ok()) {
        AddProblem(block_off, off, s.message());
      }
    }
    if (!saw_footer_ && !stop()) {
      AddProblem(bytes_.size(), bytes_.size(), "file ends without a footer block (truncated)");
    }
    return absl::OkStatus();
  }

  // An error in strict mode (ends the read); a warning in salvage mode.
  void Problem(std::string message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!options_.salvage) {
      Fail(absl::DataLossError(std::move(message)));
      return;
    }
    warnings_.push_back(std::move(message));
  }
  void Fail(absl::Status s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (status_.ok()) status_ = std::move(s);
    stop_ = true;
  }

  // Hands over, in file order, every item whose turn has come: problems are
  // reported, decoded blocks queued for their thread, the footer checked.
  void Advance() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const uint64_t before = seq_;
    while (seq_ < items_.size() && !stop_) {
      const Item& it = items_[seq_];
      if (it.kind == Item::Kind::kProblem) {
        Problem(it.problem);
      } else if (it.kind == Item::Kind::kFooter) {
        if (static_cast<uint64_t>(it.footer_events) != event_count_ && warnings_.empty()) {
          Problem(Message(it.offset, absl::StrCat("footer counts ", it.footer_events,
                                                  " events, blocks hold ", event_count_)));
        }
      } else {
        std::unique_ptr<Decoded>& d = results_[next_result_];
        if (d == nullptr) break;  // still being decoded
        ++next_result_;
        if (d->status.ok() && d->thread >= pending_.size()) {
          // Valid when met, but a later thread table (a damaged file has two) is
          // shorter: the thread no longer exists.
          d->status =
              absl::DataLossError(absl::StrCat("event block for unknown thread ", d->thread));
        }
        if (!d->status.ok()) {
          Problem(Message(it.offset, d->status.message()));
          Recycle(std::move(d));
          --in_flight_;
        } else {
          event_count_ += d->events.size();
          const uint32_t t = d->thread;
          pending_[t].push_back(std::move(d));
          if (!busy_[t] && pending_[t].size() == 1) ready_.push_back(t);
        }
      }
      if (stop_) break;
      done_bytes_ = std::max(done_bytes_, it.end);
      ++seq_;
    }
    if (seq_ == before || stop_) return;
    if (options_.progress) options_.progress(done_bytes_, bytes_.size());
    // Everything before the next item is decoded: its pages are no longer needed.
    if (release_) release_(seq_ < items_.size() ? items_[seq_].offset : bytes_.size());
  }

  void Recycle(std::unique_ptr<Decoded> d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (spare_.size() < static_cast<size_t>(max_in_flight_)) {
      d->status = absl::OkStatus();
      spare_.push_back(std::move(d));
    }
  }

  bool Finished() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return seq_ == items_.size() && in_flight_ == 0;
  }

  // One worker: hand over what is ready, else apply a ready thread's blocks, else
  // decode the next block, else wait.
  void Work() {
    std::string raw;  // this worker's decompression buffer
    absl::MutexLock lock(&mu_);
    while (true) {
      if (!stop_ && options_.cancelled && options_.cancelled()) {
        Fail(absl::CancelledError(absl::StrCat(name_, ": loading cancelled")));
      }
      if (stop_) break;
      Advance();
      if (stop_) break;
      if (!ready_.empty()) {
        const uint32_t t = ready_.front();
        ready_.pop_front();
        busy_[t] = true;
        std::deque<std::unique_ptr<Decoded>> batch;
        batch.swap(pending_[t]);
        mu_.Unlock();
        for (const std::unique_ptr<Decoded>& d : batch) on_events_(trace_, t, d->events);
        mu_.Lock();
        in_flight_ -= static_cast<int>(batch.size());
        for (std::unique_ptr<Decoded>& d : batch) Recycle(std::move(d));
        busy_[t] = false;
        if (!pending_[t].empty()) ready_.push_back(t);
        cv_.SignalAll();
        continue;
      }
      if (next_claim_ < event_items_.size() && in_flight_ < max_in_flight_) {
        const size_t j = next_claim_++;
        ++in_flight_;
        std::unique_ptr<Decoded> d;
        if (!spare_.empty()) {
          d = std::move(spare_.back());
          spare_.pop_back();
        } else {
          d = std::make_unique<Decoded>();
        }
        mu_.Unlock();
        Decode(items_[event_items_[j]], &raw, d.get());
        mu_.Lock();
        results_[j] = std::move(d);
        cv_.SignalAll();
        continue;
      }
      if (Finished()) break;
      cv_.Wait(&mu_);
    }
    cv_.SignalAll();  // the others may be waiting for work that will never come
  }

  void Decode(const Item& it, std::string* raw, Decoded* d) const {
    d->status = internal::UnpackPayload(it.header, it.stored, raw);
    if (!d->status.ok()) return;
    d->status = internal::DecodeEventBlock(*raw, trace_.version, it.threads, it.locations,
                                           &d->thread, &d->events);
  }

  std::string_view bytes_;
  uint32_t tables_seen_ = 0;  // DecodeTableBlock's `seen`
  std::string name_;
  const ReadOptions& options_;
  const TablesFn& on_tables_;
  const EventBlockFn& on_events_;
  std::function<void(uint64_t)> release_;
  Trace trace_;
  bool saw_footer_ = false;
  std::vector<Item> items_;          // the file in order (immutable once walked)
  std::vector<size_t> event_items_;  // indices of the kEvents items
  int max_in_flight_ = 4;

  absl::Mutex mu_;
  absl::CondVar cv_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  size_t next_claim_ ABSL_GUARDED_BY(mu_) = 0;   // next event item to decode
  size_t next_result_ ABSL_GUARDED_BY(mu_) = 0;  // next event item to hand over
  size_t seq_ ABSL_GUARDED_BY(mu_) = 0;          // next item to hand over
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;       // claimed and not yet consumed
  std::vector<std::unique_ptr<Decoded>> results_ ABSL_GUARDED_BY(mu_);
  std::vector<std::deque<std::unique_ptr<Decoded>>> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> busy_ ABSL_GUARDED_BY(mu_);
  std::deque<uint32_t> ready_ ABSL_GUARDED_BY(mu_);  // threads with pending blocks, not busy
  std::vector<std::unique_ptr<Decoded>> spare_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> warnings_ ABSL_GUARDED_BY(mu_);
  uint64_t event_count_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t done_bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

absl::StatusOr<Trace> ParallelStreamParseTrace(std::string_view bytes, const std::string& name,
                                               const TablesFn& on_tables,
                                               const EventBlockFn& on_events,
                                               const ReadOptions& options) {
  return ParallelParser(bytes, name, options, on_tables, on_events, nullptr).Run();
}

absl::StatusOr<Trace> ParallelStreamTrace(const std::string& path, const TablesFn& on_tables,
                                          const EventBlockFn& on_events,
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
    return ParallelStreamParseTrace(std::string_view(), path, on_tables, on_events, options);
  }
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return absl::DataLossError(absl::StrCat(path, ": cannot map file"));
  // Drop the pages already decoded so resident memory stays O(blocks in flight).
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  uint64_t released = 0;
  const auto release = [&](uint64_t upto) {
    upto = upto / page * page;
    if (upto > released + (8u << 20)) {
      madvise(static_cast<char*>(map) + released, upto - released, MADV_DONTNEED);
      released = upto;
    }
  };
  absl::StatusOr<Trace> t = ParallelParser(std::string_view(static_cast<const char*>(map), size),
                                           path, options, on_tables, on_events, release)
                                .Run();
  munmap(map, size);
  return t;
}

}  // namespace tracelane::reader
