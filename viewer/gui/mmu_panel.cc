#include "viewer/gui/mmu_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/layout/ruler.h"
#include "viewer/gui/timeline_input.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

using analysis::MmuPoint;
using analysis::WorstWindow;

constexpr int64_t kDefaultWindowNs = 10'000'000;  // pinned until the user clicks
constexpr size_t kMaxJobs = 8;                    // curves kept per document

// "1.00 us" -> "1 us", "10.0 ms" -> "10 ms": axis labels at decades.
std::string AxisLabel(int64_t ns) {
  std::string s = FormatSpan(ns);
  const size_t dot = s.find('.');
  if (dot == std::string::npos) return s;
  size_t end = s.find(' ', dot);
  size_t cut = end;
  while (cut > dot + 1 && s[cut - 1] == '0') --cut;
  if (cut == dot + 1) cut = dot;
  return s.erase(cut, end - cut);
}

// Maps window widths (log scale) and utilization to the plot rectangle.
struct Plot {
  float x0, y0, x1, y1;
  double lo, hi;  // log10 of the smallest and largest window

  float X(int64_t ns) const {
    const double l = std::log10(static_cast<double>(std::max<int64_t>(ns, 1)));
    return x0 + static_cast<float>((l - lo) / (hi - lo)) * (x1 - x0);
  }
  float Y(double u) const { return y1 - static_cast<float>(std::clamp(u, 0.0, 1.0)) * (y1 - y0); }
};

// The curve point whose x is nearest to `x`. O(points).
int NearestPoint(const std::vector<MmuPoint>& curve, const Plot& p, float x) {
  int best = -1;
  float best_d = 0;
  for (size_t i = 0; i < curve.size(); ++i) {
    const float d = std::fabs(p.X(curve[i].window_ns) - x);
    if (best < 0 || d < best_d) best = static_cast<int>(i), best_d = d;
  }
  return best;
}

int DefaultPoint(const std::vector<MmuPoint>& curve) {
  int best = -1;
  double best_d = 0;
  for (size_t i = 0; i < curve.size(); ++i) {
    const double d = std::fabs(std::log(static_cast<double>(curve[i].window_ns)) -
                               std::log(static_cast<double>(kDefaultWindowNs)));
    if (best < 0 || d < best_d) best = static_cast<int>(i), best_d = d;
  }
  return best;
}

MmuJob& JobFor(const std::shared_ptr<const Document>& doc, MmuPanelState& s, uint32_t thread) {
  auto it = s.jobs.find(thread);
  if (it != s.jobs.end()) return *it->second;
  if (s.jobs.size() >= kMaxJobs) {
    // Drop a finished curve other than the system-wide one (kept as reference)
    // and the one shown.
    for (auto j = s.jobs.begin(); j != s.jobs.end(); ++j) {
      if (j->first != analysis::kNone && j->first != s.thread && !j->second->busy()) {
        s.jobs.erase(j);
        break;
      }
    }
  }
  return *s.jobs.emplace(thread, std::make_unique<MmuJob>(doc, thread)).first->second;
}

void DrawGrid(ImDrawList* dl, const Plot& p, int64_t span_ns) {
  dl->AddRectFilled(ImVec2(p.x0, p.y0), ImVec2(p.x1, p.y1), 0xFF1C1A18);
  for (int i = 0; i <= 4; ++i) {
    const double u = i / 4.0;
    const float y = p.Y(u);
    dl->AddLine(ImVec2(p.x0, y), ImVec2(p.x1, y), i == 0 ? 0xFF808080 : kGrid);
    const std::string l = absl::StrFormat("%.2f", u);
    const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
    dl->AddText(ImVec2(p.x0 - ts.x - 6, y - ts.y / 2), 0xFFC0C0C0, l.c_str());
  }
  float last_label = -1e9f;
  for (int64_t w = MmuJob::kMinWindowNs; w <= span_ns; w *= 10) {
    const float x = p.X(w);
    dl->AddLine(ImVec2(x, p.y0), ImVec2(x, p.y1), kGrid);
    dl->AddLine(ImVec2(x, p.y1), ImVec2(x, p.y1 + 4), 0xFF808080);
    const std::string l = AxisLabel(w);
    const float tw = ImGui::CalcTextSize(l.c_str()).x;
    dl->AddText(ImVec2(x - tw / 2, p.y1 + 5), 0xFFC0C0C0, l.c_str());
    last_label = x + tw / 2;
    if (w > INT64_MAX / 10) break;
  }
  // The capture length closes the axis.
  const std::string l = FormatSpan(span_ns);
  const float tw = ImGui::CalcTextSize(l.c_str()).x;
  if (p.x1 - tw / 2 > last_label + 12) {
    dl->AddLine(ImVec2(p.x1, p.y1), ImVec2(p.x1, p.y1 + 4), 0xFF808080);
    dl->AddText(ImVec2(p.x1 - tw / 2, p.y1 + 5), 0xFF909090, l.c_str());
  }
  dl->AddLine(ImVec2(p.x0, p.y0), ImVec2(p.x0, p.y1), 0xFF808080);
}

void DrawCurve(ImDrawList* dl, const Plot& p, const std::vector<MmuPoint>& curve, uint32_t color,
               bool fill) {
  if (curve.empty()) return;
  std::vector<ImVec2> pts;
  pts.reserve(curve.size());
  for (const MmuPoint& q : curve) pts.emplace_back(p.X(q.window_ns), p.Y(q.mmu));
  if (fill) {
    const uint32_t under = WithAlpha(color, 0x38);
    for (size_t i = 1; i < pts.size(); ++i) {
      dl->AddQuadFilled(ImVec2(pts[i - 1].x, p.y1), pts[i - 1], pts[i], ImVec2(pts[i].x, p.y1),
                        under);
    }
  }
  dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), color, 0, fill ? 2.5f : 1.5f);
}

// A vertical marker at curve point i with its dot.
void Marker(ImDrawList* dl, const Plot& p, const MmuPoint& q, uint32_t color) {
  const float x = p.X(q.window_ns);
  dl->AddLine(ImVec2(x, p.y0), ImVec2(x, p.y1), WithAlpha(color, 0xA0), 1.0f);
  dl->AddCircleFilled(ImVec2(x, p.Y(q.mmu)), 4.5f, color);
}

// The chart: grid, reference (system-wide) curve, the curve, markers, hover.
void DrawChart(const analysis::Model& m, MmuPanelState& s, MmuJob& job, const MmuJob* reference,
               ImVec2 size) {
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("mmu_chart", size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const std::vector<MmuPoint>& curve = job.curve();
  const int64_t span = curve.empty() ? std::max<int64_t>(m.duration_ns(), MmuJob::kMinWindowNs)
                                     : curve.back().window_ns;
  Plot p{o.x + 48, o.y + 8, o.x + size.x - 24, o.y + size.y - 38, 3, 0};
  p.hi = std::log10(static_cast<double>(std::max<int64_t>(span, 1)));
  if (p.hi <= p.lo) p.hi = p.lo + 1;
  DrawGrid(dl, p, span);
  const std::string title = "window width (log scale)";
  const ImVec2 ts = ImGui::CalcTextSize(title.c_str());
  dl->AddText(ImVec2((p.x0 + p.x1 - ts.x) / 2, p.y1 + 20), 0xFF909090, title.c_str());
  if (!job.curve_ready()) {
    s.waiting = true;
    const std::string l = absl::StrFormat("computing... %.0f%%", job.progress() * 100);
    dl->AddText(ImVec2(p.x0 + 12, p.y0 + 10), 0xFFFFC850, l.c_str());
    return;
  }
  if (reference != nullptr && reference != &job && reference->curve_ready()) {
    DrawCurve(dl, p, reference->curve(), 0xA0909090, false);
  }
  dl->PushClipRect(ImVec2(p.x0, p.y0 - 6), ImVec2(p.x1 + 6, p.y1 + 6), true);
  DrawCurve(dl, p, curve, kMmuCurve, true);
  dl->PopClipRect();
  if (s.pinned >= 0 && static_cast<size_t>(s.pinned) < curve.size()) {
    Marker(dl, p, curve[s.pinned], kSelectionEdge);
  }
  // Legend, top left (the curve rises from there only for tiny pauses).
  const std::string who =
      job.thread() == analysis::kNone ? "all threads" : m.ThreadLabel(job.thread());
  float ly = p.y0 + 8;
  dl->AddLine(ImVec2(p.x0 + 10, ly + 7), ImVec2(p.x0 + 30, ly + 7), kMmuCurve, 2.5f);
  dl->AddText(ImVec2(p.x0 + 36, ly), 0xFFE0E0E0, who.c_str());
  if (reference != nullptr && reference != &job && reference->curve_ready()) {
    ly += ImGui::GetTextLineHeight() + 2;
    dl->AddLine(ImVec2(p.x0 + 10, ly + 7), ImVec2(p.x0 + 30, ly + 7), 0xA0909090, 1.5f);
    dl->AddText(ImVec2(p.x0 + 36, ly), 0xFFB0B0B0, "all threads");
  }
  s.hovered = -1;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (hovered && mouse.x >= p.x0 - 4 && mouse.x <= p.x1 + 4) {
    s.hovered = NearestPoint(curve, p, mouse.x);
    if (s.hovered >= 0) {
      const MmuPoint& q = curve[s.hovered];
      Marker(dl, p, q, 0xFFFFFFFF);
      ImGui::SetTooltip("window %s\nMMU %.4f\nclick: pin this width",
                        FormatSpan(q.window_ns).c_str(), q.mmu);
      if (ImGui::IsItemClicked(ImGuiMouseButton_Left)) s.pinned = s.hovered;
    }
  }
}

// The worst windows of curve point i; clicking one zooms the timeline to it.
void DrawWorst(const analysis::Model& m, TimelineState& timeline, MmuPanelState& s, MmuJob& job,
               int i) {
  const std::vector<MmuPoint>& curve = job.curve();
  if (i < 0 || static_cast<size_t>(i) >= curve.size()) {
    ImGui::TextDisabled(job.curve_ready() ? "hover the curve" : "computing...");
    return;
  }
  const MmuPoint& q = curve[i];
  ImGui::Text("Worst windows of %s", FormatSpan(q.window_ns).c_str());
  ImGui::SameLine();
  ImGui::TextDisabled(i == s.hovered ? "(hovered)" : "(pinned; click the curve to change)");
  ImGui::Text("MMU(%s) = %.4f", FormatSpan(q.window_ns).c_str(), q.mmu);
  const std::vector<WorstWindow>* worst = job.Worst(static_cast<size_t>(i));
  if (worst == nullptr) {
    s.waiting = true;
    ImGui::TextDisabled("computing...");
    return;
  }
  if (!ImGui::BeginTable(
          "worst", 4,
          ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit)) {
    return;
  }
  ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, 18);
  ImGui::TableSetupColumn("from", ImGuiTableColumnFlags_WidthFixed, 100);
  ImGui::TableSetupColumn("to", ImGuiTableColumnFlags_WidthFixed, 100);
  ImGui::TableSetupColumn("utilization", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  for (size_t k = 0; k < worst->size(); ++k) {
    const WorstWindow& w = (*worst)[k];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushID(static_cast<int>(k));
    const std::string rank = absl::StrCat(k + 1);
    const bool clicked = ImGui::Selectable(
        rank.c_str(), false,
        ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap);
    ImGui::PopID();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("zoom the timeline to this window and select it");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatOffset(w.start_ns, m.start_ns).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(FormatOffset(w.start_ns + q.window_ns, m.start_ns).c_str());
    ImGui::TableNextColumn();
    const ImVec2 c = ImGui::GetCursorScreenPos();
    const float bw = std::max(ImGui::GetContentRegionAvail().x - 60, 20.0f);
    const float h = ImGui::GetTextLineHeight();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(c.x, c.y + 3), ImVec2(c.x + bw, c.y + h - 2), 0xFF3A3A3A);
    dl->AddRectFilled(
        ImVec2(c.x, c.y + 3),
        ImVec2(c.x + bw * static_cast<float>(std::clamp(w.utilization, 0.0, 1.0)), c.y + h - 2),
        kMmuCurve);
    ImGui::Dummy(ImVec2(bw + 6, h));
    ImGui::SameLine();
    ImGui::Text("%.4f", w.utilization);
    if (clicked) {
      PushHistory(timeline, ImGui::GetTime(), /*force=*/true);
      ShowRange(timeline, w.start_ns, w.start_ns + q.window_ns);
      timeline.range = RangeSelection{w.start_ns, w.start_ns + q.window_ns, std::nullopt};
    }
  }
  ImGui::EndTable();
  ImGui::TextDisabled("Click a window: the timeline zooms to it; its statistics are in Selection.");
}

// The combo choosing whose utilization: all threads or one.
void ThreadCombo(const analysis::Model& m, MmuPanelState& s) {
  const std::string current = s.thread == analysis::kNone ? "all threads" : m.ThreadLabel(s.thread);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Utilization of");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(240);
  if (!ImGui::BeginCombo("##mmu_thread", current.c_str())) return;
  if (ImGui::Selectable("all threads", s.thread == analysis::kNone)) s.thread = analysis::kNone;
  for (uint32_t t = 0; t < m.threads.size(); ++t) {
    ImGui::PushID(static_cast<int>(t));
    if (ImGui::Selectable(m.ThreadLabel(t).c_str(), s.thread == t)) s.thread = t;
    ImGui::PopID();
  }
  ImGui::EndCombo();
}

}  // namespace

void DrawMmuPanel(const std::shared_ptr<const Document>& doc, TimelineState& timeline,
                  MmuPanelState& s) {
  const analysis::Model& m = doc->model;
  if (s.doc != doc.get()) {
    s.jobs.clear();
    s.doc = doc.get();
    s.thread = analysis::kNone;
    s.pinned = -1;
  }
  if (s.thread != analysis::kNone && s.thread >= m.threads.size()) s.thread = analysis::kNone;
  s.waiting = false;
  const uint32_t before = s.thread;
  ThreadCombo(m, s);
  if (s.thread != before) s.pinned = -1;
  ImGui::SameLine(0, 16);
  ImGui::TextDisabled(
      s.thread == analysis::kNone
          ? "MMU(w): the lowest mean utilization of any window of width w; utilization is "
            "1 - paused/live threads, 0 during stop-the-world."
          : "MMU(w) of one thread: utilization is 0 while it is paused (own pause or "
            "stop-the-world); grey: all threads.");
  MmuJob& job = JobFor(doc, s, s.thread);
  const MmuJob* reference =
      s.thread == analysis::kNone ? nullptr : &JobFor(doc, s, analysis::kNone);
  if (job.curve_ready() && s.pinned < 0) s.pinned = DefaultPoint(job.curve());
  if (s.pinned >= static_cast<int>(job.curve().size())) s.pinned = DefaultPoint(job.curve());

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float chart_w = std::max(320.0f, avail.x * 0.62f);
  DrawChart(m, s, job, reference, ImVec2(chart_w, std::max(avail.y, 100.0f)));
  ImGui::SameLine(0, 12);
  ImGui::BeginChild("mmu_worst", ImVec2(0, 0), false);
  DrawWorst(m, timeline, s, job, s.hovered >= 0 ? s.hovered : s.pinned);
  ImGui::EndChild();
}

}  // namespace tracelane::gui
