// The Scopes panel's latency histogram of one scope location, drawn with
// ImDrawList: the buckets of analysis::ScopeStats::histogram on a log-scale
// duration axis, bar heights on a log count scale (so the tail's single
// instances stay visible) or a linear one, p50 and p99 markers, a tooltip per
// bucket (range, count, share, share at or below it), click to pick a bucket.
#ifndef TRACELANE_VIEWER_GUI_SCOPE_HISTOGRAM_H_
#define TRACELANE_VIEWER_GUI_SCOPE_HISTOGRAM_H_

#include <imgui.h>

#include <cstdint>

#include "viewer/analysis/scope_stats.h"
#include "viewer/gui/colors.h"

namespace tracelane::gui {

// Draws the histogram of `s` in a `size` box at the cursor. `selected` is the
// picked bucket's index in s.histogram (-1: none). Returns the index of the
// bucket clicked this frame, or -1. O(buckets).
int DrawScopeHistogram(const analysis::ScopeStats& s, ImVec2 size, int selected, bool log_counts);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_SCOPE_HISTOGRAM_H_
