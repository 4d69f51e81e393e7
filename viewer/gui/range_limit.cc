#include "viewer/gui/range_limit.h"

#include <imgui.h>

#include <string>

#include "absl/strings/str_format.h"
#include "viewer/gui/layout/ruler.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {

std::vector<uint32_t> SelectedLanes(const Document& doc, const TimelineState& timeline) {
  std::vector<uint32_t> out;
  for (uint32_t t = 0; t < timeline.lane_selected.size() && t < doc.model.threads.size(); ++t) {
    if (timeline.lane_selected[t]) out.push_back(t);
  }
  return out;
}

std::optional<RangeKey> SelectedRange(const Document& doc, const TimelineState& timeline) {
  if (!timeline.range || timeline.range->to_ns <= timeline.range->from_ns) return std::nullopt;
  return RangeKey{timeline.range->from_ns, timeline.range->to_ns, SelectedLanes(doc, timeline)};
}

std::optional<RangeKey> DrawRangeToggle(const Document& doc, const TimelineState& timeline,
                                        bool* on) {
  std::optional<RangeKey> range = SelectedRange(doc, timeline);
  if (!range) {
    ImGui::BeginDisabled();
    bool off = false;
    ImGui::Checkbox("limit to selected range", &off);
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("Shift+drag on the timeline to select a range first");
    }
    return std::nullopt;
  }
  ImGui::Checkbox("limit to selected range", on);
  ImGui::SameLine();
  const std::string lanes = range->threads.empty()
                                ? std::string("all lanes")
                                : absl::StrFormat("%d selected lanes", range->threads.size());
  const std::string what =
      absl::StrFormat("%s .. %s (%s, %s)", FormatOffset(range->from_ns, doc.model.start_ns),
                      FormatOffset(range->to_ns, doc.model.start_ns),
                      FormatSpan(range->to_ns - range->from_ns), lanes);
  if (*on) {
    ImGui::TextColored(ImVec4(1, 0.78f, 0.31f, 1), "%s", what.c_str());
  } else {
    ImGui::TextDisabled("%s", what.c_str());
  }
  if (!*on) return std::nullopt;
  return range;
}

void DrawComputing(const char* what, float progress) {
  ImGui::TextColored(ImVec4(1, 0.78f, 0.31f, 1), "computing %s...", what);
  ImGui::SameLine();
  const std::string pct = absl::StrFormat("%.0f%%", progress * 100);
  ImGui::ProgressBar(progress, ImVec2(240, 0), pct.c_str());
}

}  // namespace tracelane::gui
