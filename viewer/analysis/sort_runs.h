// SortRuns: sorts a vector made of runs appended one source at a time (each
// thread's holds or releases, already in time order) by merging the runs instead
// of sorting everything: O(n log runs) instead of O(n log n), and a run that is
// not sorted is sorted on its own first. Stable across runs: of equal elements,
// the one from the earlier run comes first.
#ifndef TRACELANE_VIEWER_ANALYSIS_SORT_RUNS_H_
#define TRACELANE_VIEWER_ANALYSIS_SORT_RUNS_H_

#include <algorithm>
#include <cstddef>
#include <vector>

namespace tracelane::analysis::internal {

// `starts` holds the index where each run begins (ascending, the first 0);
// `less` orders the elements. std::inplace_merge's buffer is at most v.size()
// elements, allocated per merge round.
template <typename T, typename Less>
void SortRuns(std::vector<T>& v, std::vector<size_t> starts, Less less) {
  if (v.empty()) return;
  starts.push_back(v.size());
  const auto at = [&](size_t i) { return v.begin() + static_cast<std::ptrdiff_t>(i); };
  for (size_t r = 0; r + 1 < starts.size(); ++r) {
    if (!std::is_sorted(at(starts[r]), at(starts[r + 1]), less)) {
      std::stable_sort(at(starts[r]), at(starts[r + 1]), less);
    }
  }
  while (starts.size() > 2) {
    std::vector<size_t> merged{0};
    for (size_t r = 0; r + 2 < starts.size(); r += 2) {
      std::inplace_merge(at(starts[r]), at(starts[r + 1]), at(starts[r + 2]), less);
      merged.push_back(starts[r + 2]);
    }
    if (merged.back() != v.size()) merged.push_back(v.size());
    starts = std::move(merged);
  }
}

}  // namespace tracelane::analysis::internal

#endif  // TRACELANE_VIEWER_ANALYSIS_SORT_RUNS_H_
