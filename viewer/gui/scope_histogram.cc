#include "viewer/gui/scope_histogram.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_format.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/layout/ruler.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

// Durations (log scale) to x in the plot.
struct Axis {
  float x0, x1;
  double lo, hi;  // log10 of the first bucket's start and the last one's end
  float X(double ns) const {
    const double l = std::log10(std::max(ns, 0.5));
    return x0 + static_cast<float>((l - lo) / (hi - lo)) * (x1 - x0);
  }
};

void Marker(ImDrawList* dl, const Axis& a, float y0, float y1, int64_t ns, uint32_t color,
            const char* name, int slot) {
  const float x = a.X(static_cast<double>(ns) + 0.5);
  dl->AddLine(ImVec2(x, y0), ImVec2(x, y1), color, 2.0f);
  const std::string l = absl::StrFormat("%s %s", name, FormatSpan(ns));
  const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
  // Labels sit inside the plot, left of the line if they would leave it.
  const float lx = x + 4 + ts.x > a.x1 ? x - 4 - ts.x : x + 4;
  const float ly = y0 + 2 + static_cast<float>(slot) * (ts.y + 2);
  dl->AddRectFilled(ImVec2(lx - 2, ly), ImVec2(lx + ts.x + 2, ly + ts.y), 0xC0181818);
  dl->AddText(ImVec2(lx, ly), color, l.c_str());
}

}  // namespace

int DrawScopeHistogram(const analysis::ScopeStats& s, ImVec2 size, int selected, bool log_counts) {
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("scope_histogram", size);
  const bool hovered = ImGui::IsItemHovered();
  const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float px0 = o.x + 44, px1 = o.x + size.x - 10, py0 = o.y + 6, py1 = o.y + size.y - 20;
  dl->AddRectFilled(ImVec2(px0, py0), ImVec2(px1, py1), 0xFF1C1A18);
  if (s.histogram.empty() || px1 - px0 < 40 || py1 - py0 < 20) {
    dl->AddText(ImVec2(px0 + 8, py0 + 8), 0xFF909090, "no complete instances");
    return -1;
  }
  const Axis a{px0, px1, std::log10(std::max<double>(s.histogram.front().lo_ns, 0.5)),
               std::log10(static_cast<double>(s.histogram.back().hi_ns))};
  if (a.hi <= a.lo) return -1;
  uint64_t peak = 1;
  for (const analysis::HistogramBucket& b : s.histogram) peak = std::max(peak, b.count);
  const auto height = [&](uint64_t c) {
    if (c == 0) return 0.0f;
    const double f = log_counts ? std::log10(1.0 + static_cast<double>(c)) /
                                      std::log10(1.0 + static_cast<double>(peak))
                                : static_cast<double>(c) / static_cast<double>(peak);
    return std::max(2.0f, static_cast<float>(f) * (py1 - py0 - 4));
  };
  // Grid and duration labels at decades.
  for (double d = std::pow(10.0, std::ceil(a.lo)); std::log10(d) <= a.hi + 1e-9; d *= 10) {
    const float x = a.X(d);
    dl->AddLine(ImVec2(x, py0), ImVec2(x, py1), kGrid);
    const std::string l = FormatSpan(static_cast<int64_t>(d));
    const float tw = ImGui::CalcTextSize(l.c_str()).x;
    dl->AddText(ImVec2(std::clamp(x - tw / 2, px0, px1 - tw), py1 + 3), 0xFFC0C0C0, l.c_str());
  }
  const std::string ylabel = log_counts ? "log n" : "n";
  dl->AddText(ImVec2(o.x + 4, py0), 0xFF909090, absl::StrFormat("%llu", peak).c_str());
  dl->AddText(ImVec2(o.x + 4, py1 - ImGui::GetTextLineHeight()), 0xFF909090, ylabel.c_str());
  // Bars.
  int hovered_bucket = -1;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (size_t i = 0; i < s.histogram.size(); ++i) {
    const analysis::HistogramBucket& b = s.histogram[i];
    const float x0 = a.X(static_cast<double>(b.lo_ns)), x1 = a.X(static_cast<double>(b.hi_ns));
    if (hovered && mouse.x >= x0 && mouse.x < x1) hovered_bucket = static_cast<int>(i);
    if (b.count == 0) continue;
    const float h = height(b.count);
    const uint32_t c = static_cast<int>(i) == selected ? kHistogramSelected : kHistogramBar;
    dl->AddRectFilled(ImVec2(x0 + 0.5f, py1 - h), ImVec2(std::max(x1 - 0.5f, x0 + 1.5f), py1), c);
  }
  if (hovered_bucket >= 0) {
    const analysis::HistogramBucket& b = s.histogram[hovered_bucket];
    const float x0 = a.X(static_cast<double>(b.lo_ns)), x1 = a.X(static_cast<double>(b.hi_ns));
    dl->AddRect(ImVec2(x0, py0), ImVec2(x1, py1), 0xFFFFFFFF);
    uint64_t below = 0;
    for (int i = 0; i <= hovered_bucket; ++i) below += s.histogram[i].count;
    ImGui::SetTooltip(
        "%s .. %s\n%llu instances (%s)\n%s at or below %s\nclick: list them",
        FormatDuration(b.lo_ns).c_str(), FormatDuration(b.hi_ns).c_str(),
        static_cast<unsigned long long>(b.count),
        FormatPercent(static_cast<int64_t>(b.count), static_cast<int64_t>(s.count)).c_str(),
        FormatPercent(static_cast<int64_t>(below), static_cast<int64_t>(s.count)).c_str(),
        FormatDuration(b.hi_ns).c_str());
  }
  Marker(dl, a, py0, py1, s.p50_ns, kP50Marker, "p50", 0);
  Marker(dl, a, py0, py1, s.p99_ns, kP99Marker, "p99", 1);
  dl->AddLine(ImVec2(px0, py1), ImVec2(px1, py1), 0xFF808080);
  return clicked ? hovered_bucket : -1;
}

}  // namespace tracelane::gui
