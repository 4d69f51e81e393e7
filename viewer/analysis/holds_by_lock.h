// Internal to the lock analyses (lock_contention.cc, model_finish.cc): every
// thread's holds of a chosen set of locks, gathered per lock in one order.
#ifndef TRACELANE_VIEWER_ANALYSIS_HOLDS_BY_LOCK_H_
#define TRACELANE_VIEWER_ANALYSIS_HOLDS_BY_LOCK_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/sort_runs.h"

namespace tracelane::analysis::internal {

// For every lock already a key of `lists` (its vector empty), appends
// make(hold, thread) for each of its holds on every thread, then orders each list
// by `less`. Lists are sized exactly before they are filled (no growth), and each
// thread's holds, already in time order, form a run merged with the others
// (SortRuns: O(n log threads), stable in thread order). A lock is looked up once
// per run of consecutive holds of it. O(holds + listed holds x log threads).
template <typename T, typename Make, typename Less>
void CollectHoldsByLock(const Model& m, absl::flat_hash_map<uint64_t, std::vector<T>>& lists,
                        Make make, Less less) {
  if (lists.empty()) return;
  struct Slot {
    std::vector<T>* list;
    size_t count = 0;
    std::vector<size_t> runs;  // where each thread's holds start
    uint32_t last_thread = kNone;
  };
  absl::flat_hash_map<uint64_t, Slot> slots;
  for (auto& [id, list] : lists) slots[id].list = &list;
  uint64_t last_id = 0;
  Slot* last = nullptr;
  bool have_last = false;
  const auto lookup = [&](uint64_t id) {
    if (!have_last || id != last_id) {
      auto it = slots.find(id);
      last = it == slots.end() ? nullptr : &it->second;
      last_id = id;
      have_last = true;
    }
    return last;
  };
  for (const ThreadModel& t : m.threads) {
    for (const LockHold& h : t.lock_holds) {
      if (Slot* s = lookup(h.lock_id)) ++s->count;
    }
  }
  for (auto& [id, s] : slots) s.list->reserve(s.count);
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    for (const LockHold& h : m.threads[ti].lock_holds) {
      Slot* s = lookup(h.lock_id);
      if (s == nullptr) continue;
      if (s->last_thread != ti) {
        s->runs.push_back(s->list->size());
        s->last_thread = ti;
      }
      s->list->push_back(make(h, ti));
    }
  }
  for (auto& [id, s] : slots) SortRuns(*s.list, std::move(s.runs), less);
}

}  // namespace tracelane::analysis::internal

#endif  // TRACELANE_VIEWER_ANALYSIS_HOLDS_BY_LOCK_H_
