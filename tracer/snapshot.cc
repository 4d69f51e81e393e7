#include "tracer/snapshot.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "absl/base/dynamic_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace tracelane::internal {
namespace {

struct CopiedChunk {
  const void* owner;
  uint32_t index;
  uint64_t generation;
  uint64_t seq;
  std::vector<RawEvent> events;
  AreaStamp stamp;
  uint64_t area_events;  // events the chunk held
};

absl::Mutex g_hooks_mu(absl::kConstInit);
std::vector<SnapshotHook>& Hooks() {
  static auto* hooks = new std::vector<SnapshotHook>;
  return *hooks;
}

// Copies `n` events of chunk `index` and reports whether the chunk kept the same
// generation throughout (i.e. the copy is not torn by a concurrent reuse).
bool CopyValidated(const ChunkPool& pool, uint32_t index, uint64_t generation, uint32_t n,
                   std::vector<RawEvent>* out) {
  out->resize(n);
  // A seqlock read: the chunk's owner may be writing it now (a torn copy is
  // detected below and thrown away). ThreadSanitizer would report that benign
  // race, so it is told to ignore these reads (no effect in other builds).
  ABSL_ANNOTATE_IGNORE_READS_BEGIN();
  std::memcpy(out->data(), pool.Data(index), size_t{n} * sizeof(RawEvent));
  ABSL_ANNOTATE_IGNORE_READS_END();
  // The seqlock reader's "fence, then re-read the generation", as a read-modify-write
  // whose release half orders the copy before it: same guarantee, and unlike
  // atomic_thread_fence it is understood by ThreadSanitizer (GCC rejects the fence
  // under -fsanitize=thread). One atomic RMW per copied chunk, capture path only.
  return pool.Desc(index).generation.fetch_add(0, std::memory_order_acq_rel) == generation;
}

}  // namespace

void AppendEventsSince(const RawEvent* events, size_t n, uint64_t min_ticks,
                       std::vector<RawEvent>* dst) {
  bool keep_arg = false;
  for (size_t i = 0; i < n; ++i) {
    const RawEvent& e = events[i];
    const uint8_t type = static_cast<uint8_t>(e.word >> kTypeShift);
    if (type == kArgType) {
      if (keep_arg) dst->push_back(e);
      continue;
    }
    keep_arg = type != kPadType && e.ticks >= min_ticks;
    if (keep_arg) dst->push_back(e);
  }
}

ThreadSnapshot& Snapshot::ThreadByTid(int64_t tid) {
  for (ThreadSnapshot& t : threads) {
    if (t.tid == tid) return t;
  }
  threads.emplace_back();
  threads.back().tid = tid;
  return threads.back();
}

void AddSnapshotHook(SnapshotHook hook) {
  // A capture copying the hook list while another thread forks must not leave
  // the lock held in the child (a leaf lock: nothing is locked under it).
  static const bool atfork = [] {
    pthread_atfork([]() ABSL_NO_THREAD_SAFETY_ANALYSIS { g_hooks_mu.Lock(); },
                   []() ABSL_NO_THREAD_SAFETY_ANALYSIS { g_hooks_mu.Unlock(); },
                   []() ABSL_NO_THREAD_SAFETY_ANALYSIS { g_hooks_mu.Unlock(); });
    return true;
  }();
  (void)atfork;
  absl::MutexLock lock(&g_hooks_mu);
  Hooks().push_back(hook);
}

Snapshot TakeSnapshot(const SnapshotOptions& options) {
  RecorderState& r = Recorder();
  Snapshot snap;
  absl::MutexLock config_lock(&r.config_mu);
  ChunkPool& pool = r.pool;
  std::vector<CopiedChunk> chunks;
  absl::flat_hash_map<const void*, size_t> thread_of;  // record -> index in snap.threads
  {
    absl::MutexLock lock(&r.registry.mu());
    // 1. The chunks live threads are writing right now: copy the published prefix.
    for (uint32_t i = 0; i < r.registry.size(); ++i) {
      ThreadRecord* t = r.registry.Get(i);
      if (!t->alive.load(std::memory_order_acquire) || t->cursor == nullptr) continue;
      const uint32_t c1 = t->current_chunk.load(std::memory_order_acquire);
      if (c1 == kNoChunk) continue;
      const uint64_t gen = pool.Desc(c1).generation.load(std::memory_order_acquire);
      const RawEvent* pos = t->cursor->pos.load(std::memory_order_acquire);
      if (t->current_chunk.load(std::memory_order_acquire) != c1) continue;
      const RawEvent* begin = pool.Data(c1);
      if (pos < begin || pos > begin + pool.chunk_events()) continue;
      CopiedChunk cc{t, c1, gen, UINT64_MAX, {}, pool.Desc(c1).Stamp(), 0};
      if (CopyValidated(pool, c1, gen, static_cast<uint32_t>(pos - begin), &cc.events)) {
        cc.area_events = CountEvents(cc.events.data(), cc.events.data() + cc.events.size());
        chunks.push_back(std::move(cc));
      }
    }
    // 2. Every full chunk. A chunk seen in step 1 and since published replaces
    //    its partial copy.
    absl::flat_hash_map<uint64_t, size_t> partial;  // (index, generation) -> slot
    for (size_t k = 0; k < chunks.size(); ++k) {
      partial[(uint64_t{chunks[k].index} << 40) ^ chunks[k].generation] = k;
    }
    for (uint32_t i = 0; i < pool.chunk_count(); ++i) {
      ChunkDesc& d = pool.Desc(i);
      const uint64_t gen = d.generation.load(std::memory_order_acquire);
      if (d.state.load(std::memory_order_acquire) != kChunkFull) continue;
      const void* owner = d.owner.load(std::memory_order_relaxed);
      const uint32_t count = d.count.load(std::memory_order_relaxed);
      const uint64_t seq = d.seq.load(std::memory_order_relaxed);
      CopiedChunk cc{owner, i, gen, seq, {}, d.Stamp(), d.events.load(std::memory_order_relaxed)};
      const bool older = options.min_ticks != 0 &&
                         d.last_ticks.load(std::memory_order_relaxed) < options.min_ticks;
      // A chunk entirely older than the window keeps only its place in the
      // thread's sequence (validated like a copy), so it never looks lost.
      if (!CopyValidated(pool, i, gen, older ? 0 : count, &cc.events)) continue;
      if (d.state.load(std::memory_order_acquire) != kChunkFull) continue;
      auto it = partial.find((uint64_t{i} << 40) ^ gen);
      if (it != partial.end()) {
        chunks[it->second] = std::move(cc);
      } else {
        chunks.push_back(std::move(cc));
      }
    }
    // 3. Thread metadata for every record that has data or is alive. An exited
    //    thread whose data has all aged out (but whose record is not recycled yet)
    //    is left out; its losses still count, as those of a recycled record do.
    snap.lost_recycled = r.registry.lost_recycled();
    for (uint32_t i = 0; i < r.registry.size(); ++i) {
      ThreadRecord* t = r.registry.Get(i);
      const bool alive = t->alive.load(std::memory_order_acquire);
      const uint64_t dropped = t->dropped.load(std::memory_order_relaxed);
      const uint64_t overwritten = t->overwritten.load(std::memory_order_relaxed);
      // Losses of the open capture window (see SnapshotOptions::window_losses).
      const uint64_t window_dropped =
          dropped - std::min(dropped, t->window_dropped_base.load(std::memory_order_relaxed));
      const uint64_t window_overwritten = t->window_overwritten.load(std::memory_order_relaxed);
      if (!alive && t->refs.load(std::memory_order_acquire) == 0) {
        if (!options.window_losses) {
          snap.lost_recycled += dropped + overwritten;
          continue;
        }
        if (window_dropped == 0 && window_overwritten == 0) continue;
      }
      thread_of[t] = snap.threads.size();
      ThreadSnapshot ts;
      ts.record = t;
      ts.tid = t->tid;
      ts.name = t->name;
      ts.dropped = options.window_losses ? window_dropped : dropped;
      ts.overwritten = options.window_losses ? window_overwritten : overwritten;
      ts.alive = alive;
      if (options.window_losses) {
        ts.first_area = t->window_first_area.load(std::memory_order_relaxed);
      }
      if (!alive) {  // final: the exit retired the thread's last area
        ts.last_area = t->area_seq.load(std::memory_order_relaxed);
        ts.emitted = t->emitted.load(std::memory_order_relaxed);
      }
      ts.start_ticks = t->start_ticks;
      ts.exit_ticks = alive ? 0 : t->exit_ticks;
      snap.threads.push_back(std::move(ts));
    }
  }
  snap.lost_after_exit = r.lost_after_exit.load(std::memory_order_relaxed);
  {
    absl::MutexLock lock(&r.objects_mu);
    for (const auto& [id, obj] : r.objects) snap.objects.push_back(obj);
  }
  std::sort(snap.objects.begin(), snap.objects.end(),
            [](const ObjectName& a, const ObjectName& b) { return a.id < b.id; });

  std::stable_sort(chunks.begin(), chunks.end(),
                   [](const CopiedChunk& a, const CopiedChunk& b) { return a.seq < b.seq; });
  // Size each thread's buffer once (no regrowth copies: a full 64 MiB pool is
  // 4M events), then append, dropping events older than the window on the way.
  {
    std::vector<size_t> sizes(snap.threads.size(), 0);
    for (const CopiedChunk& cc : chunks) {
      auto it = thread_of.find(cc.owner);
      if (it != thread_of.end()) sizes[it->second] += cc.events.size();
    }
    for (size_t i = 0; i < sizes.size(); ++i) snap.threads[i].events.reserve(sizes[i]);
  }
  for (CopiedChunk& cc : chunks) {
    auto it = thread_of.find(cc.owner);
    if (it == thread_of.end()) continue;  // record recycled meanwhile: counted as lost
    auto& dst = snap.threads[it->second].events;
    snap.threads[it->second].areas.push_back(
        AreaMark{dst.size(), cc.stamp.area_seq, cc.stamp.events_before, cc.area_events});
    if (options.min_ticks == 0) {
      dst.insert(dst.end(), cc.events.begin(), cc.events.end());
    } else {
      AppendEventsSince(cc.events.data(), cc.events.size(), options.min_ticks, &dst);
    }
    std::vector<RawEvent>().swap(cc.events);  // release the copy as we go
  }
  snap.calibration = CurrentCalibration();
  snap.begin_ticks = options.min_ticks;
  snap.end_ticks = ReadTicks();
  RunSnapshotHooks(snap);
  return snap;
}

void RunSnapshotHooks(Snapshot& snap) {
  std::vector<SnapshotHook> hooks;
  {
    absl::MutexLock lock(&g_hooks_mu);
    hooks = Hooks();
  }
  for (SnapshotHook hook : hooks) hook(snap);
}

}  // namespace tracelane::internal
