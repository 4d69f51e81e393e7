#include "viewer/analysis/scope_stats.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <queue>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/cut_cursor.h"
#include "viewer/analysis/range_stats.h"
#include "viewer/lib/parallel.h"

namespace tracelane::analysis {
namespace {

// log2 of a supported buckets-per-octave value (1, 2, 4, 8, 16), else 0.
int OctaveShift(int per_octave) {
  switch (per_octave) {
    case 2:
      return 1;
    case 4:
      return 2;
    case 8:
      return 3;
    case 16:
      return 4;
    default:
      return 0;
  }
}

// The bucket with index `idx` (the inverse of HistogramBucketOf).
HistogramBucket BucketAt(int idx, int shift) {
  const int n = 1 << shift;
  if (idx < n) return HistogramBucket{idx, idx + 1, 0};
  const int k = idx - n;
  const int width_shift = k / n;  // octave - shift
  const uint64_t lo = static_cast<uint64_t>(n + k % n) << width_shift;
  const uint64_t hi = lo + (uint64_t{1} << width_shift);
  return HistogramBucket{
      static_cast<int64_t>(lo),
      hi > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(hi), 0};
}

int IndexOf(int64_t d, int shift) {
  const int n = 1 << shift;
  if (d < n) return d < 0 ? 0 : static_cast<int>(d);
  const int octave = 63 - __builtin_clzll(static_cast<uint64_t>(d));
  const int width_shift = octave - shift;
  const int sub = static_cast<int>(d >> width_shift) - n;
  return n + width_shift * n + sub;
}

// Index of the p-th percentile (nearest rank) in a sorted array of n values.
size_t RankIndex(size_t n, double p) {
  size_t r = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(n) - 1e-9));
  return std::clamp<size_t>(r, 1, n) - 1;
}

// The finest histogram (16 buckets per octave): each bucket of a coarser one
// (ScopeStatsOptions::buckets_per_octave <= 16) is a union of whole fine buckets.
constexpr int kFineShift = 4;

// The values at sorted ranks `ranks` (ascending) of `d`, located through the fine
// histogram `fine` of d: a rank's bucket is found from the cumulative counts, and
// only the values in that bucket are selected among. One pass over d plus a
// selection per bucket (instead of selections over all of d).
void ValuesAtRanks(const std::vector<int64_t>& d, const std::vector<uint64_t>& fine,
                   const size_t* ranks, int n_ranks, int64_t* out) {
  struct Target {
    int64_t lo, hi;  // the bucket's range (bucket 0 also holds negative values)
    std::vector<int64_t> values;
  };
  Target targets[4];
  int bucket_of_rank[4];
  int n_targets = 0;
  uint64_t below = 0;
  size_t b = 0;
  for (int k = 0; k < n_ranks; ++k) {
    while (below + fine[b] <= ranks[k]) below += fine[b++];
    const HistogramBucket h = BucketAt(static_cast<int>(b), kFineShift);
    const int64_t lo = b == 0 ? INT64_MIN : h.lo_ns;
    if (n_targets == 0 || targets[n_targets - 1].lo != lo) {
      targets[n_targets++] = Target{lo, h.hi_ns, {}};
    }
    bucket_of_rank[k] = n_targets - 1;
  }
  for (int t = 0; t < n_targets; ++t) targets[t].values.reserve(64);
  for (const int64_t x : d) {
    for (int t = 0; t < n_targets; ++t) {
      if (x >= targets[t].lo && x < targets[t].hi) targets[t].values.push_back(x);
    }
  }
  below = 0;
  b = 0;
  for (int k = 0; k < n_ranks; ++k) {
    while (below + fine[b] <= ranks[k]) below += fine[b++];
    std::vector<int64_t>& v = targets[bucket_of_rank[k]].values;
    const auto at = v.begin() + static_cast<std::ptrdiff_t>(ranks[k] - below);
    std::nth_element(v.begin(), at, v.end());
    out[k] = *at;
  }
}

// The statistics of location `loc` over the instances `refs`. `d` is scratch.
ScopeStats StatsOf(const Model& m, uint32_t loc, const std::vector<ScopeRef>& refs,
                   const ScopeStatsOptions& options, std::vector<int64_t>& d) {
  const reader::Location& l = m.info.locations[loc];
  const int shift = OctaveShift(options.buckets_per_octave);
  ScopeStats st;
  st.location = loc;
  st.name = l.name;
  st.function = l.function;
  st.file = l.file;
  st.line = l.line;
  d.clear();
  d.reserve(refs.size());
  std::vector<uint64_t> fine(static_cast<size_t>(65) << kFineShift);
  // Slowest instances: a bounded heap whose top is the fastest kept.
  const auto faster_on_top = [](const ScopeInstance& a, const ScopeInstance& b) {
    return SlowerThan(a, b);
  };
  std::priority_queue<ScopeInstance, std::vector<ScopeInstance>, decltype(faster_on_top)> top(
      faster_on_top);
  const size_t keep = options.slowest > 0 ? static_cast<size_t>(options.slowest) : 0;
  int64_t min = INT64_MAX, max = INT64_MIN;
  CutCursor cuts(m);
  for (const ScopeRef ref : refs) {
    bool by_loss = false;
    if (cuts.IsCut(ref, &by_loss)) {
      ++st.cut;  // its duration is unknown: counted, never ranked
      st.cut_by_loss += by_loss ? 1 : 0;
      continue;
    }
    const Scope& s = m.scope(ref);
    const int64_t x = s.end_ns - s.begin_ns;
    d.push_back(x);
    st.total_ns += x;
    min = std::min(min, x);
    max = std::max(max, x);
    ++fine[IndexOf(x, kFineShift)];
    // Most instances are faster than the fastest kept: one comparison rejects them.
    if (top.size() == keep && (keep == 0 || x < top.top().duration_ns)) continue;
    const ScopeInstance inst{ref, s.begin_ns, x, false};
    if (top.size() < keep) {
      top.push(inst);
    } else if (SlowerThan(inst, top.top())) {
      top.pop();
      top.push(inst);
    }
  }
  st.count = d.size();
  if (st.count != 0) {
    st.mean_ns = st.total_ns / static_cast<int64_t>(st.count);
    const size_t n = d.size();
    const size_t ranks[] = {RankIndex(n, 50), RankIndex(n, 90), RankIndex(n, 99),
                            RankIndex(n, 99.9)};
    int64_t vals[4];
    ValuesAtRanks(d, fine, ranks, 4, vals);
    st.min_ns = min;
    st.p50_ns = vals[0];
    st.p90_ns = vals[1];
    st.p99_ns = vals[2];
    st.p999_ns = vals[3];
    st.max_ns = max;
    const int first = IndexOf(min, shift);
    for (int b = first; b <= IndexOf(max, shift); ++b) st.histogram.push_back(BucketAt(b, shift));
    for (size_t f = 0; f < fine.size(); ++f) {
      if (fine[f] == 0) continue;
      const int b = IndexOf(BucketAt(static_cast<int>(f), kFineShift).lo_ns, shift);
      st.histogram[static_cast<size_t>(b - first)].count += fine[f];
    }
  }
  while (!top.empty()) {
    st.slowest.push_back(top.top());
    top.pop();
  }
  std::reverse(st.slowest.begin(), st.slowest.end());
  return st;
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
  const int shift = OctaveShift(per_octave);
  const int idx = IndexOf(d, shift);
  if (index != nullptr) *index = idx;
  return BucketAt(idx, shift);
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
  std::vector<uint32_t> locations;
  uint64_t total = 0;
  for (uint32_t loc = 0; loc < m.scopes_by_location.size(); ++loc) {
    if (m.scopes_by_location[loc].empty()) continue;
    if (!options.name.empty() && m.info.locations[loc].name != options.name) continue;
    locations.push_back(loc);
    total += m.scopes_by_location[loc].size();
  }
  // Locations are independent: the largest first, on every worker. Progress and
  // cancellation are polled by worker 0 only (their callbacks need not be
  // thread-safe); the others see the stop flag.
  std::vector<size_t> order(locations.size());  // indices into `locations`
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return m.scopes_by_location[locations[a]].size() > m.scopes_by_location[locations[b]].size();
  });
  std::vector<ScopeStats> results(locations.size());
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false};
  const int workers = std::min<int>(reader::ResolveWorkers(options.workers),
                                    static_cast<int>(std::max<size_t>(1, order.size())));
  reader::RunWorkers(workers, [&](int worker) {
    std::vector<int64_t> d;
    while (!stop.load(std::memory_order_relaxed)) {
      if (worker == 0 && options.cancelled && options.cancelled()) {
        stop = true;
        break;
      }
      const size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= order.size()) break;
      const uint32_t loc = locations[order[i]];
      results[order[i]] = StatsOf(m, loc, m.scopes_by_location[loc], options, d);
      const uint64_t now =
          done.fetch_add(m.scopes_by_location[loc].size()) + m.scopes_by_location[loc].size();
      if (worker == 0 && options.progress) {
        options.progress(static_cast<double>(now) / static_cast<double>(total));
      }
    }
  });
  if (stop) {
    // Cancelled: as before, the locations finished in location order, then none.
    std::vector<ScopeStats> partial;
    for (ScopeStats& st : results) {
      if (st.location == kNone) break;
      partial.push_back(std::move(st));
    }
    results = std::move(partial);
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
  std::vector<int64_t> d;
  for (size_t k = 0; k < locations.size(); ++k) {
    if (options.cancelled && options.cancelled()) break;
    out.push_back(StatsOf(m, locations[k], by_location[locations[k]], options, d));
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
  const auto consider = [&](const std::vector<ScopeRef>& refs) {
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
