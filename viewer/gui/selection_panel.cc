#include "viewer/gui/selection_panel.h"

#include <imgui.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "viewer/analysis/range_stats.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/timeline_input.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

using analysis::ThreadState;

constexpr size_t kRows = 8;

void StatesTable(const analysis::RangeStats& r) {
  const int64_t total = analysis::Sum(r.states);
  if (!ImGui::BeginTable("range_states", 3,
                         ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    return;
  }
  ImGui::TableSetupColumn("state");
  ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableSetupColumn("share", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableHeadersRow();
  for (int i = 0; i < analysis::kNumStates; ++i) {
    const int64_t ns = r.states[i];
    if (ns == 0) continue;
    const auto st = static_cast<ThreadState>(i);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    dl->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + h - 4, p.y + h - 2), StateColor(st));
    ImGui::Dummy(ImVec2(h - 2, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(analysis::StateLabel(st));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatDuration(ns).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatPercent(ns, total).c_str());
  }
  ImGui::EndTable();
}

void ScopesTable(const analysis::RangeStats& r) {
  if (!ImGui::BeginTable("range_scopes", 3,
                         ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    return;
  }
  ImGui::TableSetupColumn("scope (time inside the range)");
  ImGui::TableSetupColumn("instances", ImGuiTableColumnFlags_WidthFixed, 70);
  ImGui::TableSetupColumn("inside", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableHeadersRow();
  for (size_t i = 0; i < std::min(kRows, r.scopes.size()); ++i) {
    const analysis::RangeScope& sc = r.scopes[i];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(sc.name.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%llu", static_cast<unsigned long long>(sc.instances));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatDuration(sc.inside_ns).c_str());
  }
  if (r.scopes.empty()) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("no scopes in the range");
  }
  ImGui::EndTable();
}

void LocksTable(const analysis::RangeStats& r) {
  if (!ImGui::BeginTable("range_locks", 4,
                         ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    return;
  }
  ImGui::TableSetupColumn("lock waited on");
  ImGui::TableSetupColumn("waits", ImGuiTableColumnFlags_WidthFixed, 50);
  ImGui::TableSetupColumn("inside", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableSetupColumn("longest", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableHeadersRow();
  for (size_t i = 0; i < std::min(kRows, r.locks.size()); ++i) {
    const analysis::RangeLock& l = r.locks[i];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(l.name.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%llu", static_cast<unsigned long long>(l.waits));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatDuration(l.inside_ns).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatDuration(l.max_wait_ns).c_str());
  }
  if (r.locks.empty()) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("no lock waits in the range");
  }
  ImGui::EndTable();
}

}  // namespace

void DrawSelectionPanel(const Document& doc, TimelineState& s) {
  if (!s.range) return;
  RangeSelection& sel = *s.range;
  std::vector<uint32_t> lanes;
  for (uint32_t i = 0; i < s.lane_selected.size(); ++i) {
    if (s.lane_selected[i]) lanes.push_back(i);
  }
  if (!sel.stats) {
    sel.stats = analysis::ComputeRangeStats(doc.model, sel.from_ns, sel.to_ns, lanes);
  }
  const analysis::RangeStats& r = *sel.stats;
  ImGui::Text("Selection %s  (%s to %s)   %s", FormatDuration(sel.to_ns - sel.from_ns).c_str(),
              FormatOffset(sel.from_ns, doc.model.start_ns).c_str(),
              FormatOffset(sel.to_ns, doc.model.start_ns).c_str(),
              lanes.empty() ? absl::StrCat("all ", r.threads, " threads").c_str()
                            : absl::StrCat(lanes.size(), " selected lanes").c_str());
  ImGui::SameLine();
  if (ImGui::SmallButton("zoom to selection (F)")) FitView(doc, s, ImGui::GetTime());
  ImGui::SameLine();
  if (ImGui::SmallButton("clear (Esc)")) {
    s.range.reset();
    return;
  }
  ImGui::SameLine();
  ImGui::TextDisabled("Ctrl+click lane names to limit the statistics to those lanes");
  const float w = ImGui::GetContentRegionAvail().x;
  ImGui::BeginChild("sel_states", ImVec2(w * 0.28f, 0), true);
  StatesTable(r);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("sel_scopes", ImVec2(w * 0.37f, 0), true);
  ScopesTable(r);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("sel_locks", ImVec2(0, 0), true);
  LocksTable(r);
  ImGui::EndChild();
}

}  // namespace tracelane::gui
