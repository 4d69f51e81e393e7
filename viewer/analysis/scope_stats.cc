#include "viewer/analysis/scope_stats.h"

#include <algorithm>
#include <atomic>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/cut_cursor.h"
#include "viewer/analysis/range_stats.h"
#include "viewer/analysis/scope_accumulator.h"
#include "viewer/lib/parallel.h"

namespace tracelane::analysis {
namespace {

using internal::LocationAccumulator;
using internal::RankPlan;

// The statistics of location `loc` over the instances `refs` (a range's
// instances): the two passes of scope_accumulator.h over the list.
ScopeStats StatsOf(const Model& m, uint32_t loc, const std::vector<ScopeRef>& refs,
                   const ScopeStatsOptions& options) {
  const size_t keep = options.slowest > 0 ? static_cast<size_t>(options.slowest) : 0;
  LocationAccumulator acc;
  CutCursor cuts(m);
  for (const ScopeRef ref : refs) {
    bool by_loss = false;
    if (cuts.IsCut(ref, &by_loss)) {
      acc.AddCut(by_loss);  // its duration is unknown: counted, never ranked
      continue;
    }
    const Scope& s = m.scope(ref);
    acc.Add(ref, s.begin_ns, s.end_ns - s.begin_ns, keep);
  }
  RankPlan plan(acc);
  if (!plan.empty()) {
    CutCursor again(m);
    for (const ScopeRef ref : refs) {
      if (again.IsCut(ref)) continue;
      const Scope& s = m.scope(ref);
      plan.Collect(s.end_ns - s.begin_ns);
    }
  }
  return internal::FinishStats(m, loc, acc, plan, options);
}

// Scopes per work item of ComputeScopeStats: small enough to share a thread's
// scopes among the workers, large enough that the per-item setup (a binary
// search in the cut lists) is nothing.
constexpr uint32_t kScopesPerItem = 1u << 18;

// One share of one thread's scopes: [begin, end).
struct WorkItem {
  uint32_t thread;
  uint32_t begin;
  uint32_t end;
};

// Calls fn(index, scope, cut, by_loss) for the scopes of item `w`, in order,
// telling whether each is cut (and whether by lost data) with cursors into the
// thread's sorted cut lists: O(1) per scope.
template <typename Fn>
void ForEachScope(const Model& m, const WorkItem& w, Fn fn) {
  const ThreadModel& t = m.threads[w.thread];
  const std::vector<uint32_t>& cut = t.cut_scopes;
  const std::vector<uint32_t>& lost = t.lost_scopes;
  size_t c = static_cast<size_t>(std::lower_bound(cut.begin(), cut.end(), w.begin) - cut.begin());
  size_t l =
      static_cast<size_t>(std::lower_bound(lost.begin(), lost.end(), w.begin) - lost.begin());
  for (uint32_t i = w.begin; i < w.end; ++i) {
    const Scope& s = t.scopes[i];
    bool is_cut = false, by_loss = false;
    if (c < cut.size() && cut[c] == i) {
      is_cut = true;
      ++c;
      while (l < lost.size() && lost[l] < i) ++l;
      by_loss = l < lost.size() && lost[l] == i;
    }
    fn(i, s, is_cut, by_loss);
  }
}

void SortByTotal(std::vector<ScopeStats>& out) {
  std::stable_sort(out.begin(), out.end(), [](const ScopeStats& a, const ScopeStats& b) {
    return a.total_ns > b.total_ns;
  });
}

// Appends the scopes of `t` (index ti) overlapping [from, to) to `by_location`:
// the scopes containing `from` that began before it, then those beginning in
// [from, to). O(log n + depth + scopes beginning in the range).
void CollectInRange(const Model& m, uint32_t ti, int64_t from, int64_t to, uint32_t only_location,
                    absl::flat_hash_map<uint32_t, std::vector<ScopeRef>>& by_location) {
  const ThreadModel& t = m.threads[ti];
  const PodVector<Scope>& s = t.scopes;
  const auto add = [&](uint32_t i) {
    if (only_location != kNone && s[i].location != only_location) return;
    by_location[s[i].location].push_back(ScopeRef{ti, i});
  };
  for (uint32_t i = t.InnermostScopeAt(from); i != kNone; i = s[i].parent) {
    if (s[i].begin_ns < from && RangeOverlaps(s[i].begin_ns, s[i].end_ns, from, to)) add(i);
  }
  auto first = std::lower_bound(s.begin(), s.end(), from,
                                [](const Scope& x, int64_t v) { return x.begin_ns < v; });
  for (auto i = static_cast<uint32_t>(first - s.begin()); i < s.size() && s[i].begin_ns < to; ++i) {
    add(i);
  }
}

}  // namespace

HistogramBucket HistogramBucketOf(int64_t d, int per_octave, int* index) {
  const int shift = internal::OctaveShift(per_octave);
  const int idx = internal::BucketIndex(d, shift);
  if (index != nullptr) *index = idx;
  return internal::BucketAtIndex(idx, shift);
}

bool SlowerThan(const ScopeInstance& a, const ScopeInstance& b) {
  if (a.duration_ns != b.duration_ns) return a.duration_ns > b.duration_ns;
  if (a.begin_ns != b.begin_ns) return a.begin_ns < b.begin_ns;
  if (a.ref.thread != b.ref.thread) return a.ref.thread < b.ref.thread;
  return a.ref.index < b.ref.index;
}

ScopeInstance InstanceOf(const Model& m, ScopeRef ref) {
  const Scope& s = m.scope(ref);
  return ScopeInstance{ref, s.begin_ns, s.end_ns - s.begin_ns,
                       m.threads[ref.thread].IsCut(ref.index)};
}

std::vector<ScopeStats> ComputeScopeStats(const Model& m, const ScopeStatsOptions& options) {
  // The locations reported (those with instances, and the name asked for), each
  // given a slot.
  const size_t n_locations = m.info.locations.size();
  std::vector<uint32_t> slot_of(n_locations, kNone);
  std::vector<uint32_t> locations;  // slot -> location, ascending
  for (uint32_t loc = 0; loc < n_locations && loc < m.scopes_by_location.size(); ++loc) {
    if (m.scopes_by_location[loc].empty()) continue;
    if (!options.name.empty() && m.info.locations[loc].name != options.name) continue;
    slot_of[loc] = static_cast<uint32_t>(locations.size());
    locations.push_back(loc);
  }
  // Work items: every thread's scopes in shares, the largest threads first, so
  // the workers share even a capture whose scopes are all on one thread.
  std::vector<WorkItem> items;
  uint64_t total = 0;
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    const auto n = static_cast<uint32_t>(m.threads[ti].scopes.size());
    total += n;
    for (uint32_t b = 0; b < n; b += kScopesPerItem) {
      items.push_back(WorkItem{ti, b, std::min(n, b + kScopesPerItem)});
    }
  }
  const size_t keep = options.slowest > 0 ? static_cast<size_t>(options.slowest) : 0;
  const int workers = std::min<int>(reader::ResolveWorkers(options.workers),
                                    static_cast<int>(std::max<size_t>(1, items.size())));
  std::atomic<bool> stop{false};
  // Runs fn(worker, item) over every item on the workers; progress goes from
  // `from` to `from + 0.5`. Progress and cancellation are polled by worker 0
  // only (their callbacks need not be thread-safe); the others see the flag.
  const auto run = [&](double from, const std::function<void(int, const WorkItem&)>& fn) {
    std::atomic<uint64_t> done{0};
    reader::ParallelForWorker(workers, items.size(), [&](int worker, size_t i) {
      if (stop.load(std::memory_order_relaxed)) return;  // cancelled: the rest are skipped
      if (worker == 0 && options.cancelled && options.cancelled()) {
        stop = true;
        return;
      }
      fn(worker, items[i]);
      const uint64_t now =
          done.fetch_add(items[i].end - items[i].begin) + (items[i].end - items[i].begin);
      if (worker == 0 && options.progress && total > 0) {
        options.progress(from + 0.5 * static_cast<double>(now) / static_cast<double>(total));
      }
    });
  };

  // Pass 1: per worker and location, counts, sums, extremes, fine histogram,
  // slowest instances.
  std::vector<std::vector<LocationAccumulator>> acc(
      static_cast<size_t>(workers), std::vector<LocationAccumulator>(locations.size()));
  run(0.0, [&](int worker, const WorkItem& w) {
    std::vector<LocationAccumulator>& mine = acc[static_cast<size_t>(worker)];
    ForEachScope(m, w, [&](uint32_t i, const Scope& s, bool cut, bool by_loss) {
      if (s.location >= n_locations) return;
      const uint32_t slot = slot_of[s.location];
      if (slot == kNone) return;
      if (cut) {
        mine[slot].AddCut(by_loss);  // its duration is unknown: counted, never ranked
        return;
      }
      mine[slot].Add(ScopeRef{w.thread, i}, s.begin_ns, s.end_ns - s.begin_ns, keep);
    });
  });
  if (stop) return {};
  for (size_t k = 1; k < acc.size(); ++k) {
    for (size_t slot = 0; slot < locations.size(); ++slot) acc[0][slot].Merge(acc[k][slot], keep);
  }
  acc.resize(1);
  const std::vector<LocationAccumulator>& merged = acc[0];

  // Pass 2: the durations in the buckets holding the percentiles' ranks.
  std::vector<std::vector<RankPlan>> plans(static_cast<size_t>(workers));
  for (std::vector<RankPlan>& p : plans) {
    p.reserve(locations.size());
    for (const LocationAccumulator& a : merged) p.emplace_back(a);
  }
  run(0.5, [&](int worker, const WorkItem& w) {
    std::vector<RankPlan>& mine = plans[static_cast<size_t>(worker)];
    ForEachScope(m, w, [&](uint32_t, const Scope& s, bool cut, bool) {
      if (cut || s.location >= n_locations) return;
      const uint32_t slot = slot_of[s.location];
      if (slot != kNone) mine[slot].Collect(s.end_ns - s.begin_ns);
    });
  });
  if (stop) return {};
  std::vector<ScopeStats> results(locations.size());
  for (size_t slot = 0; slot < locations.size(); ++slot) {
    for (size_t k = 1; k < plans.size(); ++k) plans[0][slot].Merge(std::move(plans[k][slot]));
    results[slot] =
        internal::FinishStats(m, locations[slot], merged[slot], plans[0][slot], options);
  }
  SortByTotal(results);
  return results;
}

std::vector<ScopeStats> ComputeScopeStatsIn(const Model& m, int64_t from_ns, int64_t to_ns,
                                            const std::vector<uint32_t>& threads,
                                            const ScopeStatsOptions& options) {
  std::vector<ScopeStats> out;
  if (from_ns >= to_ns) return out;
  absl::flat_hash_map<uint32_t, std::vector<ScopeRef>> by_location;
  const std::vector<uint32_t> selected = SelectedThreads(m, threads);
  for (size_t k = 0; k < selected.size(); ++k) {
    if (options.cancelled && options.cancelled()) return out;
    CollectInRange(m, selected[k], from_ns, to_ns, kNone, by_location);
    if (options.progress) {
      options.progress(0.5 * static_cast<double>(k + 1) / static_cast<double>(selected.size()));
    }
  }
  std::vector<uint32_t> locations;
  for (const auto& [loc, refs] : by_location) {
    if (options.name.empty() || m.info.locations[loc].name == options.name)
      locations.push_back(loc);
  }
  std::sort(locations.begin(), locations.end());
  for (size_t k = 0; k < locations.size(); ++k) {
    if (options.cancelled && options.cancelled()) break;
    out.push_back(StatsOf(m, locations[k], by_location[locations[k]], options));
    if (options.progress) {
      options.progress(0.5 +
                       0.5 * static_cast<double>(k + 1) / static_cast<double>(locations.size()));
    }
  }
  SortByTotal(out);
  return out;
}

std::vector<ScopeInstance> InstancesInBucket(const Model& m, uint32_t location, int64_t lo_ns,
                                             int64_t hi_ns, size_t limit, uint64_t* total,
                                             int64_t from_ns, int64_t to_ns,
                                             const std::vector<uint32_t>& threads) {
  std::vector<ScopeInstance> found;
  const auto consider = [&](const auto& refs) {
    for (const ScopeRef r : refs) {
      if (m.threads[r.thread].IsCut(r.index)) continue;
      const Scope& s = m.scope(r);
      const int64_t d = s.end_ns - s.begin_ns;
      if (d >= lo_ns && d < hi_ns) found.push_back(ScopeInstance{r, s.begin_ns, d, false});
    }
  };
  if (to_ns > from_ns) {
    absl::flat_hash_map<uint32_t, std::vector<ScopeRef>> by_location;
    for (uint32_t ti : SelectedThreads(m, threads)) {
      CollectInRange(m, ti, from_ns, to_ns, location, by_location);
    }
    consider(by_location[location]);
  } else if (location < m.scopes_by_location.size()) {
    consider(m.scopes_by_location[location]);
  }
  if (total != nullptr) *total = found.size();
  const size_t n = std::min(limit, found.size());
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(n), found.end(),
                    SlowerThan);
  found.resize(n);
  return found;
}

std::optional<ScopeInstance> NthSlowest(const Model& m, std::string_view name, int rank,
                                        uint64_t* count, uint64_t* cut, uint64_t* cut_by_loss) {
  std::vector<ScopeInstance> all;
  uint64_t cuts = 0, lost = 0;
  for (uint32_t loc = 0; loc < m.scopes_by_location.size(); ++loc) {
    if (m.scopes_by_location[loc].empty() || m.info.locations[loc].name != name) continue;
    CutCursor cursor(m);
    for (ScopeRef r : m.scopes_by_location[loc]) {
      bool by_loss = false;
      if (cursor.IsCut(r, &by_loss)) {
        ++cuts;
        lost += by_loss ? 1 : 0;
        continue;
      }
      const Scope& s = m.scope(r);
      all.push_back(ScopeInstance{r, s.begin_ns, s.end_ns - s.begin_ns, false});
    }
  }
  if (count != nullptr) *count = all.size();
  if (cut != nullptr) *cut = cuts;
  if (cut_by_loss != nullptr) *cut_by_loss = lost;
  if (rank < 1 || static_cast<size_t>(rank) > all.size()) return std::nullopt;
  std::nth_element(all.begin(), all.begin() + (rank - 1), all.end(), SlowerThan);
  return all[rank - 1];
}

uint64_t RankOf(const Model& m, const ScopeInstance& instance, uint64_t* count, uint64_t* cut) {
  const ThreadModel& t = m.threads[instance.ref.thread];
  const std::string& name = m.info.locations[t.scopes[instance.ref.index].location].name;
  const bool is_cut = t.IsCut(instance.ref.index);
  uint64_t slower = 0, complete = 0, cuts = 0;
  for (uint32_t loc = 0; loc < m.scopes_by_location.size(); ++loc) {
    if (m.scopes_by_location[loc].empty() || m.info.locations[loc].name != name) continue;
    for (ScopeRef r : m.scopes_by_location[loc]) {
      if (m.threads[r.thread].IsCut(r.index)) {
        ++cuts;
        continue;
      }
      ++complete;
      const Scope& s = m.scope(r);
      slower += SlowerThan(ScopeInstance{r, s.begin_ns, s.end_ns - s.begin_ns, false}, instance);
    }
  }
  if (count != nullptr) *count = complete;
  if (cut != nullptr) *cut = cuts;
  return is_cut ? 0 : slower + 1;
}

}  // namespace tracelane::analysis
