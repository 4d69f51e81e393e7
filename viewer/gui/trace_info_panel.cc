#include "viewer/gui/trace_info_panel.h"

#include <imgui.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/capture_info.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/layout/ruler.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

const ImVec4 kOrange(1, 0.65f, 0, 1);
const ImVec4 kGreen(0.45f, 0.8f, 0.45f, 1);

std::string Bytes(uint64_t n) {
  const double b = static_cast<double>(n);
  if (b < 1024) return absl::StrCat(n, " B");
  if (b < 1024 * 1024) return absl::StrFormat("%.1f KiB", b / 1024);
  if (b < 1024.0 * 1024 * 1024) return absl::StrFormat("%.1f MiB", b / (1024 * 1024));
  return absl::StrFormat("%.2f GiB", b / (1024.0 * 1024 * 1024));
}

// A key column and a value column; Value() starts a row.
void Key(const char* key) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextDisabled("%s", key);
  ImGui::TableNextColumn();
}

// A count in a table cell, highlighted in orange when non-zero.
void Count(uint64_t n) {
  if (n == 0) {
    ImGui::TextDisabled("0");
    return;
  }
  ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, kLossHighlight);
  ImGui::TextColored(ImVec4(1, 0.86f, 0.6f, 1), "%llu", static_cast<unsigned long long>(n));
}

void CaptureTable(const Document& doc, const analysis::CaptureInfo& c) {
  if (!ImGui::BeginTable("capture", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
    return;
  }
  ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed, 120);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  Key("process");
  ImGui::Text("%s  (pid %u)", c.process_name.empty() ? "(unnamed)" : c.process_name.c_str(), c.pid);
  Key("duration");
  ImGui::TextUnformatted(FormatDuration(c.duration_ns).c_str());
  Key("capture mode");
  if (c.capture_mode.empty()) {
    ImGui::TextUnformatted("none (WriteTrace: everything buffered)");
  } else {
    const char* what = c.capture_mode == "next"    ? "the next N seconds"
                       : c.capture_mode == "last"  ? "the last N seconds"
                       : c.capture_mode == "crash" ? "crash dump"
                                                   : "";
    ImGui::Text("%s  %s", c.capture_mode.c_str(), what);
  }
  Key("capture window");
  if (c.window_start_ns && c.window_end_ns) {
    ImGui::Text("%s to %s  (%s)", FormatOffset(*c.window_start_ns, c.start_ns).c_str(),
                FormatOffset(*c.window_end_ns, c.start_ns).c_str(),
                FormatDuration(*c.window_end_ns - *c.window_start_ns).c_str());
  } else {
    ImGui::TextDisabled("not recorded");
  }
  Key("window intact");
  if (c.window_intact == "yes") {
    ImGui::TextColored(kGreen, "yes: nothing in the window was lost");
  } else if (c.window_intact == "no") {
    ImGui::TextColored(kOrange, "no: events of the window were lost (see losses)");
  } else if (c.window_intact == "unknown") {
    ImGui::TextColored(kOrange, "unknown: losses whose time was not recorded");
  } else {
    ImGui::TextDisabled("not recorded");
  }
  Key("threads");
  ImGui::Text("%zu", c.threads);
  Key("events");
  ImGui::Text("%llu", static_cast<unsigned long long>(c.events));
  Key("events lost");
  Count(c.lost_total());
  if (!c.loss_counts.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("(counted over the %s)", c.loss_counts.c_str());
  }
  Key("clock");
  if (c.clock_source == "tsc") {
    ImGui::Text("tsc, %.6f GHz", c.tsc_hz / 1e9);
  } else {
    ImGui::TextUnformatted(c.clock_source.c_str());
  }
  Key("scheduler data");
  if (c.scheduler == analysis::SchedulerSource::kNone) {
    ImGui::TextColored(kOrange, "none: running includes off-CPU time");
  } else {
    ImGui::TextUnformatted(analysis::SchedulerLabel(c.scheduler));
  }
  if (!c.scheduler_detail.empty()) {
    Key("");
    ImGui::TextWrapped("%s", c.scheduler_detail.c_str());
  }
  Key("file");
  ImGui::TextWrapped("%s", doc.path.c_str());
  Key("file size");
  ImGui::Text("%s  (%.2f bytes/event)", Bytes(c.file_bytes).c_str(), c.bytes_per_event());
  Key("format version");
  ImGui::Text("%u", c.format_version);
  Key("complete");
  if (c.complete) {
    ImGui::TextUnformatted("yes");
  } else {
    ImGui::TextColored(kOrange, "no: salvaged, %zu damaged parts skipped", c.warnings.size());
  }
  ImGui::EndTable();
}

void LossesTable(const analysis::Model& m, const analysis::CaptureInfo& c) {
  if (c.lost_total() == 0) {
    ImGui::TextColored(kGreen, "No events lost.");
  } else {
    ImGui::TextColored(kOrange, "%llu events lost",
                       static_cast<unsigned long long>(c.lost_total()));
  }
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("dropped: buffer full, overwritten: flight recorder reuse");
  ImGui::PopTextWrapPos();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("losses", 4, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) return;
  ImGui::TableSetupScrollFreeze(0, 2);  // the header and the totals
  ImGui::TableSetupColumn("thread", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("tid", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("dropped", ImGuiTableColumnFlags_WidthFixed, 80);
  ImGui::TableSetupColumn("overwritten", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableHeadersRow();
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextColored(ImVec4(1, 0.85f, 0.5f, 1), "all threads");
  ImGui::TableNextColumn();
  ImGui::TextDisabled("%zu", c.threads);
  ImGui::TableNextColumn();
  Count(c.dropped);
  ImGui::TableNextColumn();
  Count(c.overwritten);
  if (c.lost_elsewhere > 0) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("threads gone, or after exit");
    ImGui::TableNextColumn();
    ImGui::TableNextColumn();
    ImGui::TableNextColumn();
    Count(c.lost_elsewhere);
  }
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(c.losses.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const analysis::ThreadLoss& l = c.losses[i];
      const analysis::ThreadModel& t = m.threads[l.thread];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(t.name.empty() ? "(unnamed)" : t.name.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%lld", static_cast<long long>(t.tid));
      ImGui::TableNextColumn();
      Count(l.dropped);
      ImGui::TableNextColumn();
      Count(l.overwritten);
    }
  }
  ImGui::EndTable();
}

void WarningsAndProperties(const analysis::Model& m, const analysis::CaptureInfo& c) {
  if (!c.warnings.empty()) {
    ImGui::TextColored(kOrange, "Salvage skipped %zu damaged parts:", c.warnings.size());
    for (const std::string& w : c.warnings) {
      ImGui::PushTextWrapPos(0);
      ImGui::TextColored(kOrange, "  %s", w.c_str());
      ImGui::PopTextWrapPos();
    }
    ImGui::Spacing();
  }
  const std::string header = absl::StrCat("All properties (", m.info.properties.size(), ")");
  if (!ImGui::CollapsingHeader(header.c_str(), ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (!ImGui::BeginTable(
          "properties", 2,
          ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_BordersInnerV)) {
    return;
  }
  ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  for (const auto& [key, value] : m.info.properties) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", key.c_str());
    ImGui::TableNextColumn();
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(value.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::EndTable();
}

}  // namespace

void DrawTraceInfoPanel(const Document& doc) {
  const analysis::CaptureInfo& c = doc.capture;
  const float w = ImGui::GetContentRegionAvail().x;
  ImGui::BeginChild("info_capture", ImVec2(w * 0.42f, 0), false);
  CaptureTable(doc, c);
  ImGui::EndChild();
  ImGui::SameLine(0, 12);
  ImGui::BeginChild("info_losses", ImVec2(w * 0.28f, 0), false);
  LossesTable(doc.model, c);
  ImGui::EndChild();
  ImGui::SameLine(0, 12);
  ImGui::BeginChild("info_properties", ImVec2(0, 0), false);
  WarningsAndProperties(doc.model, c);
  ImGui::EndChild();
}

}  // namespace tracelane::gui
