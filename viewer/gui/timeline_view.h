// The timeline view: time ruler, process counter tracks, one lane per thread
// (state strip, nested scopes, pauses, instants), stop-the-world bands across
// every lane, wake-up arrows, the range selection and tooltips. A function of
// the Document and the TimelineState; only visible lanes and items are visited.
#ifndef TRACELANE_VIEWER_GUI_TIMELINE_VIEW_H_
#define TRACELANE_VIEWER_GUI_TIMELINE_VIEW_H_

#include <cstdint>

#include "viewer/gui/document.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// Fixed geometry of the view (pixels).
inline constexpr float kLabelWidth = 230;
inline constexpr float kRulerHeight = 28;
inline constexpr float kCounterHeight = 34;

// Draws the timeline into the current ImGui window's remaining content region,
// applying this frame's navigation input first. O(visible lanes x visible items
// x log n).
void DrawTimeline(const Document& doc, TimelineState& s);

// Recomputes lane order and geometry when they are stale (sort or fold changed,
// or a new document). O(lanes log lanes).
void UpdateLanes(const Document& doc, TimelineState& s);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_TIMELINE_VIEW_H_
