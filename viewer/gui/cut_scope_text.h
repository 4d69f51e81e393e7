// Words for a scope instance with no complete duration: which side of it was
// not recorded, and whether the capture window or lost data cut it. The
// scope tooltip and the Explain panel say the same thing. No ImGui.
#ifndef TRACELANE_VIEWER_GUI_CUT_SCOPE_TEXT_H_
#define TRACELANE_VIEWER_GUI_CUT_SCOPE_TEXT_H_

#include <cstdint>
#include <string>

#include "viewer/analysis/model.h"

namespace tracelane::gui {

// Why scope `scope` of `thread` has no complete duration, for people:
// "Cut by lost data: its end was lost: the thread's events were lost from +1.2 s
// to +1.3 s (300 events). Its real duration is unknown (...)", or "Cut by the
// capture window: it began before the capture window. ..."; "" for a complete
// scope. O(log n).
std::string CutScopeText(const analysis::Model& m, uint32_t thread, uint32_t scope);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_CUT_SCOPE_TEXT_H_
