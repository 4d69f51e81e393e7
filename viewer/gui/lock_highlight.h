// The Locks panel's mark on the timeline: every wait for the selected lock
// (TimelineState::highlight_lock) outlined on the state strips of the visible
// lanes, the wait being stepped through filled brighter, cut waits (their end
// was not recorded) in the cut colour.
#ifndef TRACELANE_VIEWER_GUI_LOCK_HIGHLIGHT_H_
#define TRACELANE_VIEWER_GUI_LOCK_HIGHLIGHT_H_

#include <imgui.h>

#include <vector>

#include "viewer/analysis/lock_contention.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/document.h"
#include "viewer/gui/layout/lane_geometry.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// Sets s.highlight_lock to `lock` and indexes its waits per thread for
// DrawLockHighlight. O(waits of the lock).
void SetLockHighlight(const Document& doc, TimelineState& s, uint64_t lock,
                      const std::vector<analysis::LockWaitRef>& waits);

// Draws the highlight into `dl` (clipped by the caller to the lane area) for
// the lanes [first, last) of s.boxes, whose area starts at screen y `lanes_y0`.
// Waits closer than a pixel merge into one outline: a run skips ahead by binary
// search to the first wait beginning a pixel after it, so a lane costs
// O(pixels x log waits) however many waits are in view.
void DrawLockHighlight(const Document& doc, const TimelineState& s, const LaneMetrics& metrics,
                       ImDrawList* dl, float lanes_y0, size_t first, size_t last);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LOCK_HIGHLIGHT_H_
