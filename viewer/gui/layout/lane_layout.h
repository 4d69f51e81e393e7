// Level-of-detail layout of the rows of one lane (a thread): the state strip,
// one row per scope depth, and generic span rows (lock waits, pauses, blocks).
// Each function turns the items visible on a TimeAxis into RowItems: items wide
// enough are drawn alone, runs of narrow ones become merged blocks found by
// binary search, so the cost depends on the pixels drawn, not on the number of
// items in the trace.
//
//   StateIndex index(t);                       // once per thread, after loading
//   std::vector<RowItem> row;
//   LayoutStates(t, index, axis, {}, &row);    // each frame
#ifndef TRACELANE_VIEWER_GUI_LAYOUT_LANE_LAYOUT_H_
#define TRACELANE_VIEWER_GUI_LAYOUT_LANE_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/gui/layout/row_item.h"
#include "viewer/gui/layout/row_merge.h"
#include "viewer/gui/layout/state_index.h"
#include "viewer/gui/layout/time_axis.h"

namespace tracelane::gui {

// The state that matters most in a merged block with these durations: the
// highest-precedence state (analysis::StatePrecedence: Paused > Lock wait > ...)
// holding at least 1/8 of the block's time, else the state with the most time
// (Running for an all-zero block). O(states).
analysis::ThreadState DominantState(const analysis::StateDurations& d);

// Appends the state strip of thread t to *out (key = ThreadState, first = state
// span index). Every visible span at least merge_px wide is its own item. A
// narrow span starts a merged block holding the spans that begin within merge_px
// of it (a following wide span stays separate), keyed by DominantState of the
// block's time from the StateIndex, so lock waits and pauses stay visible when
// merged; consecutive blocks with the same key are joined into one item. Cost
// O(visible blocks * (log n + 16)), independent of how many spans a block covers.
// `index` must have been built from t.
void LayoutStates(const analysis::ThreadModel& t, const StateIndex& index, const TimeAxis& axis,
                  const LodOptions& lod, std::vector<RowItem>* out, LayoutStats* stats = nullptr);

// Appends the scopes of depth `depth` (t.scopes_by_depth[depth]; first = position
// in that list; key = the scope's location, for a merged block its first scope's
// location) to *out. Items narrower than merge_px merge with following items
// that start within merge_px of the block's end, found by binary search (skip
// ahead to the first scope beginning at or after the block's end + merge_px in
// time), so a zoomed-out row with millions of scopes costs O(pixels * log n), not
// O(n). A single cut scope gets ScopeCutFlags. A depth without scopes adds
// nothing.
void LayoutScopes(const analysis::ThreadModel& t, size_t depth, const TimeAxis& axis,
                  const LodOptions& lod, std::vector<RowItem>* out, LayoutStats* stats = nullptr);

// Which sides of scope `i` of `t` were not recorded, and why: kLostBegin /
// kLostEnd where a DataGap of the thread ends at its begin / starts at its end
// (ThreadModel::IsCutByLoss: its events were lost), kCutBegin / kCutEnd where it
// begins at the thread's life start / ends at its life end (the capture window
// cut it). A cut scope gets at least one flag (kLostEnd or kCutEnd when no side
// matches); 0 for a complete scope. O(log cut scopes + log gaps).
uint8_t ScopeCutFlags(const analysis::ThreadModel& t, uint32_t i);

// Appends generic spans sorted by start (lock waits, pauses, blocks; possibly
// overlapping slightly) with the LayoutScopes merge rule; first = index in
// `items`, key = key_of(item), flags 0 (or kMerged). start(item) and end(item)
// give an item's [start, end) in ns. The first visible item is found by binary
// search on starts, then up to 32 earlier items are checked for still running
// ones; a longer span that began before those is not drawn (only possible when
// spans nest). O(pixels * log n).
template <typename Vector, typename StartFn, typename EndFn, typename KeyFn>
void LayoutSpans(const Vector& items, StartFn start, EndFn end, KeyFn key_of,
                 const TimeAxis& axis, const LodOptions& lod, std::vector<RowItem>* out,
                 LayoutStats* stats = nullptr) {
  LayoutStats local;
  LayoutStats* st = stats != nullptr ? stats : &local;
  auto start_at = [&](size_t k) -> int64_t { return start(items[k]); };
  auto end_at = [&](size_t k) -> int64_t { return end(items[k]); };
  const size_t n = items.size();
  // First item starting at or after the view's start, then still-running ones.
  size_t first = internal::Gallop(
      0, n, [&](size_t k) { return axis.Since(start_at(k)) >= 0; }, &st->probes);
  constexpr size_t kLookBack = 32;
  for (size_t k = first, seen = 0; k > 0 && seen < kLookBack; --k, ++seen) {
    ++st->visited;
    if (axis.Since(end_at(k - 1)) >= 0) first = k - 1;
  }
  internal::MergeRow(
      first, n, start_at, end_at, [&](size_t k) { return static_cast<uint32_t>(key_of(items[k])); },
      [](size_t) { return uint8_t{0}; }, axis, lod, out, st);
}

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LAYOUT_LANE_LAYOUT_H_
