// The merge rule shared by the scope rows and the generic span rows of a lane
// (LayoutScopes, LayoutSpans), and the small search and clipping helpers of the
// layout. Internal to the layout library; include lane_layout.h instead.
#ifndef TRACELANE_VIEWER_GUI_LAYOUT_ROW_MERGE_H_
#define TRACELANE_VIEWER_GUI_LAYOUT_ROW_MERGE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "viewer/gui/layout/row_item.h"
#include "viewer/gui/layout/time_axis.h"

namespace tracelane::gui::internal {

// The first k in [lo, hi) with pred(k), or hi, for a predicate that is false then
// true over [lo, hi). Exponential then binary search from lo, so it costs
// O(log(k - lo)): cheap when the answer is near. Adds the predicate calls to
// *probes.
template <typename Pred>
size_t Gallop(size_t lo, size_t hi, Pred pred, uint64_t* probes) {
  size_t a = lo;  // every k < a has !pred(k)
  size_t b = hi;  // pred(b), or b == hi
  size_t step = 1;
  while (a < hi) {
    const size_t probe = hi - a > step ? a + step - 1 : hi - 1;
    ++*probes;
    if (pred(probe)) {
      b = probe;
      break;
    }
    a = probe + 1;
    step *= 2;
  }
  while (a < b) {
    const size_t mid = a + (b - a) / 2;
    ++*probes;
    if (pred(mid)) {
      b = mid;
    } else {
      a = mid + 1;
    }
  }
  return a;
}

// Pixel of time `ns` clamped to the axis's lane area [x0, x0 + width]. O(1).
inline float ClipX(const TimeAxis& axis, int64_t ns) {
  const double lo = axis.x0;
  return static_cast<float>(std::clamp(lo + axis.Since(ns) / axis.ns_per_px, lo, lo + axis.width));
}

// Appends the item [begin_ns, end_ns) clipped to the axis's lane area. O(1).
inline void EmitItem(const TimeAxis& axis, int64_t begin_ns, int64_t end_ns, size_t first,
                     size_t count, uint32_t key, uint8_t flags, std::vector<RowItem>* out) {
  const float x0 = ClipX(axis, begin_ns);
  const float x1 = std::max(x0, ClipX(axis, end_ns));
  out->push_back(
      RowItem{x0, x1, static_cast<uint32_t>(first), static_cast<uint32_t>(count), key, flags});
}

// Lays out items [first, n) of a row whose items are sorted by start (ends
// sorted too, or nearly: slight overlaps are tolerated) from the first one that
// may be visible. An item at least merge_px wide is drawn alone; a narrower one
// starts a merged block that absorbs every following item starting within
// merge_px (in time: merge_px * ns_per_px) after the block's end, found by
// binary search, until the gap is wider or the next item is itself wide; the
// block's key is its first item's. A block stops growing at the right edge of
// the view (it covers no item starting after the view). Items ending before the view are skipped;
// the loop stops at the first item starting after the view.
//
// Cost: every block grows by at least merge_px every two searches, so the row
// costs O((visible px / merge_px + single items) * log n), independent of n.
//
// start(k), end(k): times of item k; key(k): its colour key; flags(k): its
// RowItem flags when drawn alone (e.g. cut flags).
template <typename StartFn, typename EndFn, typename KeyFn, typename FlagsFn>
void MergeRow(size_t first, size_t n, StartFn start, EndFn end, KeyFn key, FlagsFn flags,
              const TimeAxis& axis, const LodOptions& lod, std::vector<RowItem>* out,
              LayoutStats* stats) {
  LayoutStats local;
  LayoutStats* st = stats != nullptr ? stats : &local;
  const double view_end = static_cast<double>(axis.width) * axis.ns_per_px;  // Since() coords
  const double merge_ns = static_cast<double>(lod.merge_px) * axis.ns_per_px;
  auto wide = [&](size_t k) { return axis.Px(end(k) - start(k)) >= lod.merge_px; };
  size_t i = first;
  while (i < n) {
    ++st->visited;
    const int64_t s = start(i);
    if (axis.Since(s) >= view_end) break;
    int64_t e = end(i);
    if (axis.Since(e) < 0) {  // ends before the view
      ++i;
      continue;
    }
    if (wide(i)) {
      EmitItem(axis, s, e, i, 1, key(i), flags(i), out);
      ++i;
      continue;
    }
    size_t j = i + 1;  // the block is [i, j)
    while (j < n && axis.Since(e) < view_end) {
      // Nothing that starts after the view joins the block.
      const double cut = std::min(axis.Since(e) + merge_ns, view_end);
      const size_t k = Gallop(
          j, n, [&](size_t x) { return axis.Since(start(x)) >= cut; }, &st->probes);
      if (k == j) break;  // the next item starts merge_px or more after the block
      ++st->visited;
      if (wide(k - 1)) {  // items j .. k-2 are narrow; k - 1 ends the block
        if (k - 1 > j) {
          ++st->visited;
          e = std::max(e, end(k - 2));
        }
        j = k - 1;
        break;
      }
      e = std::max(e, end(k - 1));
      j = k;
    }
    if (j - i == 1) {
      EmitItem(axis, s, e, i, 1, key(i), flags(i), out);
    } else {
      EmitItem(axis, s, e, i, j - i, key(i), kMerged, out);
    }
    i = j;
  }
}

}  // namespace tracelane::gui::internal

#endif  // TRACELANE_VIEWER_GUI_LAYOUT_ROW_MERGE_H_
