// Draws one thread lane of the timeline: the label column, the header row
// (pauses, instants), the state strip with its data-loss gaps and the scope rows, from the layout
// library's level-of-detail items. Records what the mouse is over.
#ifndef TRACELANE_VIEWER_GUI_LANE_PAINTER_H_
#define TRACELANE_VIEWER_GUI_LANE_PAINTER_H_

#include <imgui.h>

#include <vector>

#include "viewer/gui/document.h"
#include "viewer/gui/hover.h"
#include "viewer/gui/layout/lane_geometry.h"
#include "viewer/gui/layout/lane_layout.h"
#include "viewer/gui/layout/time_axis.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// A "data lost" marker over [a, b): orange with dark diagonal stripes, a colour
// no thread state uses, so a gap of lost events never reads as a state. Used by
// the state strips and the legend. O(width / 6 px).
void DrawLossHatch(ImDrawList* dl, ImVec2 a, ImVec2 b);

struct LanePainter {
  const Document& doc;
  const TimelineState& state;
  const TimeAxis& axis;
  const LaneMetrics& metrics;
  ImDrawList* dl;
  ImVec2 mouse;
  bool mouse_in_area;          // over the time area, not over a popup
  HoverInfo* hover;            // receives what the mouse is over
  std::vector<RowItem> items;  // scratch, reused across rows

  // The lane's rows in the time area; `top` is the lane's screen y. Cost:
  // O(visible items * log n) per row.
  void PaintRows(const LaneBox& box, float top);
  // The lane's label in the name column [x0, x1). Returns true if the fold
  // triangle was clicked.
  bool PaintLabel(const LaneBox& box, float top, float x0, float x1);

 private:
  void PaintHeader(uint32_t thread, float y);
  void PaintStates(uint32_t thread, float y);
  void PaintGaps(uint32_t thread, float y0, float y1);
  void PaintScopes(uint32_t thread, size_t depth, float y);
  bool Hit(float x0, float x1, float y0, float y1) const;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LANE_PAINTER_H_
