// Minimum mutator utilization (MMU), as in Go's internal/trace gc.go, for pauses.
//
// Utilization u(t) is piecewise constant: system-wide it is 1 - (paused live
// threads / live threads), 0 during stop-the-world, 1 when no thread is live;
// per thread it is 0 while the thread is Paused, else 1. MMU(w) is the minimum
// over all windows [s, s+w) inside the domain of the mean of u over the window.
//
// Exact algorithm (not sampled): the window integral f(s) = I(s+w) - I(s) is
// piecewise linear in s with breakpoints where s or s+w meets a step of u, so
// its minimum is at one of those O(n) candidates; a two-pointer sweep evaluates
// all of them in O(n). To avoid sweeping everything for every window, window
// starts are cut into bands of 64 steps, and each band
// [a, b] gets a lower bound from f(a), f(b) and the range of the slope
// u(s+w) - u(s), and from w * min u over [a, b+w] (as Go's gc.go does with bands and a priority
// queue); bands are swept in order of their bound until the bound reaches the best value found,
// which keeps the result exact. The worst K disjoint windows are picked greedily, each by a full
// sweep that skips windows overlapping earlier picks and adds the edges of those picks as
// candidates (exact for the greedy definition). See docs/ANALYSIS.md.
#ifndef TRACELANE_VIEWER_ANALYSIS_MMU_H_
#define TRACELANE_VIEWER_ANALYSIS_MMU_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "viewer/analysis/model.h"

namespace tracelane::analysis {

// A step function: u = values[i] on [bounds[i], bounds[i+1]). bounds are
// strictly increasing; bounds.size() == values.size() + 1 (or both empty).
struct Utilization {
  std::vector<int64_t> bounds;
  std::vector<double> values;

  int64_t start_ns() const { return bounds.empty() ? 0 : bounds.front(); }
  int64_t end_ns() const { return bounds.empty() ? 0 : bounds.back(); }
  int64_t duration_ns() const { return end_ns() - start_ns(); }
};

// Builds a Utilization from (time, value) steps over [steps.front().first, end),
// merging equal neighbours and dropping empty steps. Steps must be sorted.
Utilization MakeUtilization(const std::vector<std::pair<int64_t, double>>& steps, int64_t end_ns);

// System-wide utilization over the model's domain. O(p log p), p = paused spans.
Utilization SystemUtilization(const Model& m);
// Utilization of one thread over its life. O(spans).
Utilization ThreadUtilization(const Model& m, uint32_t thread);

struct MmuPoint {
  int64_t window_ns;
  double mmu;
};

struct WorstWindow {
  int64_t start_ns;
  double utilization;  // mean utilization over [start_ns, start_ns + window)
};

// Answers MMU queries over one Utilization. Construction O(n); keeps a copy.
class MmuCalculator {
 public:
  explicit MmuCalculator(Utilization u);

  // MMU for one window width. Windows wider than the domain are clipped to it;
  // an empty domain has MMU 1. O(n) worst case, typically O((n/256) log n).
  double Mmu(int64_t window_ns) const;
  // MMU for each window. Uses up to 8 threads for inputs over 100k steps.
  std::vector<MmuPoint> Curve(const std::vector<int64_t>& windows_ns) const;
  // The `k` worst pairwise-disjoint windows of width `window_ns`, worst first.
  // O(k n).
  std::vector<WorstWindow> Worst(int64_t window_ns, int k) const;
  // Mean utilization over [from, to) (clipped to the domain). O(log n).
  double Mean(int64_t from, int64_t to) const;

  const Utilization& utilization() const { return u_; }

 private:
  // Integral of u from the domain start to t. O(log n).
  double IntegralAt(int64_t t) const;
  // Minimum window integral over candidate starts in [lo, hi] (clipped to the
  // valid starts), skipping windows that overlap [p, p + w) for p in `exclude`;
  // also reports the start attaining it. O(steps in range + log n).
  double Sweep(int64_t w, int64_t lo, int64_t hi, const std::vector<int64_t>& exclude,
               int64_t* argmin) const;
  // Minimum window integral over all candidate starts, one branch-free pass. O(n).
  double SweepAll(int64_t w) const;
  // Minimum / maximum of values over steps [i, j], widened to whole blocks (so a
  // lower / upper bound). O(1).
  double RangeMin(size_t i, size_t j) const;
  double RangeMax(size_t i, size_t j) const;

  Utilization u_;
  std::vector<double> prefix_;  // integral up to bounds[i]
  struct Seg {
    int64_t x;  // bounds[i]
    double p;   // integral up to x
    double v;   // value on [x, next x); 0 for the end
  };
  std::vector<Seg> segs_;  // the hot loop's view: one cache line holds x, p and v
  std::vector<std::vector<double>> block_min_;  // sparse tables over blocks of 32 steps
  std::vector<std::vector<double>> block_max_;
};

// `points` window widths spaced evenly on a log scale from min_ns to max_ns
// (inclusive, deduplicated).
std::vector<int64_t> LogSpacedWindows(int64_t min_ns, int64_t max_ns, int points);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_MMU_H_
