#include "viewer/gui/cut_scope_text.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "viewer/gui/layout/lane_layout.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {

std::string CutScopeText(const analysis::Model& m, uint32_t thread, uint32_t scope) {
  const analysis::ThreadModel& t = m.threads[thread];
  const uint8_t f = ScopeCutFlags(t, scope);
  if (f == 0) return "";
  const analysis::Scope& s = t.scopes[scope];
  std::vector<std::string> why;
  const auto gap_text = [&](const analysis::DataGap* g) {
    if (g == nullptr) return std::string("its events were lost");
    return absl::StrCat("the thread's events were lost from ",
                        FormatOffset(g->start_ns, m.start_ns), " to ",
                        FormatOffset(g->end_ns, m.start_ns),
                        g->events_known ? absl::StrCat(" (", g->lost_events, " events)") : "");
  };
  if (f & kLostBegin)
    why.push_back(absl::StrCat("its begin was lost: ", gap_text(t.GapAt(s.begin_ns - 1))));
  if (f & kLostEnd) why.push_back(absl::StrCat("its end was lost: ", gap_text(t.GapAt(s.end_ns))));
  if (f & kCutBegin) why.push_back("it began before the capture window");
  if (f & kCutEnd) why.push_back("it was still running when the capture window ended");
  const bool lost = (f & (kLostBegin | kLostEnd)) != 0;
  return absl::StrCat(lost ? "Cut by lost data" : "Cut by the capture window", ": ",
                      absl::StrJoin(why, "; "), ". Its real duration is unknown (",
                      FormatDuration(s.end_ns - s.begin_ns),
                      " is a lower bound), so it is not ranked; below is only the recorded part.");
}

}  // namespace tracelane::gui
