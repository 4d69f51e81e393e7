#include "tracer/snapshot.h"

#include <algorithm>
#include <atomic>
#include <cstring>

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
  std::memcpy(out->data(), pool.Data(index), size_t{n} * sizeof(RawEvent));
  std::atomic_thread_fence(std::memory_order_acquire);
  return pool.Desc(index).generation.load(std::memory_order_relaxed) == generation;
}

void FilterOld(std::vector<RawEvent>* events, uint64_t min_ticks) {
  if (min_ticks == 0) return;
  std::vector<RawEvent> kept;
  kept.reserve(events->size());
  bool keep_arg = false;
  for (const RawEvent& e : *events) {
    const uint8_t type = static_cast<uint8_t>(e.word >> kTypeShift);
    if (type == kArgType) {
      if (keep_arg) kept.push_back(e);
      continue;
    }
    keep_arg = type != kPadType && e.ticks >= min_ticks;
    if (keep_arg) kept.push_back(e);
  }
  events->swap(kept);
}

}  // namespace

ThreadSnapshot& Snapshot::ThreadByTid(int64_t tid) {
  for (ThreadSnapshot& t : threads) {
    if (t.tid == tid) return t;
  }
  threads.emplace_back();
  threads.back().tid = tid;
  return threads.back();
}

void AddSnapshotHook(SnapshotHook hook) {
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
      CopiedChunk cc{t, c1, gen, UINT64_MAX, {}};
      if (CopyValidated(pool, c1, gen, static_cast<uint32_t>(pos - begin), &cc.events)) {
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
      if (options.min_ticks != 0 && d.last_ticks.load(std::memory_order_relaxed) < options.min_ticks) {
        continue;  // entirely older than the window
      }
      CopiedChunk cc{owner, i, gen, seq, {}};
      if (!CopyValidated(pool, i, gen, count, &cc.events)) continue;
      if (d.state.load(std::memory_order_acquire) != kChunkFull) continue;
      auto it = partial.find((uint64_t{i} << 40) ^ gen);
      if (it != partial.end()) {
        chunks[it->second] = std::move(cc);
      } else {
        chunks.push_back(std::move(cc));
      }
    }
    // 3. Thread metadata for every record that has data or is alive.
    for (uint32_t i = 0; i < r.registry.size(); ++i) {
      ThreadRecord* t = r.registry.Get(i);
      const bool alive = t->alive.load(std::memory_order_acquire);
      if (!alive && t->refs.load(std::memory_order_acquire) == 0) continue;
      thread_of[t] = snap.threads.size();
      ThreadSnapshot ts;
      ts.record = t;
      ts.tid = t->tid;
      ts.name = t->name;
      ts.dropped = t->dropped.load(std::memory_order_relaxed);
      ts.overwritten = t->overwritten.load(std::memory_order_relaxed);
      ts.alive = alive;
      ts.start_ticks = t->start_ticks;
      ts.exit_ticks = alive ? 0 : t->exit_ticks;
      snap.threads.push_back(std::move(ts));
    }
    snap.lost_recycled = r.registry.lost_recycled();
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
  for (CopiedChunk& cc : chunks) {
    auto it = thread_of.find(cc.owner);
    if (it == thread_of.end()) continue;  // record recycled meanwhile: counted as lost
    FilterOld(&cc.events, options.min_ticks);
    auto& dst = snap.threads[it->second].events;
    dst.insert(dst.end(), cc.events.begin(), cc.events.end());
  }
  snap.calibration = CurrentCalibration();
  snap.begin_ticks = options.min_ticks;
  snap.end_ticks = ReadTicks();
  std::vector<SnapshotHook> hooks;
  {
    absl::MutexLock lock(&g_hooks_mu);
    hooks = Hooks();
  }
  for (SnapshotHook hook : hooks) hook(snap);
  return snap;
}

}  // namespace tracelane::internal
