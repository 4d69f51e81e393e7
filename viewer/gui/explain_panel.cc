#include "viewer/gui/explain_panel.h"

#include <imgui.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/gui/blame_chain_view.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/cut_scope_text.h"
#include "viewer/gui/layout/lane_layout.h"
#include "viewer/gui/timeline_input.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

using analysis::Cause;
using analysis::CauseKind;
using analysis::Explanation;
using analysis::ThreadState;

const ImVec4 kWindowCutText(1, 0.45f, 0.45f, 1);  // as the header's cut count
const ImVec4 kLostText(1, 0.65f, 0, 1);           // as the header's loss count

// Text drawn and recorded for the dump.
void Line(ExplainPanelState& st, const std::string& s) {
  ImGui::TextUnformatted(s.c_str());
  st.lines.push_back(s);
}
void Wrapped(ExplainPanelState& st, const std::string& s, const ImVec4* color = nullptr) {
  if (color != nullptr) ImGui::PushStyleColor(ImGuiCol_Text, *color);
  ImGui::TextWrapped("%s", s.c_str());
  if (color != nullptr) ImGui::PopStyleColor();
  st.lines.push_back(s);
}

void Swatch(uint32_t color) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetTextLineHeight();
  dl->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + h - 4, p.y + h - 2), color);
  ImGui::Dummy(ImVec2(h - 2, h));
  ImGui::SameLine();
}

// The state whose colour a cause is drawn in (the state it explains).
ThreadState StateOfCause(CauseKind k) {
  switch (k) {
    case CauseKind::kLockWait:
      return ThreadState::kLockWait;
    case CauseKind::kCondvarWait:
      return ThreadState::kCondvarWait;
    case CauseKind::kIoWait:
      return ThreadState::kIoWait;
    case CauseKind::kSleep:
      return ThreadState::kSleep;
    case CauseKind::kSyscall:
      return ThreadState::kSyscall;
    case CauseKind::kPause:
    case CauseKind::kStopTheWorld:
      return ThreadState::kPaused;
    case CauseKind::kRunnable:
      return ThreadState::kRunnable;
    case CauseKind::kRunning:
      return ThreadState::kRunning;
    default:
      return ThreadState::kUnknown;
  }
}

// The thread whose lane a cause is best seen on: the lock holder, the condvar
// notifier, the stop-the-world initiator; else the explained thread.
uint32_t CauseLane(const Document& doc, const Explanation& ex, const Cause& c) {
  if (c.other_thread != analysis::kNone && c.other_thread < doc.model.threads.size()) {
    return c.other_thread;
  }
  return ex.instance.ref.thread;
}

// Shows the cause's first span on the timeline: the lane it is best seen on
// selected and scrolled to (the explained thread's lane selected too), the
// view zoomed so the span covers half of it. Undo with Backspace.
void JumpToCause(const Document& doc, TimelineState& tl, const Explanation& ex, const Cause& c) {
  const analysis::ThreadModel& t = doc.model.threads[ex.instance.ref.thread];
  const int64_t b = c.first_ns;
  const int64_t inst_end = ex.instance.begin_ns + ex.instance.duration_ns;
  int64_t e = t.states.empty() ? inst_end : std::min(inst_end, t.StateEnd(t.StateIndexAt(b)));
  if (e <= b) e = b + 1;
  PushHistory(tl, ImGui::GetTime(), /*force=*/true);
  const int64_t d = e - b;
  ShowRange(tl, b - d / 2, e + d / 2);
  const size_t n = doc.model.threads.size();
  const uint32_t lane = CauseLane(doc, ex, c);
  tl.lane_selected.assign(n, false);
  tl.lane_selected[lane] = true;
  tl.lane_selected[ex.instance.ref.thread] = true;
  if (tl.range) tl.range->stats.reset();  // range statistics follow the lane selection
  ScrollToLane(tl, lane);
}

// The states as one bar across the width, in display order; hover names a part.
void StatesBar(const Explanation& ex, int64_t wall) {
  const float w = std::max(ImGui::GetContentRegionAvail().x, 50.0f), h = 24;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##explain_bar", ImVec2(w, h));
  const bool hovered = ImGui::IsItemHovered();
  const float mx = ImGui::GetIO().MousePos.x;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), kLaneBackground);
  if (wall <= 0) return;
  float x = p.x;
  int64_t acc = 0;
  for (int i = 0; i < analysis::kNumStates; ++i) {
    const int64_t ns = ex.states[i];
    if (ns <= 0) continue;
    acc += ns;
    const float x1 = p.x + static_cast<float>(static_cast<double>(acc) / wall * w);
    const auto st = static_cast<ThreadState>(i);
    const uint32_t fill = StateColor(st);
    dl->AddRectFilled(ImVec2(x, p.y), ImVec2(std::max(x1, x + 1), p.y + h), fill);
    const std::string label = absl::StrCat(analysis::StateLabel(st), " ", FormatPercent(ns, wall));
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    if (x1 - x > ts.x + 8) {
      dl->AddText(ImVec2(x + 4, p.y + (h - ts.y) / 2), TextOn(fill), label.c_str());
    }
    if (hovered && mx >= x && mx < x1) {
      ImGui::SetTooltip("%s  %s  %s", analysis::StateLabel(st), FormatDuration(ns).c_str(),
                        FormatPercent(ns, wall).c_str());
    }
    x = x1;
  }
}

void StatesTable(const Explanation& ex, int64_t wall, ExplainPanelState& st) {
  if (!ImGui::BeginTable(
          "explain_states", 3,
          ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY)) {
    return;
  }
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("state");
  ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableSetupColumn("share", ImGuiTableColumnFlags_WidthFixed, 55);
  ImGui::TableHeadersRow();
  for (int i = 0; i < analysis::kNumStates; ++i) {
    const int64_t ns = ex.states[i];
    if (ns == 0) continue;
    const auto s = static_cast<ThreadState>(i);
    const std::string time = FormatDuration(ns), share = FormatPercent(ns, wall);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    Swatch(StateColor(s));
    ImGui::TextUnformatted(analysis::StateLabel(s));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(time.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(share.c_str());
    st.lines.push_back(
        absl::StrCat("state | ", analysis::StateLabel(s), " | ", time, " | ", share));
  }
  ImGui::EndTable();
}

// A row group of the parts table: a part without a blame chain
// (ex.parts[part]), or a chain's first hop with the hops and roots under it
// (st.chains[node...]).
struct PartGroup {
  int64_t ns;
  int64_t first_ns;
  size_t part;  // or kNoIndex
  size_t node;  // or kNoIndex
};
constexpr size_t kNoIndex = ~size_t{0};

bool IsWait(const Cause& c) {
  return c.kind == CauseKind::kLockWait || c.kind == CauseKind::kCondvarWait;
}

// A part that is not a wait: one row, a click shows it on the timeline.
bool PartRow(const Document& doc, const Explanation& ex, const Cause& c, int64_t wall,
             ExplainPanelState& st) {
  const std::string time = FormatDuration(c.duration_ns),
                    share = FormatPercent(c.duration_ns, wall);
  const std::string what = analysis::DescribeCause(doc.model, c);
  const std::string first = FormatOffset(c.first_ns, doc.model.start_ns);
  ImGui::TableNextColumn();
  const bool clicked = ImGui::Selectable(time.c_str(), false, ImGuiSelectableFlags_SpanAllColumns);
  if (ImGui::IsItemHovered()) {
    const uint32_t lane = CauseLane(doc, ex, c);
    ImGui::SetTooltip(
        "show it on the timeline: %s's lane at %s%s", doc.model.ThreadLabel(lane).c_str(),
        first.c_str(),
        c.count > 1 ? absl::StrCat(" (the first of ", c.count, " spans)").c_str() : "");
  }
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(share.c_str());
  ImGui::TableNextColumn();
  if (c.kind == CauseKind::kDataLost) {
    ImGui::TextColored(kLostText, "%s", what.c_str());
  } else {
    Swatch(StateColor(StateOfCause(c.kind)));
    ImGui::TextUnformatted(what.c_str());
  }
  ImGui::TableNextColumn();
  ImGui::Text("%llu", static_cast<unsigned long long>(c.count));
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(first.c_str());
  st.lines.push_back(
      absl::StrCat("cause | ", time, " | ", share, " | ", what, " | ", c.count, " | ", first));
  return clicked;
}

// A hop or root of a blame chain: one row, indented; a click shows that
// thread's lane then.
bool ChainRow(const analysis::Model& m, const analysis::BlameTreeNode& n, int64_t wall,
              uint32_t self, ExplainPanelState& st) {
  const std::string time = FormatDuration(n.duration_ns),
                    first = FormatOffset(n.first_ns, m.start_ns);
  ImGui::TableNextColumn();
  const bool clicked = ImGui::Selectable(time.c_str(), false, ImGuiSelectableFlags_SpanAllColumns);
  if (ImGui::IsItemHovered()) {
    const uint32_t lane = n.thread < m.threads.size() ? n.thread : self;
    ImGui::SetTooltip(
        "show %s's lane at %s%s", m.ThreadLabel(lane).c_str(), first.c_str(),
        n.count > 1 ? absl::StrCat(" (the first of ", n.count, " spans)").c_str() : "");
  }
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(FormatPercent(n.duration_ns, wall).c_str());
  ImGui::TableNextColumn();
  DrawBlameCell(m, n);
  ImGui::TableNextColumn();
  ImGui::Text("%llu", static_cast<unsigned long long>(n.count));
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(first.c_str());
  st.lines.push_back(BlameRowText(m, n, wall));
  return clicked;
}

// Where the time went, largest first: the parts that are not waits, and each
// lock or condvar wait hop by hop down its blame chains (the first hop carries
// the wait's time, the roots under it where that time ended). A click shows a
// row on the timeline.
void CausesTable(const Document& doc, TimelineState& tl, const Explanation& ex, int64_t wall,
                 ExplainPanelState& st) {
  if (ex.parts.empty()) {
    Line(st, "no time observed");
    return;
  }
  std::vector<PartGroup> groups;
  for (size_t i = 0; i < ex.parts.size(); ++i) {
    if (!IsWait(ex.parts[i])) {
      groups.push_back(PartGroup{ex.parts[i].duration_ns, ex.parts[i].first_ns, i, kNoIndex});
    }
  }
  for (size_t k = 0; k < st.chains.size(); ++k) {
    if (st.chains[k].depth == 0) {
      groups.push_back(PartGroup{st.chains[k].duration_ns, st.chains[k].first_ns, kNoIndex, k});
    }
  }
  std::stable_sort(groups.begin(), groups.end(), [](const PartGroup& a, const PartGroup& b) {
    return a.ns != b.ns ? a.ns > b.ns : a.first_ns < b.first_ns;
  });
  if (!ImGui::BeginTable("explain_causes", 5,
                         ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp |
                             ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable)) {
    return;
  }
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed, 85);
  ImGui::TableSetupColumn("share", ImGuiTableColumnFlags_WidthFixed, 50);
  ImGui::TableSetupColumn(
      "where the time went, largest first: each wait hop by hop (the lock -> who held it, in "
      "which scope; => what the last thread was doing), running time by scope, pauses, "
      "scheduler waits. Click a row: that thread's lane then");
  ImGui::TableSetupColumn("spans", ImGuiTableColumnFlags_WidthFixed, 45);
  ImGui::TableSetupColumn("first at", ImGuiTableColumnFlags_WidthFixed, 95);
  ImGui::TableHeadersRow();
  const Cause* clicked_part = nullptr;
  const analysis::BlameTreeNode* clicked_node = nullptr;
  int id = 0;
  for (const PartGroup& g : groups) {
    if (g.part != kNoIndex) {
      ImGui::TableNextRow();
      ImGui::PushID(id++);
      if (PartRow(doc, ex, ex.parts[g.part], wall, st)) clicked_part = &ex.parts[g.part];
      ImGui::PopID();
      continue;
    }
    for (size_t k = g.node; k < st.chains.size() && (k == g.node || st.chains[k].depth > 0); ++k) {
      ImGui::TableNextRow();
      ImGui::PushID(id++);
      if (ChainRow(doc.model, st.chains[k], wall, ex.instance.ref.thread, st)) {
        clicked_node = &st.chains[k];
      }
      ImGui::PopID();
    }
  }
  ImGui::EndTable();
  if (clicked_part != nullptr) JumpToCause(doc, tl, ex, *clicked_part);
  if (clicked_node != nullptr) JumpToBlameRow(doc, tl, ex, *clicked_node);
}

// "rank 3 of 6032 "handle_request" instances, slowest first (12 cut, not ranked)".
std::string RankText(const ExplainPanelState& st, const std::string& scope) {
  const std::string cut = st.cut == 0 ? "" : absl::StrCat(" (", st.cut, " cut, not ranked)");
  if (st.rank == 0) {
    return absl::StrCat("cut: not ranked among the ", st.instances, " complete \"", scope,
                        "\" instances", cut);
  }
  return absl::StrCat("rank ", st.rank, " of ", st.instances, " \"", scope,
                      "\" instances, slowest first", cut);
}

}  // namespace

void DrawExplainPanel(const Document& doc, TimelineState& tl, ExplainPanelState& st) {
  st.lines.clear();
  const analysis::Model& m = doc.model;
  const bool valid = tl.selected_thread < m.threads.size() &&
                     tl.selected_scope < m.threads[tl.selected_thread].scopes.size();
  if (!valid) {
    st.explanation.reset();
    ImGui::Spacing();
    Wrapped(st,
            "No scope instance selected. Click a scope on the timeline, pick an instance in the "
            "Scopes panel, or start with --select-scope NAME --rank K: its wall time split into "
            "thread states and the causes of its waits (the lock, its holder and the holder's "
            "scope; pauses; scheduler waits; lost data), largest first, appear here.");
    return;
  }
  if (!st.explanation || st.thread != tl.selected_thread || st.scope != tl.selected_scope) {
    st.thread = tl.selected_thread;
    st.scope = tl.selected_scope;
    st.explanation = analysis::Explain(m, analysis::InstanceOf(m, {st.thread, st.scope}));
    st.chains = analysis::BuildBlameTree(m, *st.explanation);
    st.rank = analysis::RankOf(m, st.explanation->instance, &st.instances, &st.cut);
  }
  const Explanation& ex = *st.explanation;
  const int64_t wall = ex.instance.duration_ns;

  // Which instance, and a way back to it.
  Line(st, absl::StrCat(ex.scope, "  on ", m.ThreadLabel(st.thread), "  at ",
                        FormatOffset(ex.instance.begin_ns, m.start_ns), "  wall ",
                        FormatDuration(wall)));
  ImGui::SameLine(0, 20);
  if (ImGui::SmallButton("show on timeline")) {
    JumpToScope(doc, tl, st.thread, st.scope, ImGui::GetTime());
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("clear")) {
    tl.selected_thread = tl.selected_scope = analysis::kNone;
    return;
  }
  Line(st, RankText(st, ex.scope));
  const std::string cut = CutScopeText(m, st.thread, st.scope);
  if (!cut.empty()) {
    const bool lost =
        (ScopeCutFlags(m.threads[st.thread], st.scope) & (kLostBegin | kLostEnd)) != 0;
    Wrapped(st, cut, lost ? &kLostText : &kWindowCutText);
  }
  if (ex.parts.empty()) {
    Line(st, "dominant cause: none (no time observed)");
  } else {
    const Cause& d = ex.parts.front();
    Line(st, absl::StrCat("dominant cause: ", analysis::DescribeCause(m, d), "  ",
                          FormatDuration(d.duration_ns), " (", FormatPercent(d.duration_ns, wall),
                          ")"));
  }
  StatesBar(ex, wall);
  ImGui::Spacing();
  const float w = ImGui::GetContentRegionAvail().x;
  ImGui::BeginChild("explain_states_child", ImVec2(std::max(w * 0.22f, 220.0f), 0), true);
  StatesTable(ex, wall, st);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("explain_causes_child", ImVec2(0, 0), true);
  CausesTable(doc, tl, ex, wall, st);
  ImGui::EndChild();
}

std::string ExplainPanelJson(const ExplainPanelState& state) {
  JsonWriter j;
  j.BeginObject();
  j.Key("view").String("explain");
  if (state.explanation) {
    j.Key("thread").Uint(state.thread);
    j.Key("scope").Uint(state.scope);
    j.Key("rank").Uint(state.rank);
    j.Key("instances").Uint(state.instances);
    j.Key("cut").Uint(state.cut);
  } else {
    j.Key("thread").Null();
    j.Key("scope").Null();
  }
  j.Key("lines").BeginArray();
  for (const std::string& l : state.lines) j.String(l);
  j.EndArray().EndObject();
  return j.Take();
}

}  // namespace tracelane::gui
