#include "tracer/capture/crash_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "tracelane/format.h"
#include "tracelane/trace.h"
#include "tracer/file_headers.h"
#include "tracer/recorder_state.h"

// Everything reachable from CrashWriter::Write must stay async-signal-safe: no
// allocation, no stdio, no blocking locks, no exceptions. Strings are assembled
// by hand into preallocated buffers.
namespace tracelane::internal {
namespace {

constexpr uint32_t kNone = 0xFFFFFFFFu;

uint8_t TypeOf(const RawEvent& e) { return static_cast<uint8_t>(e.word >> kTypeShift); }

bool IsLocationType(uint8_t t) { return t >= 1 && t <= 10; }

// Hash of a location pointer for the open-addressing table.
uint32_t Hash(uint64_t key) { return static_cast<uint32_t>((key * 0x9E3779B97F4A7C15ull) >> 32); }

// FNV-1a of a NUL-terminated string.
uint32_t HashString(const char* s) {
  uint32_t h = 2166136261u;
  for (; *s != '\0'; ++s) h = (h ^ static_cast<uint8_t>(*s)) * 16777619u;
  return h;
}

constexpr SourceLocation kCrashLocation{"tracelane: crash signal", "CrashWriter::Write", __FILE__,
                                        __LINE__};

}  // namespace

absl::Status CrashWriter::Prepare(const std::string& path, const std::string& directory,
                                  const Limits& limits) {
  if (path.size() + 1 > kPathMax || directory.size() + 96 > kPathMax) {
    return absl::InvalidArgumentError("crash capture: path too long");
  }
  limits_ = limits;
  RecorderState& r = Recorder();  // constructed now, not in the handler
  if (limits_.stage_events < r.pool.chunk_events()) limits_.stage_events = r.pool.chunk_events();
  fixed_path_.reset(new char[kPathMax]());
  dir_.reset(new char[kPathMax]());
  path_buf_.reset(new char[kPathMax]());
  std::memcpy(fixed_path_.get(), path.c_str(), path.size() + 1);
  std::memcpy(dir_.get(), directory.c_str(), directory.size() + 1);
  std::string name;
  std::ifstream comm("/proc/self/comm");
  std::getline(comm, name);
  process_name_.reset(new char[256]());
  std::memcpy(process_name_.get(), name.c_str(), std::min<size_t>(name.size(), 255));
  out_.reset(new char[kOutBuffer]);
  props_.reset(new char[kPropsMax]);
  uint32_t cap = 1;
  while (cap < 2 * limits_.max_locations) cap <<= 1;
  loc_mask_ = cap - 1;
  loc_keys_.reset(new uint64_t[cap]());
  loc_vals_.reset(new uint32_t[cap]());
  loc_list_.reset(new uint64_t[limits_.max_locations]());
  thread_slot_.reset(new uint32_t[limits_.max_threads]);
  thread_rec_.reset(new ThreadRecord*[limits_.max_threads]);
  objects_.reset(new const ObjectName*[limits_.max_objects]);
  stage_.reset(new RawEvent[limits_.stage_events]);
  max_strings_ = 1 + 3 * limits_.max_locations + limits_.max_threads + limits_.max_objects;
  uint32_t scap = 1;
  while (scap < max_strings_ + max_strings_ / 2) scap <<= 1;  // load <= 2/3
  str_mask_ = scap - 1;
  str_keys_.reset(new const char*[scap]());
  str_vals_.reset(new uint32_t[scap]());
  str_list_.reset(new const char*[max_strings_]());
  loc_strings_.reset(new uint32_t[3 * size_t{limits_.max_locations}]());
  thread_name_.reset(new uint32_t[limits_.max_threads]());
  object_name_.reset(new uint32_t[limits_.max_objects]());
  area_cursors_.reset(new AreaCursor[limits_.max_threads]());
  if (limits_.max_chunks == 0) limits_.max_chunks = r.pool.chunk_count();
  order_.reset(new ChunkOrder[limits_.max_chunks]());
  // Touch everything now so the handler never takes a page fault on fresh memory.
  std::memset(thread_slot_.get(), 0xFF, sizeof(uint32_t) * limits_.max_threads);
  std::memset(thread_rec_.get(), 0, sizeof(ThreadRecord*) * limits_.max_threads);
  std::memset(objects_.get(), 0, sizeof(ObjectName*) * limits_.max_objects);
  std::memset(stage_.get(), 0, sizeof(RawEvent) * limits_.stage_events);
  std::memset(out_.get(), 0, kOutBuffer);
  return absl::OkStatus();
}

void CrashWriter::CollectThreads() {
  RecorderState& r = Recorder();
  nthreads_ = 0;
  for (uint32_t i = 0; i < limits_.max_threads; ++i) area_cursors_[i] = AreaCursor();
  // The caller holds (or failed to take) the registry lock; read either way.
  const uint32_t n = r.registry.size();
  for (uint32_t i = 0; i < n && i < limits_.max_threads; ++i) {
    ThreadRecord* t = r.registry.Get(i);
    thread_slot_[i] = kNone;
    if (t == nullptr) continue;
    const bool alive = t->alive.load(std::memory_order_acquire);
    if (!alive && t->refs.load(std::memory_order_acquire) == 0) continue;
    thread_slot_[i] = nthreads_;
    thread_rec_[nthreads_++] = t;
  }
}

void CrashWriter::AddLocation(uint64_t payload) {
  if (payload == 0) return;
  uint32_t h = Hash(payload) & loc_mask_;
  while (loc_keys_[h] != 0) {
    if (loc_keys_[h] == payload) return;
    h = (h + 1) & loc_mask_;
  }
  if (nlocs_ >= limits_.max_locations) {
    loc_overflow_ = true;
    return;
  }
  loc_keys_[h] = payload;
  loc_vals_[h] = nlocs_;
  loc_list_[nlocs_++] = payload;
}

// Table index of a location payload; 0 is "(location not in the crash table)".
uint32_t CrashWriter::LocationIndex(uint64_t payload) const {
  uint32_t h = Hash(payload) & loc_mask_;
  while (loc_keys_[h] != 0) {
    if (loc_keys_[h] == payload) return loc_vals_[h] + 1;
    h = (h + 1) & loc_mask_;
  }
  return 0;
}

// Every location named by any slot of any chunk ever used, including stale slots
// past a chunk's fill level: harmless extra entries, and no race on the count.
void CrashWriter::CollectLocations() {
  RecorderState& r = Recorder();
  ChunkPool& pool = r.pool;
  for (uint32_t i = 0; i < pool.chunk_count(); ++i) {
    if (pool.Desc(i).generation.load(std::memory_order_relaxed) == 0) continue;
    const RawEvent* d = pool.Data(i);
    for (uint32_t k = 0; k < pool.chunk_events(); ++k) {
      const uint64_t w = d[k].word;
      if (IsLocationType(static_cast<uint8_t>(w >> kTypeShift))) AddLocation(w & kPayloadMask);
    }
  }
}

// Index of `s` in the string table, adding it if new. Each distinct string is
// stored once. The table is sized for every string the limits allow.
uint32_t CrashWriter::InternString(const char* s) {
  if (s == nullptr) s = "";
  uint32_t h = HashString(s) & str_mask_;
  while (str_keys_[h] != nullptr) {
    if (std::strcmp(str_keys_[h], s) == 0) return str_vals_[h];
    h = (h + 1) & str_mask_;
  }
  str_keys_[h] = s;
  str_vals_[h] = nstrings_;
  str_list_[nstrings_] = s;
  return nstrings_++;
}

void CrashWriter::InternAllStrings() {
  std::memset(str_keys_.get(), 0, sizeof(const char*) * (uint64_t{str_mask_} + 1));
  nstrings_ = 0;
  InternString("(location not in the crash table)");
  for (uint32_t j = 0; j < nlocs_; ++j) {
    const auto* loc = reinterpret_cast<const SourceLocation*>(loc_list_[j]);
    loc_strings_[3 * j] = InternString(loc->name);
    loc_strings_[3 * j + 1] = InternString(loc->function);
    loc_strings_[3 * j + 2] = InternString(loc->file);
  }
  for (uint32_t t = 0; t < nthreads_; ++t) thread_name_[t] = InternString(thread_rec_[t]->name.c_str());
  for (uint32_t o = 0; o < nobjects_; ++o) object_name_[o] = InternString(objects_[o]->name.c_str());
}

void CrashWriter::WriteTables() {
  InternAllStrings();
  BeginBlock(static_cast<uint16_t>(format::BlockType::kStrings));
  PutVar(nstrings_);
  for (uint32_t i = 0; i < nstrings_; ++i) PutStr(str_list_[i]);
  EndBlock();

  // Location 0 stands for any location first seen after the table was built.
  BeginBlock(static_cast<uint16_t>(format::BlockType::kLocations));
  PutVar(uint64_t{nlocs_} + 1);
  PutVar(0);
  PutVar(0);
  PutVar(0);
  PutVar(0);
  for (uint32_t j = 0; j < nlocs_; ++j) {
    const auto* loc = reinterpret_cast<const SourceLocation*>(loc_list_[j]);
    PutVar(loc_strings_[3 * j]);
    PutVar(loc_strings_[3 * j + 1]);
    PutVar(loc_strings_[3 * j + 2]);
    PutVar(loc->line);
  }
  EndBlock();

  BeginBlock(static_cast<uint16_t>(format::BlockType::kThreads));
  PutVar(nthreads_);
  for (uint32_t t = 0; t < nthreads_; ++t) {
    ThreadRecord* rec = thread_rec_[t];
    const bool alive = rec->alive.load(std::memory_order_relaxed);
    PutZigZag(rec->tid);
    PutVar(thread_name_[t]);
    PutVar(rec->dropped.load(std::memory_order_relaxed));
    PutVar(rec->overwritten.load(std::memory_order_relaxed));
    PutU8(alive ? 0 : 1);
    PutZigZag(rec->start_ticks ? ToNs(rec->start_ticks) : 0);
    PutZigZag(!alive && rec->exit_ticks ? ToNs(rec->exit_ticks) : 0);
  }
  EndBlock();

  BeginBlock(static_cast<uint16_t>(format::BlockType::kObjects));
  PutVar(nobjects_);
  for (uint32_t o = 0; o < nobjects_; ++o) {
    PutU8(static_cast<uint8_t>(objects_[o]->kind));
    PutVar(objects_[o]->id);
    PutVar(object_name_[o]);
  }
  EndBlock();
}

// Encodes stage_[0, n) as one events block of table thread `thread`, after the
// thread's pending loss record if any (it takes the first event's time).
uint32_t CrashWriter::EncodeStage(uint32_t n, uint32_t thread) {
  uint32_t count = 0;
  int64_t first_ns = 0;
  for (uint32_t k = 0; k < n; ++k) {
    const uint8_t t = TypeOf(stage_[k]);
    if (t == kArgType || t == kPadType || t == 0) continue;
    if (count++ == 0) first_ns = ToNs(stage_[k].ticks);
  }
  if (count == 0) return 0;
  AreaCursor& cursor = area_cursors_[thread];
  const bool loss = cursor.loss_pending;
  BeginBlock(static_cast<uint16_t>(format::BlockType::kEvents));
  PutU32(thread);
  PutU32(count + (loss ? 1 : 0));
  PutI64(first_ns);
  if (loss) PutLossRecord(cursor);
  int64_t prev = first_ns;
  for (uint32_t k = 0; k < n; ++k) {
    const RawEvent& e = stage_[k];
    const uint8_t t = TypeOf(e);
    if (t == kArgType || t == kPadType || t == 0) continue;
    const bool has_arg = k + 1 < n && TypeOf(stage_[k + 1]) == kArgType;
    const int64_t ns = ToNs(e.ticks);
    PutU8(static_cast<uint8_t>(t | (has_arg ? 0x80 : 0)));
    PutZigZag(ns - prev);
    prev = ns;
    const uint64_t payload = e.word & kPayloadMask;
    PutVar(IsLocationType(t) ? LocationIndex(payload) : payload);
    if (has_arg) PutZigZag(static_cast<int64_t>(stage_[k + 1].ticks));
  }
  EndBlock();
  if (!failed_) {
    events_ += count + (loss ? 1 : 0);
    ++event_blocks_;
  }
  return count;
}

void CrashWriter::PutLossRecord(AreaCursor& cursor) {
  const bool known = cursor.lost_events_known;
  PutU8(static_cast<uint8_t>(static_cast<uint8_t>(format::EventType::kDataLost) |
                             (known ? 0x80 : 0)));
  PutZigZag(0);
  PutVar(cursor.lost_areas);
  if (known) PutZigZag(static_cast<int64_t>(cursor.lost_events));
  cursor.ClearLoss();
}

void CrashWriter::WriteTrailingLosses(int64_t now_ns) {
  for (uint32_t t = 0; t < nthreads_ && !failed_; ++t) {
    ThreadRecord* rec = thread_rec_[t];
    AreaCursor& cursor = area_cursors_[t];
    if (rec->alive.load(std::memory_order_acquire) || !cursor.started) continue;
    // The exit is where the thread's next area would have begun.
    if (!cursor.Advance(rec->area_seq.load(std::memory_order_relaxed) + 1,
                        rec->emitted.load(std::memory_order_relaxed), 0)) {
      continue;
    }
    BeginBlock(static_cast<uint16_t>(format::BlockType::kEvents));
    PutU32(t);
    PutU32(1);
    PutI64(rec->exit_ticks != 0 ? ToNs(rec->exit_ticks) : now_ns);
    PutLossRecord(cursor);
    EndBlock();
    if (!failed_) {
      ++events_;
      ++event_blocks_;
    }
  }
}

// Copies `count` slots of a chunk in stage-sized slices, each validated against
// the chunk's generation (a chunk reused meanwhile is skipped: its events are
// already counted as overwritten), and writes each slice as a block. The thread's
// area cursor takes the chunk once its first slice is validated (so is the
// stamp, read before it) and counts only the events written: whatever was not
// written shows as a loss before the thread's next chunk.
void CrashWriter::WriteChunkEvents(uint32_t chunk, uint64_t generation, uint32_t count,
                                   AreaStamp stamp, uint32_t thread) {
  ChunkPool& pool = Recorder().pool;
  const RawEvent* src = pool.Data(chunk);
  AreaCursor& cursor = area_cursors_[thread];
  uint32_t done = 0;
  while (done < count && !failed_) {
    uint32_t n = count - done;
    if (n > limits_.stage_events) {
      n = limits_.stage_events;
      // Never split an event from its argument slot.
      if (TypeOf(src[done + n]) == kArgType) --n;
    }
    std::memcpy(stage_.get(), src + done, sizeof(RawEvent) * n);
    // Seqlock re-check as an RMW (see snapshot.cc): orders the copy before it and,
    // unlike a fence, builds under ThreadSanitizer. Lock-free, so signal-safe.
    if (pool.Desc(chunk).generation.fetch_add(0, std::memory_order_acq_rel) != generation) {
      ++skipped_chunks_;
      return;
    }
    if (done == 0) cursor.Advance(stamp.area_seq, stamp.events_before, 0);
    const uint32_t written = EncodeStage(n, thread);
    if (cursor.area_seq == stamp.area_seq) cursor.events_end += written;
    done += n;
  }
}

int64_t CrashWriter::Write(int signo) {
  MakePath();
  fd_ = open(path_buf_.get(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return -1;
  failed_ = false;
  out_len_ = 0;
  file_off_ = 0;
  block_header_off_ = 0;
  nlocs_ = 0;
  loc_overflow_ = false;
  events_ = 0;
  event_blocks_ = 0;
  skipped_chunks_ = 0;
  std::memset(loc_keys_.get(), 0, sizeof(uint64_t) * (uint64_t{loc_mask_} + 1));

  RecorderState& r = Recorder();
  ChunkPool& pool = r.pool;
  // Mark the crash in the crashing thread's own buffer when there is room (never
  // takes the slow path, which could allocate).
  {
    ThreadCursor& c = tls_cursor;
    RawEvent* pos = c.pos.load(std::memory_order_relaxed);
    if (pos != nullptr && c.end - pos >= 2) {
      EmitWithArg(format::EventType::kInstant, LocPayload(&kCrashLocation),
                  static_cast<uint64_t>(signo));
    }
  }
  const Calibration cal = CurrentCalibration();
  ticks0_ = cal.ticks0;
  ticks1_ = cal.ticks1;
  mono0_ = cal.mono0_ns;
  mono1_ = cal.mono1_ns;
  const uint64_t now = ReadTicks();

  // Header.
  const format::FileHeader h =
      MakeFileHeader(cal, /*capture_start_ns=*/0 /* whatever the buffer holds */, ToNs(now));
  Put(&h, sizeof(h));

  // Properties with the progress field, written first and patched as we go.
  BuildProperties(signo);
  props_header_off_ = file_off_;
  {
    const format::BlockHeader zero{};
    Put(&zero, sizeof(zero));
    Put(props_.get(), props_len_);
  }
  SetProgress("incomplete: file opened, writing tables", kNone, "", kNone, "");

  const bool registry_locked = r.registry.mu().ReaderTryLock();
  const bool objects_locked = r.objects_mu.TryLock();
  CollectThreads();
  nobjects_ = 0;
  if (objects_locked) {
    for (const auto& [id, obj] : r.objects) {
      if (nobjects_ >= limits_.max_objects) break;
      objects_[nobjects_++] = &obj;
    }
  }
  CollectLocations();
  WriteTables();
  const uint32_t total_chunks = pool.chunk_count();
  SetProgress("incomplete: tables written; writing events", kNone, "", kNone, "");

  // Full chunks, then the chunks live threads are filling.
  const auto thread_of = [&](const void* owner) -> uint32_t {
    const auto* t = static_cast<const ThreadRecord*>(owner);
    if (t == nullptr || t->index >= limits_.max_threads) return kNone;
    const uint32_t slot = thread_slot_[t->index];
    return slot != kNone && thread_rec_[slot] == t ? slot : kNone;
  };
  // Oldest first (release order), so every thread's blocks are in time order.
  uint32_t nfull = 0;
  for (uint32_t i = 0; i < total_chunks && nfull < limits_.max_chunks; ++i) {
    ChunkDesc& d = pool.Desc(i);
    const uint64_t gen = d.generation.load(std::memory_order_acquire);
    if (d.state.load(std::memory_order_acquire) != kChunkFull) continue;
    order_[nfull++] = ChunkOrder{d.seq.load(std::memory_order_relaxed), i, gen};
  }
  std::sort(order_.get(), order_.get() + nfull,  // in place: no allocation
            [](const ChunkOrder& a, const ChunkOrder& b) { return a.seq < b.seq; });
  for (uint32_t k = 0; k < nfull && !failed_; ++k) {
    ChunkDesc& d = pool.Desc(order_[k].index);
    const uint32_t thread = thread_of(d.owner.load(std::memory_order_relaxed));
    const uint32_t count = d.count.load(std::memory_order_relaxed);
    const AreaStamp stamp = d.Stamp();
    if (thread == kNone || count > pool.chunk_events() ||
        d.generation.load(std::memory_order_acquire) != order_[k].generation) {
      ++skipped_chunks_;
      continue;
    }
    WriteChunkEvents(order_[k].index, order_[k].generation, count, stamp, thread);
    if ((k & 255) == 255) {
      SetProgress("incomplete: tables written; events from ", k + 1, " of ", nfull,
                  " chunks");
    }
  }
  for (uint32_t t = 0; t < nthreads_ && !failed_; ++t) {
    ThreadRecord* rec = thread_rec_[t];
    if (!rec->alive.load(std::memory_order_acquire) || rec->cursor == nullptr) continue;
    const uint32_t c1 = rec->current_chunk.load(std::memory_order_acquire);
    if (c1 == kNoChunk || c1 >= total_chunks) continue;
    const uint64_t gen = pool.Desc(c1).generation.load(std::memory_order_acquire);
    const AreaStamp stamp = pool.Desc(c1).Stamp();
    const RawEvent* pos = rec->cursor->pos.load(std::memory_order_acquire);
    if (rec->current_chunk.load(std::memory_order_acquire) != c1) continue;
    const RawEvent* begin = pool.Data(c1);
    if (pos < begin || pos > begin + pool.chunk_events()) continue;
    WriteChunkEvents(c1, gen, static_cast<uint32_t>(pos - begin), stamp, t);
  }
  WriteTrailingLosses(ToNs(now));
  if (objects_locked) r.objects_mu.Unlock();
  if (registry_locked) r.registry.mu().ReaderUnlock();

  // Footer: counts must match what the blocks hold.
  uint64_t dropped = 0, overwritten = 0;
  for (uint32_t t = 0; t < nthreads_; ++t) {
    dropped += thread_rec_[t]->dropped.load(std::memory_order_relaxed);
    overwritten += thread_rec_[t]->overwritten.load(std::memory_order_relaxed);
  }
  const uint64_t events_before_footer = events_;
  BeginBlock(static_cast<uint16_t>(format::BlockType::kFooter));
  PutI64(static_cast<int64_t>(event_blocks_));
  PutI64(static_cast<int64_t>(events_before_footer));
  PutI64(static_cast<int64_t>(dropped));
  PutI64(static_cast<int64_t>(overwritten + r.registry.lost_recycled() +
                              r.lost_after_exit.load(std::memory_order_relaxed)));
  PutU32(nthreads_);
  EndBlock();
  if (!failed_) {
    SetProgress("complete: ", events_, " events", kNone,
                loc_overflow_ ? "; some locations unnamed (table full)" : "");
  }
  Flush();
  close(fd_);
  fd_ = -1;
  return static_cast<int64_t>(events_);
}

}  // namespace tracelane::internal
