// Helpers for the layout tests: threads filled directly (for the large
// level-of-detail inputs) and invariants of a laid-out row.
#ifndef TRACELANE_TESTS_VIEWER_LAYOUT_TEST_UTIL_H_
#define TRACELANE_TESTS_VIEWER_LAYOUT_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/states.h"
#include "viewer/gui/layout/row_item.h"
#include "viewer/gui/layout/time_axis.h"

namespace tracelane::gui::test_util {

// A thread whose states are the given (length, state) spans from `start`.
inline analysis::ThreadModel StatesThread(
    const std::vector<std::pair<int64_t, analysis::ThreadState>>& spans, int64_t start = 1000) {
  analysis::ThreadModel t;
  t.life_start_ns = start;
  t.states.reserve(spans.size());
  int64_t at = start;
  for (const auto& [len, state] : spans) {
    t.states.push_back(analysis::StateSpan{at, state});
    at += len;
  }
  t.life_end_ns = at;
  return t;
}

// Appends a top-level scope (depth 0) to t.
inline void AddTopScope(analysis::ThreadModel* t, int64_t begin, int64_t end, uint32_t location) {
  if (t->scopes_by_depth.empty()) t->scopes_by_depth.emplace_back();
  t->scopes_by_depth[0].push_back(static_cast<uint32_t>(t->scopes.size()));
  t->scopes.push_back(analysis::Scope{begin, end, location, analysis::kNone});
  if (t->life_end_ns < end) t->life_end_ns = end;
}

// "" or the first violated invariant of a row laid out from `n_items` items:
// items inside the lane area, in order, disjoint in index ranges, merged flag
// consistent with count.
inline std::string CheckRow(const std::vector<RowItem>& row, const TimeAxis& axis,
                            uint64_t n_items) {
  uint64_t next = 0;
  for (size_t i = 0; i < row.size(); ++i) {
    const RowItem& r = row[i];
    const std::string at = absl::StrCat(" at item ", i);
    if (r.x0 < axis.x0 || r.x1 > axis.x0 + axis.width || r.x1 < r.x0) return "outside" + at;
    if (r.count == 0) return "empty item" + at;
    if (r.first < next) return "items overlap or are out of order" + at;
    if (uint64_t{r.first} + r.count > n_items) return "covers items past the end" + at;
    if (r.merged() != (r.count > 1)) return "kMerged does not match count" + at;
    if (i > 0 && r.x0 < row[i - 1].x1 - 1e-3f) return "x overlaps the previous item" + at;
    next = uint64_t{r.first} + r.count;
  }
  return "";
}

// Sum of the counts of a row.
inline uint64_t Covered(const std::vector<RowItem>& row) {
  uint64_t n = 0;
  for (const RowItem& r : row) n += r.count;
  return n;
}

}  // namespace tracelane::gui::test_util

#endif  // TRACELANE_TESTS_VIEWER_LAYOUT_TEST_UTIL_H_
