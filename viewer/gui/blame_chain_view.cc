#include "viewer/gui/blame_chain_view.h"

#include <imgui.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/timeline_input.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

using analysis::BlameTreeNode;
using analysis::CauseKind;
using analysis::ThreadState;

const ImVec4 kInferredText(1, 0.8f, 0.3f, 1);  // as the Locks panel's inferred mark

std::string Quoted(const std::string& s) { return absl::StrCat("\"", s, "\""); }

// `lock "cache"` / `condvar "cv"`.
std::string WaitedOn(const analysis::BlameHop& h) {
  return absl::StrCat(h.via == CauseKind::kCondvarWait ? "condvar " : "lock ",
                      Quoted(h.what.empty() ? "unknown" : h.what));
}

// `cache-rebuild [12] in "rebuild_cache"`, or who is unknown.
std::string Holder(const analysis::Model& m, const analysis::BlameHop& h) {
  if (h.thread == analysis::kNone || h.thread >= m.threads.size()) return "holder unknown";
  std::string s = absl::StrCat(m.ThreadLabel(h.thread), " in ", Quoted(h.scope));
  if (h.hold_cut) s += " (held since before: hold start not recorded)";
  return s;
}

void Swatch(uint32_t color) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetTextLineHeight();
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + h - 4, p.y + h - 2),
                                            color);
  ImGui::Dummy(ImVec2(h - 2, h));
  ImGui::SameLine();
}

}  // namespace

void JumpToBlameRow(const Document& doc, TimelineState& tl, const analysis::Explanation& ex,
                    const BlameTreeNode& n) {
  const analysis::Model& m = doc.model;
  const uint32_t self = ex.instance.ref.thread;
  const analysis::ThreadModel& t = m.threads[self];
  const int64_t b = n.first_ns, inst_end = ex.instance.begin_ns + ex.instance.duration_ns;
  int64_t e = t.states.empty() ? inst_end : std::min(inst_end, t.StateEnd(t.StateIndexAt(b)));
  if (e <= b) e = b + 1;
  PushHistory(tl, ImGui::GetTime(), /*force=*/true);
  const int64_t d = e - b;
  ShowRange(tl, b - d / 2, e + d / 2);
  const uint32_t lane = n.thread < m.threads.size() ? n.thread : self;
  tl.lane_selected.assign(m.threads.size(), false);
  tl.lane_selected[lane] = true;
  tl.lane_selected[self] = true;
  if (tl.range) tl.range->stats.reset();  // range statistics follow the lane selection
  ScrollToLane(tl, lane);
}

uint32_t BlameRowColor(const BlameTreeNode& n) {
  if (!n.root || n.thread == analysis::kNone) return StateColor(ThreadState::kLockWait);
  return StateColor(n.cause.root.state);
}

std::string BlameRowText(const analysis::Model& m, const BlameTreeNode& n, int64_t wall_ns) {
  const std::string time = FormatDuration(n.duration_ns),
                    share = FormatPercent(n.duration_ns, wall_ns);
  if (n.root) {
    const std::string who = n.thread < m.threads.size() ? m.ThreadLabel(n.thread) : "-";
    return absl::StrCat("root | ", n.depth + 1, " | ", n.label, " | ", who, " | ", time, " | ",
                        share);
  }
  return absl::StrCat("hop | ", n.depth + 1, " | ", WaitedOn(n.hop), " | ", Holder(m, n.hop), " | ",
                      time, " | ", share, " | confidence ", n.hop.confidence, "%");
}

void DrawBlameCell(const analysis::Model& m, const BlameTreeNode& n) {
  const float indent = ImGui::GetFontSize() * 1.4f;
  const ImVec2 at = ImGui::GetCursorPos();
  ImGui::SetCursorPos(ImVec2(at.x + indent * static_cast<float>(n.depth), at.y));
  Swatch(BlameRowColor(n));
  if (n.root) {
    ImGui::TextDisabled("=>");
    ImGui::SameLine();
    if (n.thread < m.threads.size()) {
      ImGui::TextUnformatted(m.ThreadLabel(n.thread).c_str());
      ImGui::SameLine();
    }
    ImGui::TextUnformatted(n.label.c_str());
    return;
  }
  ImGui::TextDisabled("%s", n.depth == 0 ? "waited on" : "itself waiting on");
  ImGui::SameLine();
  ImGui::TextUnformatted(WaitedOn(n.hop).c_str());
  if (n.hop.confidence < 100) {
    ImGui::SameLine();
    ImGui::TextColored(kInferredText, "(inferred, %d%% confidence)", n.hop.confidence);
  }
  ImGui::SameLine();
  ImGui::TextDisabled("->");
  ImGui::SameLine();
  ImGui::TextUnformatted(Holder(m, n.hop).c_str());
}

}  // namespace tracelane::gui
