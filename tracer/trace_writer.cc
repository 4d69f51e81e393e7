#include "tracer/trace_writer.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "tracelane/capture.h"
#include "tracelane/trace.h"

namespace tracelane::internal {
namespace {

constexpr uint32_t kEventsPerBlock = 65536;

class ByteWriter {
 public:
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

class BlockSink {
 public:
  explicit BlockSink(std::ostream& out) : out_(out) {}

  void Write(format::BlockType type, const std::string& raw, bool compress) {
    std::string stored;
    uint16_t flags = 0;
    if (compress) {
      stored.resize(ZSTD_compressBound(raw.size()));
      const size_t n = ZSTD_compress(stored.data(), stored.size(), raw.data(), raw.size(), 3);
      if (!ZSTD_isError(n)) {
        stored.resize(n);
        flags = format::kBlockFlagZstd;
      }
    }
    if (flags == 0) stored = raw;
    format::BlockHeader h{};
    h.magic = format::kBlockMagic;
    h.type = static_cast<uint16_t>(type);
    h.flags = flags;
    h.stored_size = static_cast<uint32_t>(stored.size());
    h.raw_size = static_cast<uint32_t>(raw.size());
    h.payload_crc32 = crc32(0, reinterpret_cast<const Bytef*>(stored.data()), stored.size());
    h.header_crc32 = crc32(0, reinterpret_cast<const Bytef*>(&h), 20);
    out_.write(reinterpret_cast<const char*>(&h), sizeof(h));
    out_.write(stored.data(), static_cast<std::streamsize>(stored.size()));
    bytes_ += sizeof(h) + stored.size();
  }
  uint64_t bytes() const { return bytes_; }

 private:
  std::ostream& out_;
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
    auto [it, inserted] = locations_.try_emplace(payload, locs_.size());
    if (inserted) locs_.push_back(reinterpret_cast<const SourceLocation*>(payload));
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
};

// One decoded event ready to encode.
struct Pending {
  int64_t ns;
  uint8_t type;
  uint64_t payload;
  int64_t arg;
  bool has_arg;
};

// Flattens a thread's raw events (attaching arguments) and merges the extras.
std::vector<Pending> Flatten(const ThreadSnapshot& t, const Calibration& cal) {
  std::vector<Pending> out;
  out.reserve(t.events.size() + t.extra.size());
  for (const RawEvent& e : t.events) {
    const uint8_t type = static_cast<uint8_t>(e.word >> kTypeShift);
    if (type == kPadType) continue;
    if (type == kArgType) {
      if (!out.empty() && !out.back().has_arg) {
        out.back().arg = static_cast<int64_t>(e.ticks);
        out.back().has_arg = true;
      }
      continue;
    }
    out.push_back(Pending{cal.ToNs(e.ticks), type, e.word & kPayloadMask, 0, false});
  }
  if (!t.extra.empty()) {
    std::vector<Pending> extra;
    extra.reserve(t.extra.size());
    for (const ExtraEvent& e : t.extra) {
      extra.push_back(Pending{cal.ToNs(e.ticks), static_cast<uint8_t>(e.type), e.payload, e.arg,
                              e.has_arg});
    }
    std::vector<Pending> merged;
    merged.reserve(out.size() + extra.size());
    std::merge(out.begin(), out.end(), extra.begin(), extra.end(), std::back_inserter(merged),
               [](const Pending& a, const Pending& b) { return a.ns < b.ns; });
    out.swap(merged);
  }
  return out;
}

std::string ProcessName() {
  std::ifstream comm("/proc/self/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

}  // namespace

absl::Status EncodeTrace(const Snapshot& snap, std::ostream& out, WriteStats* stats) {
  const Calibration& cal = snap.calibration;
  // Events first (into memory) so the tables they need are known; the tables are
  // written to the file before the event blocks.
  Tables tables;
  std::vector<std::string> event_blocks;
  uint64_t total_events = 0, total_dropped = 0, total_overwritten = 0;
  int64_t first_ns = INT64_MAX;
  for (size_t ti = 0; ti < snap.threads.size(); ++ti) {
    const ThreadSnapshot& t = snap.threads[ti];
    total_dropped += t.dropped;
    total_overwritten += t.overwritten;
    std::vector<Pending> events = Flatten(t, cal);
    total_events += events.size();
    for (size_t start = 0; start < events.size(); start += kEventsPerBlock) {
      const size_t end = std::min(events.size(), start + kEventsPerBlock);
      ByteWriter w;
      w.U32(static_cast<uint32_t>(ti));
      w.U32(static_cast<uint32_t>(end - start));
      w.I64(events[start].ns);
      first_ns = std::min(first_ns, events[start].ns);
      int64_t prev = events[start].ns;
      for (size_t i = start; i < end; ++i) {
        const Pending& e = events[i];
        w.U8(static_cast<uint8_t>(e.type | (e.has_arg ? 0x80 : 0)));
        w.ZigZag(e.ns - prev);
        prev = e.ns;
        const auto type = static_cast<format::EventType>(e.type);
        w.Var(format::HasLocationPayload(type) ? tables.Location(e.payload) : e.payload);
        if (e.has_arg) w.ZigZag(e.arg);
      }
      event_blocks.push_back(std::move(w.buf()));
    }
  }

  format::FileHeader h{};
  std::memcpy(h.magic, format::kFileMagic, sizeof(h.magic));
  h.version = format::kFormatVersion;
  h.header_size = sizeof(h);
  h.realtime_anchor_ns = cal.realtime0_ns;
  h.monotonic_anchor_ns = cal.mono0_ns;
  h.tsc_hz = cal.Hz();
  h.clock_source = static_cast<uint32_t>(cal.tsc ? format::ClockSource::kTsc
                                                 : format::ClockSource::kClockMonotonic);
  h.pid = static_cast<uint32_t>(getpid());
  h.capture_start_ns = snap.begin_ticks != 0 ? cal.ToNs(snap.begin_ticks)
                                             : (first_ns == INT64_MAX ? 0 : first_ns);
  h.capture_end_ns = cal.ToNs(snap.end_ticks);
  h.header_crc32 = crc32(0, reinterpret_cast<const Bytef*>(&h), 68);
  out.write(reinterpret_cast<const char*>(&h), sizeof(h));

  BlockSink sink(out);
  {
    ByteWriter w;
    std::vector<std::pair<std::string, std::string>> props = {
        {"process_name", ProcessName()},
        {"recorder", "tracelane 0.1.0"},
        {"lost_recycled_threads", absl::StrCat(snap.lost_recycled)},
        {"lost_after_exit", absl::StrCat(snap.lost_after_exit)},
    };
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
  for (const std::string& b : event_blocks) sink.Write(format::BlockType::kEvents, b, true);
  {
    ByteWriter w;
    w.I64(static_cast<int64_t>(event_blocks.size()));
    w.I64(static_cast<int64_t>(total_events));
    w.I64(static_cast<int64_t>(total_dropped));
    w.I64(static_cast<int64_t>(total_overwritten + snap.lost_recycled + snap.lost_after_exit));
    w.U32(static_cast<uint32_t>(snap.threads.size()));
    sink.Write(format::BlockType::kFooter, w.buf(), false);
  }
  out.flush();
  if (!out) return absl::DataLossError("tracelane: writing the trace failed (stream error)");
  if (stats != nullptr) {
    stats->events = total_events;
    stats->bytes = sizeof(h) + sink.bytes();
  }
  return absl::OkStatus();
}

}  // namespace tracelane::internal

namespace tracelane {

absl::Status WriteTrace(std::ostream& out) {
  return internal::EncodeTrace(internal::TakeSnapshot(), out);
}

absl::Status WriteTrace(const std::string& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return absl::NotFoundError(absl::StrCat(path, ": cannot open for writing"));
  absl::Status s = WriteTrace(f);
  f.close();
  if (!s.ok()) return absl::DataLossError(absl::StrCat(path, ": ", s.message()));
  if (!f) return absl::DataLossError(absl::StrCat(path, ": write failed"));
  return absl::OkStatus();
}

}  // namespace tracelane
