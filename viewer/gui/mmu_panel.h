// The MMU panel: minimum mutator utilization (analysis::MmuCalculator) over
// window widths from 1 us to the capture length on a log axis, system-wide
// (analysis::SystemUtilization) or for one thread (ThreadUtilization), drawn
// with ImDrawList. Hovering shows a point; clicking pins its width; the worst
// windows of the hovered or pinned width are listed, and clicking one zooms the
// timeline to it and selects it. Curves are computed once per document and
// thread choice, off the UI thread (MmuJob); the panel shows progress meanwhile.
#ifndef TRACELANE_VIEWER_GUI_MMU_PANEL_H_
#define TRACELANE_VIEWER_GUI_MMU_PANEL_H_

#include <cstdint>
#include <map>
#include <memory>

#include "viewer/analysis/model.h"
#include "viewer/gui/document.h"
#include "viewer/gui/mmu_job.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

struct MmuPanelState {
  const Document* doc = nullptr;                     // what `jobs` were computed for
  uint32_t thread = analysis::kNone;                 // whose utilization; kNone = all threads
  std::map<uint32_t, std::unique_ptr<MmuJob>> jobs;  // by thread choice
  int pinned = -1;       // curve point clicked; -1: the one nearest 10 ms
  int hovered = -1;      // curve point under the mouse this frame, or -1
  bool waiting = false;  // the last frame showed something still being computed
};

// Draws the panel into the current window's remaining region, starting the
// computation for the current choice if there is none. O(curve points + 5)
// per frame on the UI thread; the curve costs what MmuCalculator::Curve and
// Worst cost, on a worker thread.
void DrawMmuPanel(const std::shared_ptr<const Document>& doc, TimelineState& timeline,
                  MmuPanelState& s);

// True while the last frame drew a curve or a worst-window list that was still
// being computed (headless runs wait for it). O(1).
inline bool MmuPanelBusy(const MmuPanelState& s) { return s.waiting; }

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_MMU_PANEL_H_
