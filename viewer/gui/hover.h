// What the mouse is over in the timeline this frame, recorded while drawing and
// described by the tooltip afterwards.
#ifndef TRACELANE_VIEWER_GUI_HOVER_H_
#define TRACELANE_VIEWER_GUI_HOVER_H_

#include <cstdint>

#include "viewer/analysis/model.h"
#include "viewer/gui/layout/lane_layout.h"

namespace tracelane::gui {

enum class HoverKind : uint8_t {
  kNone,
  kState,    // item.first = state span index (count > 1: merged spans)
  kScope,    // item.first = position in scopes_by_depth[depth]
  kPause,    // item.first = index in ThreadModel::pauses
  kInstant,  // item.first = index in ThreadModel::instants
  kStw,      // item.first = index in Model::stw
  kLoss,     // the lane's loss marker
  kCounter,  // item.first = index in CounterTrack::points; thread = track index
  kGap,      // item.first = index in ThreadModel::gaps (count > 1: merged gaps)
};

struct HoverInfo {
  HoverKind kind = HoverKind::kNone;
  uint32_t thread = analysis::kNone;
  size_t depth = 0;
  RowItem item{};
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_HOVER_H_
