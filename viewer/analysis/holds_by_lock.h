// Internal to the lock analyses (lock_contention.cc, model_finish.cc): every
// thread's holds of a chosen set of locks, gathered per lock in one order.
#ifndef TRACELANE_VIEWER_ANALYSIS_HOLDS_BY_LOCK_H_
#define TRACELANE_VIEWER_ANALYSIS_HOLDS_BY_LOCK_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/sort_runs.h"

namespace tracelane::analysis::internal {

// The times a lock was waited for: [start, end] of each wait (closed), added in
// any order.
using WaitTimes = absl::flat_hash_map<uint64_t, std::vector<std::pair<int64_t, int64_t>>>;

// For every lock of `waits`, fills lists[lock] with make(hold, thread) for each
// of its holds, on every thread, that overlaps one of its waits (acquired <=
// the wait's end and released >= its start), ordered by `less`. Only such holds
// can have held it while somebody waited (the lock analyses' only question), so
// a lock held ten million times and waited for a few hundred times lists a few
// hundred holds, not ten million. The holds are read once, sequentially, each
// tested against the union of its lock's wait times with a cursor (a thread's
// holds are by acquisition); each thread's kept holds form a run merged with the
// others (SortRuns: stable in thread order). A lock is looked up once per run of
// consecutive holds of it. O(holds + waits log waits + kept x log threads).
template <typename T, typename Make, typename Less>
void CollectHoldsByLock(const Model& m, WaitTimes waits,
                        absl::flat_hash_map<uint64_t, std::vector<T>>& lists, Make make,
                        Less less) {
  if (waits.empty()) return;
  struct Slot {
    std::vector<T>* list;
    std::vector<std::pair<int64_t, int64_t>> times;  // the union of the waits, by start
    size_t cursor = 0;                               // first time ending at or after the hold
    std::vector<size_t> runs;                        // where each thread's holds start
    uint32_t last_thread = kNone;
  };
  for (const auto& [id, times] : waits) lists.try_emplace(id);  // no rehash after this
  absl::flat_hash_map<uint64_t, Slot> slots;
  for (auto& [id, times] : waits) {
    Slot& s = slots[id];
    s.list = &lists.find(id)->second;
    std::sort(times.begin(), times.end());
    for (const auto& [from, to] : times) {
      if (!s.times.empty() && from <= s.times.back().second) {
        s.times.back().second = std::max(s.times.back().second, to);
      } else {
        s.times.emplace_back(from, to);
      }
    }
  }
  uint64_t last_id = 0;
  Slot* last = nullptr;
  bool have_last = false;
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    for (const LockHold& h : m.threads[ti].lock_holds) {
      if (!have_last || h.lock_id != last_id) {
        auto it = slots.find(h.lock_id);
        last = it == slots.end() ? nullptr : &it->second;
        last_id = h.lock_id;
        have_last = true;
      }
      Slot* s = last;
      if (s == nullptr) continue;
      if (s->last_thread != ti) {
        s->runs.push_back(s->list->size());
        s->last_thread = ti;
        s->cursor = 0;
      }
      while (s->cursor < s->times.size() && s->times[s->cursor].second < h.acquired_ns) {
        ++s->cursor;
      }
      if (s->cursor == s->times.size() || s->times[s->cursor].first > h.released_ns) continue;
      s->list->push_back(make(h, ti));
    }
  }
  for (auto& [id, s] : slots) SortRuns(*s.list, std::move(s.runs), less);
}

}  // namespace tracelane::analysis::internal

#endif  // TRACELANE_VIEWER_ANALYSIS_HOLDS_BY_LOCK_H_
