// The Explain panel: "why was this instance slow?" for the scope instance
// selected in TimelineState (a click on the timeline, the Scopes panel, or
// --select-scope NAME --rank K): its wall time split into thread states (a
// stacked bar and a table) and its parts ranked largest first, as `tracelane
// explain` lists them (Explanation::parts: lock waits with
// the lock, the holder thread and the holder's scope, pauses, stop-the-world,
// scheduler waits, lost data), all from analysis::Explain, the code behind
// `tracelane explain`, except that each lock or condvar wait is laid out hop by
// hop down its blame chains (blame_chain_view.h: the lock, who held it in which
// scope and the time through that hop; under it where that time ended); a
// header says which instance it is ("rank K of N", slowest first; cut
// instances not ranked). Clicking a row shows it on the timeline: the holder's
// (or the thread's own) lane selected and scrolled to, zoomed to the first span.
#ifndef TRACELANE_VIEWER_GUI_EXPLAIN_PANEL_H_
#define TRACELANE_VIEWER_GUI_EXPLAIN_PANEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "viewer/analysis/blame_tree.h"
#include "viewer/analysis/explain.h"
#include "viewer/gui/document.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

struct ExplainPanelState {
  // The instance explained and its explanation, computed once per selection.
  uint32_t thread = analysis::kNone;
  uint32_t scope = analysis::kNone;
  std::optional<analysis::Explanation> explanation;
  // Its blame chains hop by hop (analysis::BuildBlameTree), and where it ranks
  // among the complete instances of its scope's name (rank 0: cut, not ranked;
  // `instances` complete ones, `cut` cut ones).
  std::vector<analysis::BlameTreeNode> chains;
  uint64_t rank = 0, instances = 0, cut = 0;
  // The text the panel laid out in its last frame, one entry per line or table
  // row (cells joined by " | "), for --dump-view-json and tests.
  std::vector<std::string> lines;
};

// Draws the panel into the current window. Explaining a new selection costs
// O(log n + spans inside the instance) once (analysis::Explain); a frame
// costs O(states + causes).
void DrawExplainPanel(const Document& doc, TimelineState& timeline, ExplainPanelState& state);

// {"view": "explain", "thread": T, "scope": S, "rank": K, "instances": N,
// "cut": C, "lines": [...]}: what the panel
// laid out in its last frame (ExplainPanelState::lines). O(lines).
std::string ExplainPanelJson(const ExplainPanelState& state);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_EXPLAIN_PANEL_H_
