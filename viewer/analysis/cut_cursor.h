// Whether scope instances are cut (ThreadModel::IsCut / IsCutByLoss), answered in
// O(1) amortized for references visited in increasing index order within a
// thread — the order of Model::scopes_by_location — instead of a binary search
// per instance. Out-of-order references (a thread visited again, or an index
// going back) cost one binary search.
#ifndef TRACELANE_VIEWER_ANALYSIS_CUT_CURSOR_H_
#define TRACELANE_VIEWER_ANALYSIS_CUT_CURSOR_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "viewer/analysis/model.h"

namespace tracelane::analysis {

class CutCursor {
 public:
  explicit CutCursor(const Model& m) : m_(m) {}

  // True if scope `r` is cut; then *by_loss (if given) says whether lost data
  // (not the capture window) cut it. O(1) amortized in order, else O(log cuts).
  bool IsCut(ScopeRef r, bool* by_loss = nullptr) {
    const ThreadModel& t = m_.threads[r.thread];
    if (r.thread != thread_ || r.index < last_) {
      thread_ = r.thread;
      cut_ = LowerBound(t.cut_scopes, r.index);
      lost_ = LowerBound(t.lost_scopes, r.index);
    }
    last_ = r.index;
    if (!Advance(t.cut_scopes, r.index, &cut_)) return false;
    if (by_loss != nullptr) *by_loss = Advance(t.lost_scopes, r.index, &lost_);
    return true;
  }

 private:
  static size_t LowerBound(const std::vector<uint32_t>& v, uint32_t x) {
    return static_cast<size_t>(std::lower_bound(v.begin(), v.end(), x) - v.begin());
  }
  // Moves *pos to the first element >= x; true if it equals x.
  static bool Advance(const std::vector<uint32_t>& v, uint32_t x, size_t* pos) {
    while (*pos < v.size() && v[*pos] < x) ++*pos;
    return *pos < v.size() && v[*pos] == x;
  }

  const Model& m_;
  uint32_t thread_ = kNone;
  uint32_t last_ = 0;
  size_t cut_ = 0;
  size_t lost_ = 0;
};

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_CUT_CURSOR_H_
