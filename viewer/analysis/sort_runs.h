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

#include "viewer/lib/pod_vector.h"

namespace tracelane::analysis::internal {

// `starts` holds the index where each run begins (ascending, the first 0);
// `less` orders the elements, which must be trivially copyable. The runs are
// merged pairwise between `v` and one buffer of v.size() elements (a
// PodVector: written once, never zero-filled), never through
// std::inplace_merge's per-call temporary buffers.
template <typename T, typename Less>
void SortRuns(std::vector<T>& v, std::vector<size_t> starts, Less less) {
  if (v.empty()) return;
  starts.push_back(v.size());
  for (size_t r = 0; r + 1 < starts.size(); ++r) {
    T* b = v.data() + starts[r];
    T* e = v.data() + starts[r + 1];
    if (!std::is_sorted(b, e, less)) std::stable_sort(b, e, less);
  }
  if (starts.size() <= 2) return;
  PodVector<T> buffer;
  buffer.resize_uninitialized(v.size());
  T* src = v.data();
  T* dst = buffer.data();
  while (starts.size() > 2) {
    std::vector<size_t> merged{0};
    size_t r = 0;
    for (; r + 2 < starts.size(); r += 2) {
      // Stable: of equal elements, the earlier run's come first.
      std::merge(src + starts[r], src + starts[r + 1], src + starts[r + 1], src + starts[r + 2],
                 dst + starts[r], less);
      merged.push_back(starts[r + 2]);
    }
    if (r + 1 < starts.size()) {  // an odd run out: copied as it is
      std::copy(src + starts[r], src + starts[r + 1], dst + starts[r]);
      merged.push_back(starts[r + 1]);
    }
    starts = std::move(merged);
    std::swap(src, dst);
  }
  if (src != v.data()) std::copy(src, src + v.size(), v.data());
}

}  // namespace tracelane::analysis::internal

#endif  // TRACELANE_VIEWER_ANALYSIS_SORT_RUNS_H_
