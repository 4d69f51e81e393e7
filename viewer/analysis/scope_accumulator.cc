#include "viewer/analysis/scope_accumulator.h"

#include <algorithm>
#include <cmath>

namespace tracelane::analysis::internal {
namespace {

// Index of the p-th percentile (nearest rank) in a sorted array of n values.
size_t RankIndex(uint64_t n, double p) {
  size_t r = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(n) - 1e-9));
  return std::clamp<size_t>(r, 1, n) - 1;
}

// The slowest-instances heap keeps the fastest kept on top.
bool FasterOnTop(const ScopeInstance& a, const ScopeInstance& b) { return SlowerThan(a, b); }

}  // namespace

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

int BucketIndex(int64_t d, int shift) {
  const int n = 1 << shift;
  if (d < n) return d < 0 ? 0 : static_cast<int>(d);
  const int octave = 63 - __builtin_clzll(static_cast<uint64_t>(d));
  const int width_shift = octave - shift;
  const int sub = static_cast<int>(d >> width_shift) - n;
  return n + width_shift * n + sub;
}

HistogramBucket BucketAtIndex(int index, int shift) {
  const int n = 1 << shift;
  if (index < n) return HistogramBucket{index, index + 1, 0};
  const int k = index - n;
  const int width_shift = k / n;  // octave - shift
  const uint64_t lo = static_cast<uint64_t>(n + k % n) << width_shift;
  const uint64_t hi = lo + (uint64_t{1} << width_shift);
  return HistogramBucket{
      static_cast<int64_t>(lo),
      hi > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(hi), 0};
}

void FineHistogram::Add(int index, uint64_t n) {
  if (counts.empty()) {
    lo = index;
    counts.assign(1, 0);
  } else if (index < lo) {
    counts.insert(counts.begin(), static_cast<size_t>(lo - index), 0);
    lo = index;
  } else if (index - lo >= static_cast<int>(counts.size())) {
    counts.resize(static_cast<size_t>(index - lo + 1), 0);
  }
  counts[static_cast<size_t>(index - lo)] += n;
}

void FineHistogram::Merge(const FineHistogram& o) {
  for (size_t i = 0; i < o.counts.size(); ++i) {
    if (o.counts[i] != 0) Add(o.lo + static_cast<int>(i), o.counts[i]);
  }
}

void LocationAccumulator::Offer(const ScopeInstance& inst, size_t keep) {
  if (keep == 0) return;
  if (slowest.size() < keep) {
    slowest.push_back(inst);
    std::push_heap(slowest.begin(), slowest.end(), FasterOnTop);
  } else if (SlowerThan(inst, slowest.front())) {
    std::pop_heap(slowest.begin(), slowest.end(), FasterOnTop);
    slowest.back() = inst;
    std::push_heap(slowest.begin(), slowest.end(), FasterOnTop);
  }
}

void LocationAccumulator::Merge(const LocationAccumulator& o, size_t keep) {
  count += o.count;
  cut += o.cut;
  cut_by_loss += o.cut_by_loss;
  total += o.total;
  min_ns = std::min(min_ns, o.min_ns);
  max_ns = std::max(max_ns, o.max_ns);
  fine.Merge(o.fine);
  for (const ScopeInstance& inst : o.slowest) Offer(inst, keep);
}

RankPlan::RankPlan(const LocationAccumulator& a) {
  static constexpr double kPercentiles[] = {50, 90, 99, 99.9};
  *this = RankPlan(a.fine, a.count, kPercentiles, 4);
}

RankPlan::RankPlan(const FineHistogram& fine, uint64_t count, const double* percentiles, int n) {
  if (count == 0) return;
  n_ranks_ = std::min(n, 4);
  // Walk the cumulative counts to each rank's bucket; consecutive ranks often
  // share one.
  uint64_t below = 0;
  size_t b = 0;
  const std::vector<uint64_t>& c = fine.counts;
  for (int k = 0; k < n_ranks_; ++k) {
    const size_t rank = RankIndex(count, percentiles[k]);
    while (below + c[b] <= rank) below += c[b++];
    const int index = fine.lo + static_cast<int>(b);
    const HistogramBucket h = BucketAtIndex(index, kFineShift);
    const int64_t lo = index == 0 ? INT64_MIN : h.lo_ns;  // bucket 0 also holds negatives
    if (n_targets_ == 0 || lo_[n_targets_ - 1] != lo) {
      lo_[n_targets_] = lo;
      hi_[n_targets_] = h.hi_ns;
      values_[n_targets_].reserve(64);
      ++n_targets_;
    }
    target_of_rank_[k] = n_targets_ - 1;
    rank_in_target_[k] = rank - below;
  }
}

void RankPlan::Merge(RankPlan&& o) {
  for (int k = 0; k < n_targets_; ++k) {
    if (values_[k].empty()) {
      values_[k] = std::move(o.values_[k]);
    } else {
      values_[k].insert(values_[k].end(), o.values_[k].begin(), o.values_[k].end());
    }
  }
}

void RankPlan::Values(int64_t* out) {
  for (int k = 0; k < n_ranks_; ++k) {
    PodVector<int64_t>& v = values_[target_of_rank_[k]];
    const auto at = v.begin() + static_cast<std::ptrdiff_t>(rank_in_target_[k]);
    std::nth_element(v.begin(), at, v.end());
    out[k] = *at;
  }
}

ScopeStats FinishStats(const Model& m, uint32_t location, const LocationAccumulator& a,
                       RankPlan& plan, const ScopeStatsOptions& options) {
  const reader::Location& l = m.info.locations[location];
  ScopeStats st;
  st.location = location;
  st.name = l.name;
  st.function = l.function;
  st.file = l.file;
  st.line = l.line;
  st.count = a.count;
  st.cut = a.cut;
  st.cut_by_loss = a.cut_by_loss;
  st.total_ns = a.total > INT64_MAX ? INT64_MAX : static_cast<int64_t>(a.total);
  if (st.count != 0) {
    st.mean_ns = static_cast<int64_t>(a.total / static_cast<__int128>(st.count));
    int64_t vals[4];
    plan.Values(vals);
    st.min_ns = a.min_ns;
    st.p50_ns = vals[0];
    st.p90_ns = vals[1];
    st.p99_ns = vals[2];
    st.p999_ns = vals[3];
    st.max_ns = a.max_ns;
    const int shift = OctaveShift(options.buckets_per_octave);
    const int first = BucketIndex(a.min_ns, shift);
    const int last = BucketIndex(a.max_ns, shift);
    for (int b = first; b <= last; ++b) st.histogram.push_back(BucketAtIndex(b, shift));
    for (size_t f = 0; f < a.fine.counts.size(); ++f) {
      if (a.fine.counts[f] == 0) continue;
      const int64_t lo = BucketAtIndex(a.fine.lo + static_cast<int>(f), kFineShift).lo_ns;
      st.histogram[static_cast<size_t>(BucketIndex(lo, shift) - first)].count += a.fine.counts[f];
    }
  }
  st.slowest = a.slowest;
  std::sort(st.slowest.begin(), st.slowest.end(), SlowerThan);
  return st;
}

}  // namespace tracelane::analysis::internal
