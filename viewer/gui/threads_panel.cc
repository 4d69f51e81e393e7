#include "viewer/gui/threads_panel.h"

#include <imgui.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "viewer/analysis/report_json.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/layout/ruler.h"
#include "viewer/gui/timeline_input.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

using analysis::ThreadState;
using analysis::ThreadStatesRow;

// Columns: name, tid (threads when grouped), wall, not running, the stacked
// bar, the nine states.
enum Column : int { kName = 0, kTid, kWall, kNotRunning, kBar, kFirstState };
constexpr int kColumns = kFirstState + analysis::kNumStates;

// The rows shown: the document's, or the range-limited ones when showing them.
const std::vector<ThreadStatesRow>& Rows(const Document& doc, const ThreadsPanelState& s) {
  if (s.showing_range && s.ranged && s.ranged->ready()) {
    return s.by_name ? s.ranged->result().groups : s.ranged->result().rows;
  }
  return s.by_name ? doc.thread_groups : doc.thread_rows;
}

const ThreadStatesRow& Total(const Document& doc, const ThreadsPanelState& s) {
  if (s.showing_range && s.ranged && s.ranged->ready()) return s.ranged->result().total;
  return doc.thread_total;
}

// Value a column sorts by (numeric columns); the name column sorts by name.
int64_t SortKey(const ThreadStatesRow& r, int column) {
  switch (column) {
    case kTid:
      return r.thread == analysis::kNone ? r.threads : r.tid;
    case kWall:
      return r.wall_ns;
    case kNotRunning:
      return r.non_running_ns();
    default:
      return column >= kFirstState && column < kColumns ? r.ns[column - kFirstState] : 0;
  }
}

// Recomputes the row order when the table's sort, the grouping or the document
// changed. O(rows log rows).
void UpdateOrder(const Document& doc, ThreadsPanelState& s) {
  int column = kNotRunning;
  bool ascending = false;
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs()) {
    if (specs->SpecsCount > 0) {
      column = specs->Specs[0].ColumnIndex;
      ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    }
    specs->SpecsDirty = false;
  }
  if (s.resort_each_frame > 0) {
    column = s.resort_each_frame++ % kColumns;
    if (column == kBar) column = kWall;
    s.order_rows = nullptr;
  }
  const std::vector<ThreadStatesRow>& rows = Rows(doc, s);
  if (s.order_rows == &rows && s.sort_column == column && s.sort_ascending == ascending &&
      s.order.size() == rows.size()) {
    return;
  }
  s.order.resize(rows.size());
  std::iota(s.order.begin(), s.order.end(), 0u);
  std::stable_sort(s.order.begin(), s.order.end(), [&](uint32_t a, uint32_t b) {
    const ThreadStatesRow &x = rows[a], &y = rows[b];
    if (column == kName) {
      return ascending ? std::tie(x.name, x.tid) < std::tie(y.name, y.tid)
                       : std::tie(x.name, x.tid) > std::tie(y.name, y.tid);
    }
    const int64_t kx = SortKey(x, column), ky = SortKey(y, column);
    if (kx != ky) return ascending ? kx < ky : kx > ky;
    return std::tie(x.name, x.tid) < std::tie(y.name, y.tid);
  });
  s.order_rows = &rows;
  s.sort_column = column;
  s.sort_ascending = ascending;
}

// A duration cell: blank for zero, the time or the share of the row's wall
// time; the tooltip has both.
void DurationCell(int64_t ns, int64_t wall_ns, bool percent, const char* what) {
  if (ns == 0) return;
  const std::string text = percent ? FormatPercent(ns, wall_ns) : FormatSpan(ns);
  ImGui::TextUnformatted(text.c_str());
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("%s: %s (%s of wall time)", what, FormatDuration(ns).c_str(),
                      FormatPercent(ns, wall_ns).c_str());
  }
}

// The row's states as one bar across the cell, in state order, scaled to the
// row's wall time; the tooltip lists every state.
void StateBar(const ThreadStatesRow& r) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = std::max(ImGui::GetContentRegionAvail().x, 10.0f);
  const float h = ImGui::GetTextLineHeight();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (r.wall_ns > 0) {
    float x = p.x;
    int64_t acc = 0;
    for (int i = 0; i < analysis::kNumStates; ++i) {
      if (r.ns[i] <= 0) continue;
      acc += r.ns[i];
      const float x1 =
          p.x + w * static_cast<float>(static_cast<double>(acc) / static_cast<double>(r.wall_ns));
      if (x1 > x) {
        dl->AddRectFilled(ImVec2(x, p.y + 2), ImVec2(std::max(x1, x + 1), p.y + h - 1),
                          StateColor(static_cast<ThreadState>(i)));
      }
      x = x1;
    }
  }
  ImGui::Dummy(ImVec2(w, h));
  if (!ImGui::IsItemHovered()) return;
  ImGui::BeginTooltip();
  ImGui::Text("%s  wall %s", r.name.c_str(), FormatDuration(r.wall_ns).c_str());
  for (int i = 0; i < analysis::kNumStates; ++i) {
    if (r.ns[i] <= 0) continue;
    const auto st = static_cast<ThreadState>(i);
    const ImVec2 q = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(q.x, q.y + 3), ImVec2(q.x + 10, q.y + h - 2),
                                              StateColor(st));
    ImGui::Dummy(ImVec2(14, h));
    ImGui::SameLine();
    ImGui::Text("%-13s %12s  %6s", analysis::StateLabel(st), FormatDuration(r.ns[i]).c_str(),
                FormatPercent(r.ns[i], r.wall_ns).c_str());
  }
  ImGui::EndTooltip();
}

// Header row: labels (click to sort), a line in the state's colour under each
// state column.
void HeaderRow() {
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int c = 0; c < kColumns; ++c) {
    if (!ImGui::TableSetColumnIndex(c)) continue;
    ImGui::TableHeader(ImGui::TableGetColumnName(c));
    if (c >= kFirstState) {
      const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
      ImGui::GetWindowDrawList()->AddRectFilled(
          ImVec2(a.x, b.y - 3), ImVec2(b.x, b.y),
          StateColor(static_cast<ThreadState>(c - kFirstState)));
    }
  }
}

// One table row. Returns true if it was clicked.
bool Row(const ThreadStatesRow& r, bool selected, bool total, bool percent, int id) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(kName);
  ImGui::PushID(id);
  const std::string name = r.name.empty() ? "(unnamed)" : r.name;
  bool clicked = false;
  if (total) {
    ImGui::TextColored(ImVec4(1, 0.85f, 0.5f, 1), "%s", name.c_str());
  } else {
    clicked = ImGui::Selectable(
        name.c_str(), selected,
        ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap);
  }
  ImGui::PopID();
  if (ImGui::TableSetColumnIndex(kTid)) {
    if (r.thread != analysis::kNone) {
      ImGui::Text("%lld", static_cast<long long>(r.tid));
    } else {
      ImGui::TextDisabled("%u thr", r.threads);
    }
  }
  if (ImGui::TableSetColumnIndex(kWall)) ImGui::TextUnformatted(FormatSpan(r.wall_ns).c_str());
  if (ImGui::TableSetColumnIndex(kNotRunning)) {
    DurationCell(r.non_running_ns(), r.wall_ns, percent, "not running");
  }
  if (ImGui::TableSetColumnIndex(kBar)) StateBar(r);
  for (int i = 0; i < analysis::kNumStates; ++i) {
    if (!ImGui::TableSetColumnIndex(kFirstState + i)) continue;
    DurationCell(r.ns[i], r.wall_ns, percent, analysis::StateLabel(static_cast<ThreadState>(i)));
  }
  return clicked;
}

// Selects the lanes of a clicked row (Ctrl adds to the selection) and scrolls
// the timeline to the first of them.
void SelectRow(const Document& doc, TimelineState& timeline, const ThreadStatesRow& r) {
  const size_t n = doc.model.threads.size();
  if (timeline.lane_selected.size() != n) timeline.lane_selected.assign(n, false);
  const bool add = ImGui::GetIO().KeyCtrl;
  if (!add) timeline.lane_selected.assign(n, false);
  const auto matches = [&](uint32_t t) {
    return r.thread != analysis::kNone ? t == r.thread : doc.model.threads[t].name == r.name;
  };
  for (uint32_t t = 0; t < n; ++t) {
    if (matches(t)) timeline.lane_selected[t] = add ? !timeline.lane_selected[t] : true;
  }
  if (timeline.range) timeline.range->stats.reset();  // limited to the selected lanes
  for (const LaneBox& b : timeline.boxes) {
    if (matches(b.thread)) {
      ScrollToLane(timeline, b.thread);
      break;
    }
  }
}

bool RowSelected(const Document& doc, const TimelineState& timeline, const ThreadStatesRow& r) {
  const auto& sel = timeline.lane_selected;
  if (r.thread != analysis::kNone) return r.thread < sel.size() && sel[r.thread];
  bool any = false;
  for (uint32_t t = 0; t < sel.size() && t < doc.model.threads.size(); ++t) {
    if (doc.model.threads[t].name != r.name) continue;
    if (!sel[t]) return false;
    any = true;
  }
  return any;
}

ThreadRangeRows ComputeRangeRows(const analysis::Model& m, const RangeKey& key) {
  ThreadRangeRows r;
  r.rows = analysis::ThreadStatesIn(m, key.from_ns, key.to_ns, key.threads);
  r.groups = analysis::GroupByName(r.rows);
  r.total = analysis::SumRows(r.rows, "all threads");
  return r;
}

}  // namespace

void DrawThreadsPanel(const std::shared_ptr<const Document>& doc_ptr, TimelineState& timeline,
                      ThreadsPanelState& s) {
  const Document& doc = *doc_ptr;
  if (s.ranged_doc != &doc) {
    s.ranged.reset();
    s.ranged_key.reset();
    s.ranged_doc = &doc;
  }
  s.waiting = false;
  const std::optional<RangeKey> range = DrawRangeToggle(doc, timeline, &s.limit_to_range);
  if (range && (!s.ranged || s.ranged_key != range)) {
    s.ranged_key = range;
    s.ranged = std::make_unique<BackgroundJob<ThreadRangeRows>>(
        [doc_ptr, key = *range](const JobControl&) {
          return ComputeRangeRows(doc_ptr->model, key);
        });
  }
  s.showing_range = range.has_value();
  if (range && !s.ranged->ready()) {
    s.waiting = true;
    DrawComputing("thread states in the range", s.ranged->progress());
    return;
  }
  ImGui::SameLine(0, 16);
  ImGui::Checkbox("group by name", &s.by_name);
  ImGui::SameLine(0, 16);
  ImGui::Checkbox("percent of wall time", &s.percent);
  ImGui::SameLine(0, 16);
  ImGui::TextDisabled(
      "%zu threads, %zu names%s. Click a row to select its lane%s; Ctrl+click adds.",
      doc.thread_rows.size(), doc.thread_groups.size(),
      range ? " (rows: threads alive in the range)" : "", s.by_name ? "s" : " and scroll to it");
  if (doc.model.scheduler == analysis::SchedulerSource::kNone) {
    ImGui::SameLine(0, 16);
    ImGui::TextColored(ImVec4(1, 0.65f, 0, 1), "no scheduler data: running includes off-CPU time");
  }

  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_ScrollX | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_Hideable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("threads", kColumns, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) {
    return;
  }
  ImGui::TableSetupScrollFreeze(1, 2);  // the header and the all-threads row
  ImGui::TableSetupColumn(s.by_name ? "thread name" : "thread",
                          ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_NoHide, 170);
  ImGui::TableSetupColumn(s.by_name ? "threads" : "tid", ImGuiTableColumnFlags_WidthFixed, 62);
  ImGui::TableSetupColumn("wall", ImGuiTableColumnFlags_WidthFixed, 66);
  ImGui::TableSetupColumn("not running",
                          ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_DefaultSort |
                              ImGuiTableColumnFlags_PreferSortDescending,
                          92);
  ImGui::TableSetupColumn("states", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_NoSort,
                          280);
  for (int i = 0; i < analysis::kNumStates; ++i) {
    ImGui::TableSetupColumn(
        analysis::StateLabel(static_cast<ThreadState>(i)),
        ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending,
        i == static_cast<int>(ThreadState::kCondvarWait) ? 100 : 72);
  }
  HeaderRow();
  UpdateOrder(doc, s);

  Row(Total(doc, s), false, /*total=*/true, s.percent, -1);
  const std::vector<ThreadStatesRow>& rows = Rows(doc, s);
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(s.order.size()));
  const ThreadStatesRow* clicked = nullptr;
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const ThreadStatesRow& r = rows[s.order[i]];
      if (Row(r, RowSelected(doc, timeline, r), false, s.percent, i)) clicked = &r;
    }
  }
  ImGui::EndTable();
  if (clicked != nullptr) SelectRow(doc, timeline, *clicked);
}

std::optional<std::string> ThreadsPanelJson(const Document& doc, const ThreadsPanelState& s) {
  if (s.showing_range && (!s.ranged || !s.ranged->ready())) return std::nullopt;
  const std::vector<ThreadStatesRow>& rows = Rows(doc, s);
  const bool ordered = s.order_rows == &rows && s.order.size() == rows.size();
  JsonWriter j;
  j.BeginArray();
  for (size_t i = 0; i < rows.size(); ++i) {
    analysis::ThreadRowJson(j, rows[ordered ? s.order[i] : i], s.by_name);
  }
  j.EndArray();
  return j.Take();
}

}  // namespace tracelane::gui
