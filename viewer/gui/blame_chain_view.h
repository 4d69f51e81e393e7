// The rows of the Explain panel's blame chains, hop by hop: for each lock or
// condvar wait of the explained instance, the lock (or condvar) waited on, the
// thread that held (or notified) it with its scope over that time and the time
// attributed through that hop, indented under the previous hop, down to the
// roots (what the last thread was doing: running, sleeping, in IO, runnable
// with the CPU context, a hand-off) with their time. Inferred absl::Mutex hops
// show their confidence. Each row jumps to that thread's lane at that time.
// The tree is analysis::BuildBlameTree (the numbers of `tracelane explain`,
// regrouped), computed once per selection; the panel's parts table
// (explain_panel.cc) lays the rows out among the other parts.
#ifndef TRACELANE_VIEWER_GUI_BLAME_CHAIN_VIEW_H_
#define TRACELANE_VIEWER_GUI_BLAME_CHAIN_VIEW_H_

#include <string>
#include <vector>

#include "viewer/analysis/blame_tree.h"
#include "viewer/analysis/explain.h"
#include "viewer/gui/document.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// The text of one tree row, as the panel records it for --dump-view-json:
// "hop | DEPTH | lock \"cache\" | cache-rebuild [12] in \"rebuild_cache\" | TIME |
// SHARE | confidence N%" or "root | DEPTH | running | cache-rebuild [12] | TIME |
// SHARE". DEPTH counts from 1 (the instance's own wait). O(length).
std::string BlameRowText(const analysis::Model& m, const analysis::BlameTreeNode& n,
                         int64_t wall_ns);

// Draws the cause cell of tree row `n` in the current table cell: indented by
// its depth, a hop as `waited on lock "cache" -> cache-rebuild [12] in
// "rebuild_cache"` (with "(inferred, N% confidence)" for an inferred wait), a
// root as `=> cache-rebuild [12] running` in its state's colour. O(1).
void DrawBlameCell(const analysis::Model& m, const analysis::BlameTreeNode& n);

// The colour a row's time bar and swatch take: the lock-wait colour for hops,
// the root's state for roots. O(1).
uint32_t BlameRowColor(const analysis::BlameTreeNode& n);

// Shows the row's thread's lane (the explained thread's for a hand-off or an
// unknown holder) at the row's first span, with the explained thread's lane
// also selected; the view spans the explained thread's wait there. Undo with
// Backspace. O(lanes).
void JumpToBlameRow(const Document& doc, TimelineState& tl, const analysis::Explanation& ex,
                    const analysis::BlameTreeNode& n);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_BLAME_CHAIN_VIEW_H_
