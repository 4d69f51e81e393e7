#include "viewer/gui/layout/lane_layout.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "viewer/analysis/states.h"

namespace tracelane::gui {

using analysis::Scope;
using analysis::StateDurations;
using analysis::ThreadModel;
using analysis::ThreadState;

ThreadState DominantState(const StateDurations& d) {
  const int64_t total = analysis::Sum(d);
  int best = -1;  // highest-precedence state with >= 1/8 of the time
  int most = 0;   // state with the most time
  int best_prec = -1;
  for (int s = 0; s < analysis::kNumStates; ++s) {
    if (d[s] > d[most]) most = s;
    const int prec = analysis::StatePrecedence(static_cast<ThreadState>(s));
    if (d[s] > 0 && d[s] * 8 >= total && prec > best_prec) {
      best = s;
      best_prec = prec;
    }
  }
  return static_cast<ThreadState>(best >= 0 ? best : most);
}

void LayoutStates(const ThreadModel& t, const StateIndex& index, const TimeAxis& axis,
                  const LodOptions& lod, std::vector<RowItem>* out, LayoutStats* stats) {
  LayoutStats local;
  LayoutStats* st = stats != nullptr ? stats : &local;
  const size_t n = std::min(t.states.size(), index.spans());
  if (n == 0) return;
  const size_t row_begin = out->size();
  const double view_end = static_cast<double>(axis.width) * axis.ns_per_px;  // Since() coords
  const double merge_ns = static_cast<double>(lod.merge_px) * axis.ns_per_px;
  auto start = [&](size_t k) { return t.states[k].start_ns; };
  auto wide = [&](size_t k) { return axis.Px(t.StateEnd(k) - start(k)) >= lod.merge_px; };
  // The span holding the view's start: the last one starting at or before it.
  size_t i = internal::Gallop(
      0, n, [&](size_t k) { return axis.Since(start(k)) > 0; }, &st->probes);
  if (i > 0) --i;
  // Prefix of the last block's end, which is usually the next block's start.
  size_t cached_at = SIZE_MAX;
  StateDurations cached{};
  while (i < n) {
    ++st->visited;
    const int64_t s = start(i);
    if (axis.Since(s) >= view_end) break;
    if (axis.Since(t.StateEnd(i)) <= 0) {  // the view starts after the thread's life
      ++i;
      continue;
    }
    const uint32_t state = static_cast<uint32_t>(t.states[i].state);
    if (wide(i)) {
      internal::EmitItem(axis, s, t.StateEnd(i), i, 1, state, 0, out);
      ++i;
      continue;
    }
    // Spans beginning within merge_px of this one; a wide last one stays apart.
    const double cut = std::min(axis.Since(s) + merge_ns, view_end);
    size_t k = internal::Gallop(
        i + 1, n, [&](size_t x) { return axis.Since(start(x)) >= cut; }, &st->probes);
    if (k - 1 > i) {
      ++st->visited;
      if (wide(k - 1)) --k;
    }
    if (k - i == 1) {
      internal::EmitItem(axis, s, t.StateEnd(i), i, 1, state, 0, out);
      i = k;
      continue;
    }
    const StateDurations lo = cached_at == i ? cached : index.Prefix(t, i, &st->visited);
    cached = index.Prefix(t, k, &st->visited);
    cached_at = k;
    StateDurations d;
    for (size_t x = 0; x < d.size(); ++x) d[x] = cached[x] - lo[x];
    const uint32_t key = static_cast<uint32_t>(DominantState(d));
    RowItem* prev = out->size() > row_begin ? &out->back() : nullptr;
    if (prev != nullptr && prev->merged() && prev->key == key && prev->first + prev->count == i) {
      // Join a run of blocks with the same key into one item.
      prev->x1 = std::max(prev->x1, internal::ClipX(axis, t.StateEnd(k - 1)));
      prev->count += static_cast<uint32_t>(k - i);
    } else {
      internal::EmitItem(axis, s, t.StateEnd(k - 1), i, k - i, key, kMerged, out);
    }
    i = k;
  }
}

uint8_t ScopeCutFlags(const ThreadModel& t, uint32_t i) {
  if (!t.IsCut(i)) return 0;
  const analysis::Scope& s = t.scopes[i];
  uint8_t f = 0;
  const bool lost = t.IsCutByLoss(i);
  if (lost) {
    const analysis::DataGap* after = t.GapAt(s.end_ns);
    if (after != nullptr && after->start_ns == s.end_ns) f |= kLostEnd;
    const analysis::DataGap* before = t.GapAt(s.begin_ns - 1);
    if (before != nullptr && before->end_ns == s.begin_ns) f |= kLostBegin;
  }
  if ((f & kLostBegin) == 0 && s.begin_ns <= t.life_start_ns) f |= kCutBegin;
  if ((f & kLostEnd) == 0 && s.end_ns >= t.life_end_ns) f |= kCutEnd;
  if (f == 0) f = lost ? kLostEnd : kCutEnd;
  return f;
}

void LayoutScopes(const ThreadModel& t, size_t depth, const TimeAxis& axis, const LodOptions& lod,
                  std::vector<RowItem>* out, LayoutStats* stats) {
  if (depth >= t.scopes_by_depth.size()) return;
  LayoutStats local;
  LayoutStats* st = stats != nullptr ? stats : &local;
  const PodVector<uint32_t>& ids = t.scopes_by_depth[depth];
  auto scope = [&](size_t k) -> const Scope& { return t.scopes[ids[k]]; };
  auto begin = [&](size_t k) { return scope(k).begin_ns; };
  auto end = [&](size_t k) { return scope(k).end_ns; };
  auto cut_flags = [&](size_t k) -> uint8_t { return ScopeCutFlags(t, ids[k]); };
  // Scopes of one depth never overlap, so their ends are sorted too.
  const size_t first = internal::Gallop(
      0, ids.size(), [&](size_t k) { return axis.Since(end(k)) >= 0; }, &st->probes);
  internal::MergeRow(
      first, ids.size(), begin, end, [&](size_t k) { return scope(k).location; }, cut_flags, axis,
      lod, out, st);
}

}  // namespace tracelane::gui
