// Internal to scope_stats.cc: what passes over a location's scope instances
// gather, mergeable across workers, and how that becomes ScopeStats.
//
// Statistics take two passes over the instances, each reading only the scopes
// (no copy of the durations): the first counts, sums, keeps min/max, a fine
// histogram (16 buckets per octave) and the slowest instances; the fine
// histogram tells which bucket holds each percentile's rank, and the second
// pass keeps only the durations falling in those (at most 4) buckets, among
// which the exact values are selected. Every result is exact and independent
// of how the instances were split among workers.
#ifndef TRACELANE_VIEWER_ANALYSIS_SCOPE_ACCUMULATOR_H_
#define TRACELANE_VIEWER_ANALYSIS_SCOPE_ACCUMULATOR_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/scope_stats.h"

namespace tracelane::analysis::internal {

// Counts per fine bucket index (16 per octave), over the indices seen so far:
// a location's durations span a few octaves, so this holds a few hundred
// counters where the whole range has 1040.
struct FineHistogram {
  int lo = 0;
  std::vector<uint64_t> counts;  // counts[i] is bucket lo + i
  void Add(int index, uint64_t n = 1);
  void Merge(const FineHistogram& o);
};

// log2 of a supported buckets-per-octave value (1, 2, 4, 8, 16), else 0.
int OctaveShift(int per_octave);
// Index of the bucket holding duration d (negative: bucket 0) with 2^shift
// buckets per octave (HistogramBucketOf). O(1).
int BucketIndex(int64_t d, int shift);
// The bucket with that index (its count 0). O(1).
HistogramBucket BucketAtIndex(int index, int shift);
// 16 buckets per octave: each bucket of a coarser histogram
// (ScopeStatsOptions::buckets_per_octave <= 16) is a union of whole fine buckets.
inline constexpr int kFineShift = 4;
inline int FineIndexOf(int64_t d) { return BucketIndex(d, kFineShift); }

// Pass 1 over one location's instances (or a share of them).
struct LocationAccumulator {
  // A complete instance. O(1) (O(log keep) when it ranks among the slowest).
  void Add(ScopeRef ref, int64_t begin_ns, int64_t duration_ns, size_t keep) {
    ++count;
    total += duration_ns;
    min_ns = duration_ns < min_ns ? duration_ns : min_ns;
    max_ns = duration_ns > max_ns ? duration_ns : max_ns;
    fine.Add(FineIndexOf(duration_ns));
    // Most instances are faster than the fastest kept: one comparison rejects them.
    if (slowest.size() == keep && (keep == 0 || duration_ns < slowest.front().duration_ns)) {
      return;
    }
    Offer(ScopeInstance{ref, begin_ns, duration_ns, false}, keep);
  }
  // An instance cut by the capture window or by lost data: counted, not ranked.
  void AddCut(bool by_loss) {
    ++cut;
    cut_by_loss += by_loss ? 1 : 0;
  }
  // Adds another share of the same location's instances.
  void Merge(const LocationAccumulator& o, size_t keep);
  bool empty() const { return count == 0 && cut == 0; }
  // Keeps `inst` if it is among the `keep` slowest so far. O(log keep).
  void Offer(const ScopeInstance& inst, size_t keep);

  uint64_t count = 0, cut = 0, cut_by_loss = 0;
  // Durations are < 2^62: 128 bits sum any number of them exactly (an add and
  // an add-with-carry), so the mean stays exact where the total saturates.
  __int128 total = 0;
  int64_t min_ns = INT64_MAX, max_ns = INT64_MIN;
  FineHistogram fine;
  std::vector<ScopeInstance> slowest;  // a heap whose front is the fastest kept
};

// Up to 4 percentiles' ranks among `count` values whose fine histogram is
// known (by default p50, p90, p99, p99.9 of a merged accumulator), the buckets
// holding them, and (pass 2) the values that fall in those buckets.
class RankPlan {
 public:
  RankPlan() = default;
  explicit RankPlan(const LocationAccumulator& a);
  // Nearest-rank percentiles (ascending, each in [0, 100]), n <= 4.
  RankPlan(const FineHistogram& fine, uint64_t count, const double* percentiles, int n);
  // Pass 2: keeps d if it falls in a bucket holding a rank. O(targets <= 4).
  void Collect(int64_t d) {
    for (int k = 0; k < n_targets_; ++k) {
      if (d >= lo_[k] && d < hi_[k]) values_[k].push_back(d);
    }
  }
  // Adds another worker's collected values (for the same plan).
  void Merge(RankPlan&& o);
  bool empty() const { return n_targets_ == 0; }
  // The low end of the bucket holding rank k (INT64_MIN for bucket 0): every
  // value at or above the rank's is at least this.
  int64_t lowest(int k) const { return lo_[target_of_rank_[k]]; }
  // The values at the ranks (one per percentile, in order), selected among the
  // collected ones.
  void Values(int64_t* out);

 private:
  int n_ranks_ = 0;
  int n_targets_ = 0;
  int64_t lo_[4] = {}, hi_[4] = {};
  int target_of_rank_[4] = {};
  size_t rank_in_target_[4] = {};
  PodVector<int64_t> values_[4];  // grown in place: a bucket may hold millions
};

// The statistics of `location` from its merged pass-1 accumulator and its
// plan after pass 2. O(histogram buckets + slowest log slowest).
ScopeStats FinishStats(const Model& m, uint32_t location, const LocationAccumulator& a,
                       RankPlan& plan, const ScopeStatsOptions& options);

}  // namespace tracelane::analysis::internal

#endif  // TRACELANE_VIEWER_ANALYSIS_SCOPE_ACCUMULATOR_H_
