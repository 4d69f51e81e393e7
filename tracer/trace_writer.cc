#include "tracer/trace_writer.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "tracelane/capture.h"
#include "tracelane/trace.h"
#include "tracer/area_gaps.h"
#include "tracer/file_headers.h"

namespace tracelane::internal {
namespace {

constexpr uint32_t kEventsPerBlock = 65536;

class ByteWriter {
 public:
  ByteWriter() = default;
  // Writes into `buf` (cleared), reusing its capacity.
  explicit ByteWriter(std::string buf) : buf_(std::move(buf)) { buf_.clear(); }
  void U8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void Raw(const void* p, size_t n) { buf_.append(static_cast<const char*>(p), n); }
  void U32(uint32_t v) { Raw(&v, 4); }
  void I64(int64_t v) { Raw(&v, 8); }
  void Var(uint64_t v) {
    while (v >= 0x80) {
      U8(static_cast<uint8_t>(v) | 0x80);
      v >>= 7;
    }
    U8(static_cast<uint8_t>(v));
  }
  void ZigZag(int64_t v) { Var((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void Str(std::string_view s) {
    Var(s.size());
    Raw(s.data(), s.size());
  }
  std::string& buf() { return buf_; }

 private:
  std::string buf_;
};

// One block ready to write: payload already compressed (or not) and checksummed.
struct StoredBlock {
  format::BlockType type;
  uint16_t flags;
  uint32_t raw_size;
  uint32_t crc;
  std::string stored;
};

// Stores blocks, compressed with zstd (level 3) when asked and when it helps. One
// zstd context and one output buffer serve every block, so a block costs its
// compression and an exact-size copy: no per-block context set-up and no
// worst-case-sized allocation (each would touch megabytes of fresh pages).
class BlockCompressor {
 public:
  BlockCompressor() : cctx_(ZSTD_createCCtx()) {}
  ~BlockCompressor() { ZSTD_freeCCtx(cctx_); }
  BlockCompressor(const BlockCompressor&) = delete;
  BlockCompressor& operator=(const BlockCompressor&) = delete;

  StoredBlock Store(format::BlockType type, const std::string& raw, bool compress) {
    StoredBlock b{type, 0, static_cast<uint32_t>(raw.size()), 0, {}};
    if (compress && cctx_ != nullptr) {
      const size_t bound = ZSTD_compressBound(raw.size());
      if (out_.size() < bound) out_.resize(bound);
      const size_t n =
          ZSTD_compressCCtx(cctx_, out_.data(), out_.size(), raw.data(), raw.size(), 3);
      if (!ZSTD_isError(n)) {
        b.stored.assign(out_.data(), n);
        b.flags = format::kBlockFlagZstd;
      }
    }
    if (b.flags == 0) b.stored = raw;
    b.crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(b.stored.data()), b.stored.size()));
    return b;
  }

 private:
  ZSTD_CCtx* cctx_;
  std::string out_;
};

class BlockSink {
 public:
  BlockSink(std::ostream& out, BlockCompressor& compressor) : out_(out), compressor_(compressor) {}

  void Write(format::BlockType type, const std::string& raw, bool compress) {
    Write(compressor_.Store(type, raw, compress));
  }
  void Write(const StoredBlock& b) {
    const format::BlockHeader h =
        MakeBlockHeader(b.type, b.flags, static_cast<uint32_t>(b.stored.size()), b.raw_size, b.crc);
    out_.write(reinterpret_cast<const char*>(&h), sizeof(h));
    out_.write(b.stored.data(), static_cast<std::streamsize>(b.stored.size()));
    bytes_ += sizeof(h) + b.stored.size();
  }
  uint64_t bytes() const { return bytes_; }

 private:
  std::ostream& out_;
  BlockCompressor& compressor_;
  uint64_t bytes_ = 0;
};

// String and source-location tables built while encoding events.
class Tables {
 public:
  uint32_t String(std::string_view s) {
    auto [it, inserted] = strings_.try_emplace(std::string(s), order_.size());
    if (inserted) order_.push_back(std::string(s));
    return it->second;
  }
  uint32_t Location(uint64_t payload) {
    // A few hot call sites make most events: a direct-mapped cache in front of the
    // hash map saves a lookup per event.
    CacheEntry& c = cache_[(payload >> 4) & (kCacheSize - 1)];
    if (c.payload == payload && payload != 0) return c.index;
    auto [it, inserted] = locations_.try_emplace(payload, locs_.size());
    if (inserted) locs_.push_back(reinterpret_cast<const SourceLocation*>(payload));
    c = CacheEntry{payload, it->second};
    return it->second;
  }
  std::string EncodeStrings() {
    for (const SourceLocation* l : locs_) {  // make sure every location's strings exist
      String(l->name);
      String(l->function);
      String(l->file);
    }
    ByteWriter w;
    w.Var(order_.size());
    for (const std::string& s : order_) w.Str(s);
    return std::move(w.buf());
  }
  std::string EncodeLocations() {
    ByteWriter w;
    w.Var(locs_.size());
    for (const SourceLocation* l : locs_) {
      w.Var(String(l->name));
      w.Var(String(l->function));
      w.Var(String(l->file));
      w.Var(l->line);
    }
    return std::move(w.buf());
  }

 private:
  absl::flat_hash_map<std::string, uint32_t> strings_;
  std::vector<std::string> order_;
  absl::flat_hash_map<uint64_t, uint32_t> locations_;
  std::vector<const SourceLocation*> locs_;
  struct CacheEntry {
    uint64_t payload = 0;
    uint32_t index = 0;
  };
  static constexpr size_t kCacheSize = 256;
  CacheEntry cache_[kCacheSize];
};

// Unchecked varint / zigzag writers for the event loop (the caller sized the
// buffer). Same encoding as ByteWriter::Var / ZigZag.
inline char* PutVar(char* out, uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<char>(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
}
inline char* PutZigZag(char* out, int64_t v) {
  return PutVar(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

// One decoded event ready to encode.
struct Pending {
  int64_t ns;
  uint8_t type;
  uint64_t payload;
  int64_t arg;
  bool has_arg;
};

// Calibration::ToNs without a 128-bit division per event (the division dominated
// encoding). Exact: the reciprocal estimate is corrected to the true floor, so the
// result equals cal.ToNs(ticks) for every input.
class NsConverter {
 public:
  explicit NsConverter(const Calibration& cal) : cal_(cal) {
    const int64_t m = cal.mono1_ns - cal.mono0_ns;
    const uint64_t d = cal.ticks1 - cal.ticks0;
    if (m > 0 && d > 0 && static_cast<uint64_t>(m) < d) {  // tick rate above 1 GHz
      m_ = static_cast<uint64_t>(m);
      d_ = d;
      q_ = static_cast<uint64_t>((static_cast<unsigned __int128>(m_) << 64) / d_);
      fast_ = true;
    }
  }
  int64_t operator()(uint64_t ticks) const {
    const int64_t sdt = static_cast<int64_t>(ticks - cal_.ticks0);
    if (!fast_ || sdt < 0) return cal_.ToNs(ticks);
    const uint64_t dt = static_cast<uint64_t>(sdt);
    // q_ <= 2^64 m/d < q_ + 1, so c is floor(dt m / d) or at most two below it.
    uint64_t c = static_cast<uint64_t>((static_cast<unsigned __int128>(dt) * q_) >> 64);
    const unsigned __int128 target = static_cast<unsigned __int128>(dt) * m_;
    while (static_cast<unsigned __int128>(c + 1) * d_ <= target) ++c;
    return cal_.mono0_ns + static_cast<int64_t>(c);
  }

 private:
  const Calibration& cal_;
  uint64_t m_ = 0, d_ = 1, q_ = 0;
  bool fast_ = false;
};

// A thread's position across AddEvents calls: its area cursor (loss
// detection) and its last own event (where a gap begins).
struct StreamPosition {
  AreaCursor areas;
  int64_t last_own_ns = INT64_MIN;
};

// Yields a thread's events in order, attaching argument slots and merging the
// extras by time, a block at a time (no per-thread copy of the whole buffer).
// Where the thread's chunks show a loss (AreaMark gaps), a kDataLost record goes
// right before the first event after the gap, and extras strictly inside the gap
// are left out, so the record's previous event is the last one before the gap.
class EventStream {
 public:
  EventStream(const ThreadSnapshot& t, const NsConverter& ns, StreamPosition& cursor)
      : t_(t), ns_(ns), cursor_(cursor) {
    cursor_.areas.StartAt(t.first_area);  // the thread's first events in this file
    extra_.reserve(t.extra.size());
    for (const ExtraEvent& e : t.extra) {
      extra_.push_back(
          Pending{ns(e.ticks), static_cast<uint8_t>(e.type), e.payload, e.arg, e.has_arg});
    }
  }
  // Replaces `*out` with up to `max` next events; false when none are left.
  bool Next(size_t max, std::vector<Pending>* out) {
    out->clear();
    while (out->size() < max) {
      if (!have_raw_) LoadRaw();
      const bool raw_left = have_raw_;
      const bool extra_left = xi_ < extra_.size();
      if (!raw_left && !extra_left) break;
      if (raw_left && have_loss_) {
        if (extra_left && extra_[xi_].ns < raw_.ns) {
          if (extra_[xi_].ns <= gap_start_ns_) out->push_back(extra_[xi_]);
          ++xi_;  // inside the gap: left out
          continue;
        }
        out->push_back(loss_);
        have_loss_ = false;
        continue;
      }
      // Ties go to the thread's own event first (as std::merge did).
      if (raw_left && (!extra_left || !(extra_[xi_].ns < raw_.ns))) {
        out->push_back(raw_);
        cursor_.last_own_ns = raw_.ns;
        have_raw_ = false;
      } else {
        out->push_back(extra_[xi_++]);
      }
    }
    return !out->empty();
  }

 private:
  // Takes the marks of the chunks that begin at or before slot `upto`.
  void TakeMarks(size_t upto) {
    const std::vector<AreaMark>& areas = t_.areas;
    for (; ai_ < areas.size() && areas[ai_].offset <= upto; ++ai_) {
      cursor_.areas.Advance(areas[ai_].area_seq, areas[ai_].events_before, areas[ai_].events);
    }
  }

  void LoadRaw() {
    const std::vector<RawEvent>& ev = t_.events;
    while (ri_ < ev.size()) {
      TakeMarks(ri_);
      const RawEvent& e = ev[ri_++];
      const uint8_t type = static_cast<uint8_t>(e.word >> kTypeShift);
      if (type == kPadType || type == kArgType) continue;  // orphan arguments are dropped
      raw_ = Pending{ns_(e.ticks), type, e.word & kPayloadMask, 0, false};
      if (ri_ < ev.size() && static_cast<uint8_t>(ev[ri_].word >> kTypeShift) == kArgType) {
        raw_.arg = static_cast<int64_t>(ev[ri_++].ticks);
        raw_.has_arg = true;
      }
      have_raw_ = true;
      AreaCursor& a = cursor_.areas;
      if (a.loss_pending) {
        loss_ = Pending{raw_.ns, static_cast<uint8_t>(format::EventType::kDataLost), a.lost_areas,
                        static_cast<int64_t>(a.lost_events), a.lost_events_known};
        gap_start_ns_ = cursor_.last_own_ns;
        have_loss_ = true;
        a.ClearLoss();
      }
      return;
    }
    // Chunks with no events left: their place in the sequence still counts (a
    // loss found here is written before the thread's next event, in a later call).
    TakeMarks(SIZE_MAX);
  }

  const ThreadSnapshot& t_;
  const NsConverter& ns_;
  StreamPosition& cursor_;
  std::vector<Pending> extra_;
  size_t ri_ = 0, xi_ = 0, ai_ = 0;
  Pending raw_{};
  bool have_raw_ = false;
  Pending loss_{};
  bool have_loss_ = false;
  int64_t gap_start_ns_ = INT64_MIN;
};

std::string ProcessName() {
  std::ifstream comm("/proc/self/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

}  // namespace

struct TraceEncoder::Impl {
  explicit Impl(const Calibration& c) : cal(c), ns(cal) { events.reserve(kEventsPerBlock); }
  Calibration cal;
  NsConverter ns;
  Tables tables;
  BlockCompressor compressor;
  std::vector<StoredBlock> blocks;
  std::vector<Pending> events;  // one block's worth, reused
  std::string raw;              // one block's encoding, reused
  // Each thread's position (by thread index), kept across AddEvents calls.
  std::vector<StreamPosition> positions;
  uint64_t total_events = 0;
  uint64_t stored_bytes = 0;
  int64_t first_ns = INT64_MAX;  // earliest first event of a block (capture_start_ns)
  int64_t min_ns = INT64_MAX;    // earliest and latest event of all: the
  int64_t max_ns = INT64_MIN;    // first_event_ns / last_event_ns properties
};

TraceEncoder::TraceEncoder(const Calibration& cal) : impl_(std::make_unique<Impl>(cal)) {}
TraceEncoder::~TraceEncoder() = default;

uint64_t TraceEncoder::events() const { return impl_->total_events; }
uint64_t TraceEncoder::stored_bytes() const { return impl_->stored_bytes; }

void TraceEncoder::AddEvents(uint32_t ti, const ThreadSnapshot& t) {
  Impl& m = *impl_;
  std::vector<Pending>& events = m.events;
  if (m.positions.size() <= ti) m.positions.resize(ti + 1);
  EventStream stream(t, m.ns, m.positions[ti]);
  while (stream.Next(kEventsPerBlock, &events)) {
    m.total_events += events.size();
    ByteWriter w(std::move(m.raw));
    w.U32(ti);
    w.U32(static_cast<uint32_t>(events.size()));
    w.I64(events.front().ns);
    m.first_ns = std::min(m.first_ns, events.front().ns);
    // Events go straight into a buffer sized for the worst case (1 + 3 x 10
    // bytes each), through a raw pointer: this loop is most of the encode time.
    std::string& buf = w.buf();
    const size_t header = buf.size();
    buf.resize(header + events.size() * 31);
    char* out = buf.data() + header;
    int64_t prev = events.front().ns;
    int64_t lo = m.min_ns, hi = m.max_ns;
    for (const Pending& e : events) {
      *out++ = static_cast<char>(e.type | (e.has_arg ? 0x80 : 0));
      out = PutZigZag(out, e.ns - prev);
      prev = e.ns;
      lo = std::min(lo, e.ns);
      hi = std::max(hi, e.ns);
      const auto type = static_cast<format::EventType>(e.type);
      out =
          PutVar(out, format::HasLocationPayload(type) ? m.tables.Location(e.payload) : e.payload);
      if (e.has_arg) out = PutZigZag(out, e.arg);
    }
    buf.resize(static_cast<size_t>(out - buf.data()));
    m.min_ns = lo;
    m.max_ns = hi;
    m.blocks.push_back(m.compressor.Store(format::BlockType::kEvents, buf, true));
    m.stored_bytes += m.blocks.back().stored.size();
    m.raw = std::move(buf);
  }
}

void TraceEncoder::AddTrailingLosses(const Snapshot& meta) {
  Impl& m = *impl_;
  for (uint32_t ti = 0; ti < meta.threads.size() && ti < m.positions.size(); ++ti) {
    const ThreadSnapshot& t = meta.threads[ti];
    AreaCursor& a = m.positions[ti].areas;
    if (t.last_area == 0 || !a.started) continue;
    // The exit is where the thread's next area would have begun.
    if (!a.Advance(t.last_area + 1, t.emitted, 0)) continue;
    ThreadSnapshot tail;
    tail.extra.push_back(ExtraEvent{t.exit_ticks != 0 ? t.exit_ticks : meta.end_ticks,
                                    format::EventType::kDataLost, a.lost_areas,
                                    static_cast<int64_t>(a.lost_events), a.lost_events_known});
    a.ClearLoss();
    AddEvents(ti, tail);
  }
}

absl::Status TraceEncoder::Finish(const Snapshot& snap, std::ostream& out, WriteStats* stats) {
  Impl& m = *impl_;
  AddTrailingLosses(snap);
  const Calibration& cal = m.cal;
  Tables& tables = m.tables;
  uint64_t total_dropped = 0, total_overwritten = 0;
  for (const ThreadSnapshot& t : snap.threads) {
    total_dropped += t.dropped;
    total_overwritten += t.overwritten;
  }
  const int64_t first_ns = m.first_ns;
  const format::FileHeader h = MakeFileHeader(
      cal,
      snap.begin_ticks != 0 ? cal.ToNs(snap.begin_ticks) : (first_ns == INT64_MAX ? 0 : first_ns),
      cal.ToNs(snap.end_ticks));
  out.write(reinterpret_cast<const char*>(&h), sizeof(h));

  BlockSink sink(out, m.compressor);
  {
    ByteWriter w;
    std::vector<std::pair<std::string, std::string>> props = {
        {"process_name", ProcessName()},
        {"recorder", "tracelane 0.1.0"},
        {"lost_recycled_threads", absl::StrCat(snap.lost_recycled)},
        {"lost_after_exit", absl::StrCat(snap.lost_after_exit)},
    };
    if (m.total_events > 0) {  // lets readers give the event span without decoding events
      props.emplace_back("first_event_ns", absl::StrCat(m.min_ns));
      props.emplace_back("last_event_ns", absl::StrCat(m.max_ns));
    }
    bool has_sched = false;
    for (const auto& p : snap.properties) {
      props.push_back(p);
      has_sched |= p.first == "scheduler_source";
    }
    if (!has_sched) props.emplace_back("scheduler_source", "none");
    w.Var(props.size());
    for (const auto& [k, v] : props) {
      w.Str(k);
      w.Str(v);
    }
    sink.Write(format::BlockType::kProperties, w.buf(), true);
  }
  // Object names go through the string table too.
  std::vector<uint32_t> object_name_ids;
  for (const ObjectName& o : snap.objects) object_name_ids.push_back(tables.String(o.name));
  std::vector<uint32_t> thread_name_ids;
  for (const ThreadSnapshot& t : snap.threads) thread_name_ids.push_back(tables.String(t.name));
  std::string locations = tables.EncodeLocations();
  sink.Write(format::BlockType::kStrings, tables.EncodeStrings(), true);
  sink.Write(format::BlockType::kLocations, locations, true);
  {
    ByteWriter w;
    w.Var(snap.threads.size());
    for (size_t i = 0; i < snap.threads.size(); ++i) {
      const ThreadSnapshot& t = snap.threads[i];
      w.ZigZag(t.tid);
      w.Var(thread_name_ids[i]);
      w.Var(t.dropped);
      w.Var(t.overwritten);
      w.U8(t.alive ? 0 : 1);  // flags: bit 0 = exited
      w.ZigZag(t.start_ticks ? cal.ToNs(t.start_ticks) : 0);
      w.ZigZag(t.exit_ticks ? cal.ToNs(t.exit_ticks) : 0);
    }
    sink.Write(format::BlockType::kThreads, w.buf(), true);
  }
  {
    ByteWriter w;
    w.Var(snap.objects.size());
    for (size_t i = 0; i < snap.objects.size(); ++i) {
      w.U8(static_cast<uint8_t>(snap.objects[i].kind));
      w.Var(snap.objects[i].id);
      w.Var(object_name_ids[i]);
    }
    sink.Write(format::BlockType::kObjects, w.buf(), true);
  }
  for (const StoredBlock& b : m.blocks) sink.Write(b);
  {
    ByteWriter w;
    w.I64(static_cast<int64_t>(m.blocks.size()));
    w.I64(static_cast<int64_t>(m.total_events));
    w.I64(static_cast<int64_t>(total_dropped));
    w.I64(static_cast<int64_t>(total_overwritten + snap.lost_recycled + snap.lost_after_exit));
    w.U32(static_cast<uint32_t>(snap.threads.size()));
    sink.Write(format::BlockType::kFooter, w.buf(), false);
  }
  out.flush();
  if (!out) return absl::DataLossError("tracelane: writing the trace failed (stream error)");
  if (stats != nullptr) {
    stats->events = m.total_events;
    stats->bytes = sizeof(h) + sink.bytes();
  }
  return absl::OkStatus();
}

absl::Status EncodeTrace(const Snapshot& snap, std::ostream& out, WriteStats* stats) {
  // Events first (into memory, compressed) so the tables they need are known; the
  // tables are written to the file before the event blocks.
  TraceEncoder encoder(snap.calibration);
  for (size_t ti = 0; ti < snap.threads.size(); ++ti) {
    encoder.AddEvents(static_cast<uint32_t>(ti), snap.threads[ti]);
  }
  return encoder.Finish(snap, out, stats);
}

absl::StatusOr<std::string> EncodeTraceToString(const Snapshot& snap, WriteStats* stats) {
  std::ostringstream out(std::ios::binary);
  if (absl::Status s = EncodeTrace(snap, out, stats); !s.ok()) return s;
  return std::move(out).str();
}

}  // namespace tracelane::internal

namespace tracelane {

absl::Status WriteTrace(std::ostream& out) {
  return internal::EncodeTrace(internal::TakeSnapshot(), out);
}

absl::Status WriteTrace(const std::string& path) {
  errno = 0;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open for writing (", std::strerror(errno), ")"));
  }
  errno = 0;
  absl::Status s = WriteTrace(f);
  f.close();
  if (s.ok() && f) return absl::OkStatus();
  // Disk full, file size limit, I/O error: say why, and leave no partial trace.
  const int err = errno;
  std::remove(path.c_str());
  return absl::DataLossError(absl::StrCat(path, ": write failed (",
                                          err != 0 ? std::strerror(err) : s.message(),
                                          "); the partial file was removed"));
}

}  // namespace tracelane
