// Process counter tracks (TRACE_COUNTER): one small step chart per counter,
// above the thread lanes, with its current range of values.
#ifndef TRACELANE_VIEWER_GUI_COUNTER_TRACKS_H_
#define TRACELANE_VIEWER_GUI_COUNTER_TRACKS_H_

#include <imgui.h>

#include "viewer/gui/document.h"
#include "viewer/gui/hover.h"
#include "viewer/gui/layout/time_axis.h"

namespace tracelane::gui {

// Draws every counter track (kCounterHeight each) from y0 down; labels in the
// column left of axis.x0 starting at x_left. Per track O(log n + min(visible
// points, 4 x width)): dense stretches are drawn as one min-max bar per pixel.
void PaintCounterTracks(const Document& doc, const TimeAxis& axis, ImDrawList* dl, float x_left,
                        float y0, ImVec2 mouse, bool mouse_in, HoverInfo* hover);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_COUNTER_TRACKS_H_
