// Navigation of the timeline: wheel zoom around the cursor, drag to pan,
// Shift+drag to select a range, W/S/A/D, F to fit, Backspace or Ctrl+Z to undo,
// '.' and ',' to step through instances of a scope. Pure state changes on
// TimelineState; the frame draws the result.
#ifndef TRACELANE_VIEWER_GUI_TIMELINE_INPUT_H_
#define TRACELANE_VIEWER_GUI_TIMELINE_INPUT_H_

#include <cstdint>

#include "viewer/gui/document.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// Pushes the current view onto the undo history. Pushes less than 0.5 s apart
// coalesce (a wheel spin is one step) unless `force`. O(1) amortized.
void PushHistory(TimelineState& s, double now, bool force);
// Returns to the previous view, if any. O(1).
void UndoNavigation(TimelineState& s);
// Shows [from, to) with a 3% margin on each side, keeping the lane area's
// position and width. O(1).
void ShowRange(TimelineState& s, int64_t from, int64_t to);
// Fits the selection if there is one, else the whole trace.
void FitView(const Document& doc, TimelineState& s, double now);
// Selects a scope instance and brings it into view (zoomed so it spans half the
// width), scrolling its lane into view. O(lanes).
void JumpToScope(const Document& doc, TimelineState& s, uint32_t thread, uint32_t scope,
                 double now);
// Scrolls the lane area so the lane of `thread` is at its top, from the lane's
// LaneBox (no-op when the thread has no laid-out lane). O(lanes).
void ScrollToLane(TimelineState& s, uint32_t thread);
// The next (forward) or previous instance, in time over all threads, of the
// scope's location after/before (thread, scope). Returns false if none. O(n) in
// the instances of that location.
bool StepInstance(const Document& doc, uint32_t* thread, uint32_t* scope, bool forward);

// Where the timeline's time area is this frame (screen pixels).
struct TimeArea {
  float x0, y0, x1, y1;
  bool hovered;  // the mouse is over it and no popup covers it
};
// Applies this frame's mouse and keyboard input to `s`.
void HandleTimelineInput(const Document& doc, TimelineState& s, const TimeArea& area);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_TIMELINE_INPUT_H_
