// Scope latency statistics per source location: count, total, mean, percentiles,
// a log-scale histogram and the slowest instances. Instances cut by the capture
// window or by lost data (ThreadModel::IsCut) have an unknown duration: they are
// counted apart and never ranked or used in a statistic.
#ifndef TRACELANE_VIEWER_ANALYSIS_SCOPE_STATS_H_
#define TRACELANE_VIEWER_ANALYSIS_SCOPE_STATS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viewer/analysis/model.h"

namespace tracelane::analysis {

// Durations in [lo_ns, hi_ns). With one bucket per octave (the default)
// bucket 0 is [0, 1) and bucket b > 0 is [2^(b-1), 2^b); with N per octave (a
// power of two) each octave [2^k, 2^(k+1)) from 2^k >= N on is split into N
// equal parts, and the durations below N have a bucket each (see HistogramBucketOf).
struct HistogramBucket {
  int64_t lo_ns;
  int64_t hi_ns;
  uint64_t count;
};

// One scope instance as ranked and explained.
struct ScopeInstance {
  ScopeRef ref;
  int64_t begin_ns;
  int64_t duration_ns;
  bool cut;  // begin or end not recorded (capture window, lost data): a lower bound
};

// Statistics of one source location. Every statistic (count, total, mean,
// percentiles, histogram, slowest) is over the complete instances only; the
// cut instances are counted in `cut` (of which `cut_by_loss` by lost data) and
// nothing else.
struct ScopeStats {
  uint32_t location = kNone;
  std::string name;
  std::string function;
  std::string file;
  uint32_t line = 0;
  uint64_t count = 0;        // complete instances (ranked)
  uint64_t cut = 0;          // instances cut by the capture window or lost data (not ranked)
  uint64_t cut_by_loss = 0;  // of which cut by lost data (ThreadModel::IsCutByLoss)
  int64_t total_ns = 0;
  int64_t mean_ns = 0;
  int64_t min_ns = 0;
  // Nearest-rank percentiles: the smallest duration d with at least p% of
  // instances <= d.
  int64_t p50_ns = 0;
  int64_t p90_ns = 0;
  int64_t p99_ns = 0;
  int64_t p999_ns = 0;
  int64_t max_ns = 0;
  std::vector<HistogramBucket> histogram;  // every bucket from min's to max's
  std::vector<ScopeInstance> slowest;      // slowest first (see SlowerThan)
};

struct ScopeStatsOptions {
  int slowest = 5;   // instances to keep per location
  std::string name;  // only locations with this name; empty = all
  // Histogram buckets per octave: 1, 2, 4, 8 or 16 (other values: 1).
  int buckets_per_octave = 1;
  // Threads computing ComputeScopeStats (locations in parallel): 0 = one per
  // core. The result does not depend on it.
  int workers = 0;
  // Called now and then with the share done, in [0, 1], from one thread at a
  // time. May be empty.
  std::function<void(double)> progress;
  // Polled between locations; returning true stops early (the result is then
  // incomplete: callers drop it). May be empty.
  std::function<bool()> cancelled;
};

// The bucket holding duration `d` (clamped at 0) with `per_octave` buckets per
// octave (as ScopeStatsOptions::buckets_per_octave), and its index; buckets of
// increasing index cover increasing durations without gaps. O(1).
HistogramBucket HistogramBucketOf(int64_t d, int per_octave, int* index = nullptr);

// Statistics per location that has instances (complete or cut), sorted by
// total time of the complete ones, largest first. O(n) per location (one pass,
// then selections within the histogram buckets holding the percentiles),
// locations spread over options.workers threads; scratch memory 8 bytes per
// instance of the largest locations being worked on.
std::vector<ScopeStats> ComputeScopeStats(const Model& m, const ScopeStatsOptions& options = {});

// The same statistics over the instances of the threads `threads` (indices into
// m.threads; empty = every thread) that overlap [from_ns, to_ns) (as in
// range_stats.h): count + cut equals RangeScope::instances, and the durations
// are the instances' whole durations. options.name filters as above. O(log n +
// depth + instances overlapping the range) per thread, plus the statistics.
std::vector<ScopeStats> ComputeScopeStatsIn(const Model& m, int64_t from_ns, int64_t to_ns,
                                            const std::vector<uint32_t>& threads,
                                            const ScopeStatsOptions& options = {});

// The complete instances of `location` with lo_ns <= duration < hi_ns (a
// histogram bucket), slowest first, at most `limit`; `*total` (if given)
// receives how many there are. With to_ns > from_ns, only the instances of
// `threads` overlapping [from_ns, to_ns) (as ComputeScopeStatsIn). O(instances
// of the location + limit log limit).
std::vector<ScopeInstance> InstancesInBucket(const Model& m, uint32_t location, int64_t lo_ns,
                                             int64_t hi_ns, size_t limit, uint64_t* total = nullptr,
                                             int64_t from_ns = 0, int64_t to_ns = 0,
                                             const std::vector<uint32_t>& threads = {});

// The ordering of "slowest": longer first; ties by earlier begin, then thread,
// then index. Deterministic.
bool SlowerThan(const ScopeInstance& a, const ScopeInstance& b);

// The rank-th slowest (1-based) complete instance among all scopes named
// `name`; nullopt if there are fewer. Cut instances are never ranked. `*count`
// (if given) receives the number of complete instances with that name, `*cut`
// (if given) the number of cut ones, `*cut_by_loss` how many of those were cut
// by lost data. O(n).
std::optional<ScopeInstance> NthSlowest(const Model& m, std::string_view name, int rank,
                                        uint64_t* count = nullptr, uint64_t* cut = nullptr,
                                        uint64_t* cut_by_loss = nullptr);

// Where `instance` ranks among the complete instances of all scopes with its
// name (1 = slowest, the order of NthSlowest and SlowerThan); 0 if it is cut
// (never ranked). `*count`, `*cut` as in NthSlowest. O(instances with the name).
uint64_t RankOf(const Model& m, const ScopeInstance& instance, uint64_t* count = nullptr,
                uint64_t* cut = nullptr);

// Makes the ScopeInstance for a reference. O(log cut scopes).
ScopeInstance InstanceOf(const Model& m, ScopeRef ref);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_SCOPE_STATS_H_
