// The panel area below the timeline: a splitter bar the user drags to resize it
// (PanelLayout::kMinHeight px to 70% of the window) and a tab bar with the
// Selection, Threads, MMU and Trace info panels. The layout (height, active tab)
// is saved to $XDG_CONFIG_HOME/tracelane/layout when it changes, unless
// `persist` is off (headless runs neither read nor write it).
#ifndef TRACELANE_VIEWER_GUI_PANEL_AREA_H_
#define TRACELANE_VIEWER_GUI_PANEL_AREA_H_

#include <memory>

#include "viewer/gui/document.h"
#include "viewer/gui/explain_panel.h"
#include "viewer/gui/locks_panel.h"
#include "viewer/gui/mmu_panel.h"
#include "viewer/gui/panel_layout.h"
#include "viewer/gui/scopes_panel.h"
#include "viewer/gui/threads_panel.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// Height of the splitter bar (px).
inline constexpr float kSplitterHeight = 7;

// The panel area's state, one per App; the panels' caches are per document.
struct PanelArea {
  PanelLayout layout;
  PanelLayout saved;           // what the layout file holds
  bool persist = true;         // save layout changes
  bool tab_request = true;     // make layout.tab the active tab (start, --view)
  bool was_selecting = false;  // a Shift+drag was in progress last frame
  ThreadsPanelState threads;
  MmuPanelState mmu;
  LocksPanelState locks;
  ScopesPanelState scopes;
  ExplainPanelState explain;
};

// Height the area takes below the timeline this frame, splitter included, in a
// window `window_h` px high. O(1).
float PanelAreaHeight(const PanelArea& area, float window_h);

// Forgets the panels' per-document state (sort orders, MMU curves). O(1)
// plus joining MMU computations in flight (they stop at their next step).
void ResetPanels(PanelArea& area);

// True while the active panel shows something still being computed off the UI
// thread (headless runs render again until it is done). O(1).
bool PanelAreaBusy(const PanelArea& area);

// Draws the splitter and the tabs into the current window's remaining content
// region, and applies splitter drags and tab changes (saving the layout when
// they end). Cost: the active panel's (each panel documents its own).
void DrawPanelArea(const std::shared_ptr<const Document>& doc, TimelineState& timeline,
                   PanelArea& area);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_PANEL_AREA_H_
