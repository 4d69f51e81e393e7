#include "tracer/capture/window_stream.h"

#include <algorithm>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "tracer/recorder_state.h"

namespace tracelane::internal {
namespace {

// Chunks one Drain takes at most (1 MiB of events at the default chunk size, a
// few ms to encode), so the reserve is checked again soon even when the pool is
// full of window data.
constexpr size_t kMaxChunksPerDrain = 64;

// Free chunks the drainer keeps ahead of the writers: what they fill in this
// long at their measured rate (covering a 5 ms nap, a batch's encoding and a wait
// for a CPU), plus a floor, at most half the pool.
constexpr int64_t kReserveCoverNs = 50'000'000;
constexpr uint32_t kMinReserve = 16;
// Shortest stretch the fill rate is measured over (shorter ones are noise).
constexpr int64_t kRateSpanNs = 2'000'000;

// Newest event tick in `events` (argument and pad slots skipped; events can be
// back-dated, so the maximum rather than the last).
uint64_t LastEventTick(const std::vector<RawEvent>& events) {
  uint64_t last = 0;
  for (const RawEvent& e : events) {
    const uint8_t type = static_cast<uint8_t>(e.word >> kTypeShift);
    if (type != kArgType && type != kPadType) last = std::max(last, e.ticks);
  }
  return last;
}

// Keeps the extras in (after, upto]; they arrive sorted by ticks.
void KeepExtras(std::vector<ExtraEvent>* extra, uint64_t after, uint64_t upto) {
  extra->erase(
      std::remove_if(extra->begin(), extra->end(),
                     [&](const ExtraEvent& e) { return e.ticks <= after || e.ticks > upto; }),
      extra->end());
}

}  // namespace

ThreadSnapshot WindowStream::Describe(const StreamThread& st) {
  ThreadSnapshot ts;
  ts.record = st.record;
  ts.tid = st.tid;
  ts.name = st.name;
  ts.alive = st.alive;
  ts.start_ticks = st.start_ticks;
  ts.exit_ticks = st.exit_ticks;
  ts.first_area = st.first_area;
  return ts;
}

namespace {

// The chunk's events leave the flight recorder with this capture: for every
// later capture they are gone, as an overwritten chunk's are, so they count in
// the thread's lifetime `overwritten` (never in its window counts, which are
// this capture's) and move the overwrite horizon; a later trace's numbers then
// still add up to what each thread emitted. RecorderState::streamed_out says
// how many of the overwritten events were delivered this way.
void CountStreamedOut(RecorderState& r, ThreadRecord* owner, const ChunkDesc& d) {
  const uint32_t events = d.events.load(std::memory_order_relaxed);
  owner->overwritten.fetch_add(events, std::memory_order_relaxed);
  r.streamed_out.fetch_add(events, std::memory_order_relaxed);
  const uint64_t last = d.last_ticks.load(std::memory_order_relaxed);
  uint64_t h = r.overwrite_horizon_ticks.load(std::memory_order_relaxed);
  while (last > h &&
         !r.overwrite_horizon_ticks.compare_exchange_weak(h, last, std::memory_order_relaxed)) {
  }
}

}  // namespace

WindowStream::WindowStream(uint64_t start_ticks, uint64_t max_stored_bytes)
    : start_ticks_(start_ticks),
      max_stored_bytes_(max_stored_bytes),
      cal_(CurrentCalibration()),
      encoder_(cal_) {}

WindowStream::~WindowStream() { ReleaseRecords(); }

void WindowStream::ReleaseRecords() {
  for (StreamThread& t : threads_) {
    if (t.record == nullptr) continue;
    ThreadRegistry::Unref(static_cast<ThreadRecord*>(const_cast<void*>(t.record)));
    t.record = nullptr;
  }
  by_record_.clear();
}

uint32_t WindowStream::ThreadIndex(const void* record) {
  const auto* rec = static_cast<const ThreadRecord*>(record);
  // The stream holds every record it has seen (below), so a known record still
  // belongs to the same thread.
  if (auto it = by_record_.find(record); it != by_record_.end()) {
    StreamThread& t = threads_[it->second];
    t.alive = rec->alive.load(std::memory_order_acquire);
    t.exit_ticks = t.alive ? 0 : rec->exit_ticks;
    t.name = rec->name;
    return it->second;
  }
  const auto index = static_cast<uint32_t>(threads_.size());
  // Hold the record until the capture ends, as a chunk would: its window loss
  // counts stay with it (a recycled record hands them to a trace-wide bucket),
  // and the final snapshot still lists it.
  const_cast<ThreadRecord*>(rec)->refs.fetch_add(1, std::memory_order_relaxed);
  const bool alive = rec->alive.load(std::memory_order_acquire);
  threads_.push_back(StreamThread{record, rec->tid, rec->start_ticks, rec->name, alive,
                                  alive ? 0 : rec->exit_ticks, 0,
                                  rec->window_first_area.load(std::memory_order_relaxed)});
  by_record_[record] = index;
  return index;
}

uint32_t WindowStream::Reserve() {
  ChunkPool& pool = Recorder().pool;
  // The writers' fill rate (chunks published per ns), measured over stretches of
  // at least kRateSpanNs; it follows a rise at once and a fall over about a
  // second, so a burst after a quiet spell still finds free chunks.
  const int64_t now = MonotonicNs();
  const uint64_t released = pool.released();
  if (rate_at_ns_ == 0) {
    rate_at_ns_ = now;
    released_at_rate_ = released;
  } else if (now - rate_at_ns_ >= kRateSpanNs) {
    const auto span = static_cast<double>(now - rate_at_ns_);
    const double rate = static_cast<double>(released - released_at_rate_) / span;
    const double decay = std::min(1.0, span / 1e9);
    chunks_per_ns_ = std::max(rate, chunks_per_ns_ * (1 - decay) + rate * decay);
    rate_at_ns_ = now;
    released_at_rate_ = released;
  }
  const double wanted = chunks_per_ns_ * static_cast<double>(kReserveCoverNs) + kMinReserve;
  const uint32_t cap = std::max(kMinReserve, pool.chunk_count() / 2);
  return wanted >= cap ? cap : static_cast<uint32_t>(wanted);
}

size_t WindowStream::Drain() {
  if (limit_hit_) return 0;
  const int64_t began_ns = MonotonicNs();
  RecorderState& r = Recorder();
  ChunkPool& pool = r.pool;
  const uint64_t start = start_ticks_;
  const auto holds_window = [&](uint32_t i) {
    return pool.Desc(i).last_ticks.load(std::memory_order_relaxed) >= start;
  };
  const uint32_t reserve = Reserve();
  // Each taken chunk goes back to the free list as soon as its events are copied
  // (microseconds), so the writers never wait on this batch's encoding. A chunk
  // we hold keeps its owner's record referenced, so the record's fields are
  // stable; the registry mutex, taken per chunk, guards the name.
  Snapshot mini;
  mini.calibration = cal_;
  mini.begin_ticks = start;
  std::vector<uint32_t> stream_index;             // mini slot -> stream index
  absl::flat_hash_map<uint32_t, size_t> slot_of;  // stream index -> mini slot
  size_t taken = 0, discarded = 0;
  uint32_t i;
  while (taken < kMaxChunksPerDrain) {
    // Older data at the head of the pool is given up while the writers are short
    // of free chunks (counted as overwritten: they would reuse it next).
    const bool short_of_free = pool.chunk_count() - pool.in_use() < reserve;
    const auto pred = [&](uint32_t c) { return holds_window(c) || short_of_free; };
    if (!pool.TakeOldestFullIf(pred, &i)) break;
    if (!holds_window(i)) {
      DiscardChunk(i);
      ++discarded;
      continue;
    }
    ChunkDesc& d = pool.Desc(i);
    auto* owner = static_cast<ThreadRecord*>(d.owner.load(std::memory_order_relaxed));
    uint32_t ti;
    {
      absl::MutexLock lock(&r.registry.mu());
      ti = ThreadIndex(owner);
    }
    auto [it, added] = slot_of.try_emplace(ti, mini.threads.size());
    if (added) {
      mini.threads.push_back(Describe(threads_[ti]));
      stream_index.push_back(ti);
      if (!spare_events_.empty()) {  // a previous batch's buffer: no fresh pages
        mini.threads.back().events = std::move(spare_events_.back());
        spare_events_.pop_back();
      }
    }
    ThreadSnapshot& ts = mini.threads[it->second];
    const AreaStamp stamp = d.Stamp();
    ts.areas.push_back(AreaMark{ts.events.size(), stamp.area_seq, stamp.events_before,
                                d.events.load(std::memory_order_relaxed)});
    AppendEventsSince(pool.Data(i), d.count.load(std::memory_order_relaxed), start, &ts.events);
    CountStreamedOut(r, owner, d);
    pool.Recycle(i);
    ThreadRegistry::Unref(owner);
    ++taken;
  }
  discarded_ += discarded;
  if (taken != 0) Encode(mini, stream_index);
  chunks_ += taken;
  busy_ns_ += MonotonicNs() - began_ns;
  return taken + discarded;
}

void WindowStream::Encode(Snapshot& mini, const std::vector<uint32_t>& stream_index) {
  // Scheduler events of the same stretch of each thread's time, so every
  // thread's events stay in time order across blocks.
  std::vector<uint64_t> last(mini.threads.size());
  for (size_t k = 0; k < mini.threads.size(); ++k) {
    last[k] = LastEventTick(mini.threads[k].events);
    mini.end_ticks = std::max(mini.end_ticks, last[k]);
  }
  RunSnapshotHooks(mini);
  for (size_t k = 0; k < mini.threads.size(); ++k) {
    StreamThread& st = threads_[stream_index[k]];
    ThreadSnapshot& ts = mini.threads[k];
    const uint64_t upto = std::max(last[k], st.sched_cut);
    KeepExtras(&ts.extra, st.sched_cut, upto);
    st.sched_cut = upto;
    encoder_.AddEvents(stream_index[k], ts);
    ts.events.clear();
    spare_events_.push_back(std::move(ts.events));
  }
  if (encoder_.stored_bytes() >= max_stored_bytes_) limit_hit_ = true;
}

Snapshot WindowStream::Merge(Snapshot final_snap) {
  Snapshot meta;
  meta.calibration = cal_;
  meta.begin_ticks = final_snap.begin_ticks;
  meta.end_ticks = final_snap.end_ticks;
  meta.objects = std::move(final_snap.objects);
  meta.properties = std::move(final_snap.properties);
  meta.lost_recycled = final_snap.lost_recycled;
  meta.lost_after_exit = final_snap.lost_after_exit;
  meta.properties.emplace_back("capture_streamed_chunks", absl::StrCat(chunks_));
  meta.properties.emplace_back("capture_stream_limit_hit", limit_hit_ ? "yes" : "no");
  // Pre-window chunks given up to keep free chunks ahead of the writers.
  meta.properties.emplace_back("capture_stream_discarded_chunks", absl::StrCat(discarded_));
  // CPU-side cost of streaming: wall time spent in Drain (copy, scheduler merge,
  // encoding and compression), for judging how close the drainer ran to its limit.
  meta.properties.emplace_back("capture_stream_busy_ns", absl::StrCat(busy_ns_));
  // Streamed threads keep their indices. Their records are held, so the final
  // snapshot lists each of them and replaces these placeholder entries.
  meta.threads.resize(threads_.size());
  for (size_t i = 0; i < threads_.size(); ++i) {
    meta.threads[i] = Describe(threads_[i]);
    meta.threads[i].alive = false;
  }
  for (ThreadSnapshot& fs : final_snap.threads) {
    uint32_t ti = static_cast<uint32_t>(meta.threads.size());
    // Records seen by the stream are still held, so the same record is the same
    // thread.
    auto it = by_record_.find(fs.record);
    if (it != by_record_.end()) {
      ti = it->second;
      KeepExtras(&fs.extra, threads_[ti].sched_cut, UINT64_MAX);
    } else {
      meta.threads.emplace_back();
    }
    encoder_.AddEvents(ti, fs);
    fs.events.clear();
    fs.extra.clear();
    meta.threads[ti] = std::move(fs);
  }
  ReleaseRecords();
  return meta;
}

absl::StatusOr<std::string> WindowStream::Write(const Snapshot& meta, WriteStats* stats) {
  std::ostringstream out(std::ios::binary);
  if (absl::Status s = encoder_.Finish(meta, out, stats); !s.ok()) return s;
  return std::move(out).str();
}

}  // namespace tracelane::internal
