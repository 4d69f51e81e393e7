// "Limit to the selected range" for the Threads, Locks and Scopes panels: the
// toggle each panel draws, the range it stands for (the timeline's Shift+drag
// selection and its lane selection), and the progress line panels draw while
// their statistics are computed off the UI thread (BackgroundJob).
#ifndef TRACELANE_VIEWER_GUI_RANGE_LIMIT_H_
#define TRACELANE_VIEWER_GUI_RANGE_LIMIT_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "viewer/gui/document.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// A time range and the threads a range-limited table covers (empty = all).
struct RangeKey {
  int64_t from_ns = 0;
  int64_t to_ns = 0;
  std::vector<uint32_t> threads;
  bool operator==(const RangeKey& o) const {
    return from_ns == o.from_ns && to_ns == o.to_ns && threads == o.threads;
  }
  bool operator!=(const RangeKey& o) const { return !(*this == o); }
};

// The timeline's selected range and lanes, or nullopt without a range
// selection. O(threads).
std::optional<RangeKey> SelectedRange(const Document& doc, const TimelineState& timeline);

// Draws the "limit to the selected range" checkbox (disabled without a range
// selection, with the range's bounds next to it) and returns the range the
// panel shows this frame: nullopt when the toggle is off or there is no
// selection (the whole capture). Stays on the same line. O(threads).
std::optional<RangeKey> DrawRangeToggle(const Document& doc, const TimelineState& timeline,
                                        bool* on);

// "computing <what>... 42%" with a progress bar, for a table being computed. O(1).
void DrawComputing(const char* what, float progress);

// The lane selection as thread indices (empty = all lanes). O(threads).
std::vector<uint32_t> SelectedLanes(const Document& doc, const TimelineState& timeline);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_RANGE_LIMIT_H_
