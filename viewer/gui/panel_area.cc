#include "viewer/gui/panel_area.h"

#include <imgui.h>

#include <algorithm>

#include "viewer/gui/selection_panel.h"
#include "viewer/gui/threads_panel.h"
#include "viewer/gui/trace_info_panel.h"

namespace tracelane::gui {
namespace {

// The bar between the timeline and the panels; dragging it resizes the area.
// Returns true when a drag ended (the layout should be saved).
bool Splitter(PanelArea& area, float window_h) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  ImGui::InvisibleButton("##panel_splitter", ImVec2(std::max(w, 1.0f), kSplitterHeight));
  const bool hovered = ImGui::IsItemHovered(), active = ImGui::IsItemActive();
  if (hovered || active) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeNS);
  if (active) {
    area.layout.height -= ImGui::GetIO().MouseDelta.y;
    area.layout.height = area.layout.ClampedHeight(window_h);
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float y = p.y + kSplitterHeight / 2;
  const uint32_t c = active ? 0xFFFFC850 : hovered ? 0xFFB0B0B0 : 0xFF505050;
  dl->AddLine(ImVec2(p.x, y), ImVec2(p.x + w, y), c, active || hovered ? 2.0f : 1.0f);
  // A grip in the middle says "drag me".
  for (int i = -1; i <= 1; ++i) {
    dl->AddCircleFilled(ImVec2(p.x + w / 2 + static_cast<float>(i) * 8, y), 2, c);
  }
  return ImGui::IsItemDeactivated();
}

void DrawSelectionTab(const Document& doc, TimelineState& timeline) {
  if (!timeline.range) {
    ImGui::Spacing();
    ImGui::TextDisabled(
        "No time range selected. Shift+drag on the timeline to select one: the time its threads "
        "spent in each state, the scopes and the lock waits in it appear here.");
    ImGui::TextDisabled(
        "Ctrl+click lane names to limit the statistics to those lanes; F zooms to the "
        "selection, Esc clears it.");
    return;
  }
  DrawSelectionPanel(doc, timeline);
}

void DrawTab(PanelTab tab, const std::shared_ptr<const Document>& doc, TimelineState& timeline,
             PanelArea& area) {
  switch (tab) {
    case PanelTab::kSelection:
      DrawSelectionTab(*doc, timeline);
      break;
    case PanelTab::kThreads:
      DrawThreadsPanel(doc, timeline, area.threads);
      break;
    case PanelTab::kMmu:
      DrawMmuPanel(doc, timeline, area.mmu);
      break;
    case PanelTab::kLocks:
      DrawLocksPanel(doc, timeline, area.locks);
      break;
    case PanelTab::kScopes:
      if (DrawScopesPanel(doc, timeline, area.scopes)) {
        // The clicked instance is selected: its explanation, where there is one.
        if (std::optional<PanelTab> explain = PanelTabFromKey("explain")) {
          area.layout.tab = *explain;
          area.tab_request = true;
        }
      }
      break;
    case PanelTab::kExplain:
      DrawExplainPanel(*doc, timeline, area.explain);
      break;
    case PanelTab::kInfo:
      DrawTraceInfoPanel(*doc);
      break;
  }
}

}  // namespace

void ResetPanels(PanelArea& area) {
  area.threads = ThreadsPanelState{};
  area.locks = LocksPanelState{};
  area.scopes = ScopesPanelState{};
  area.explain = ExplainPanelState{};
  area.mmu.jobs.clear();
  area.mmu = MmuPanelState{};
}

bool PanelAreaBusy(const PanelArea& area) {
  switch (area.layout.tab) {
    case PanelTab::kMmu:
      return MmuPanelBusy(area.mmu);
    case PanelTab::kThreads:
      return ThreadsPanelBusy(area.threads);
    case PanelTab::kLocks:
      return LocksPanelBusy(area.locks);
    case PanelTab::kScopes:
      return ScopesPanelBusy(area.scopes);
    default:
      return false;
  }
}

float PanelAreaHeight(const PanelArea& area, float window_h) {
  return area.layout.ClampedHeight(window_h) + kSplitterHeight + ImGui::GetStyle().ItemSpacing.y;
}

void DrawPanelArea(const std::shared_ptr<const Document>& doc, TimelineState& timeline,
                   PanelArea& area) {
  const float window_h = ImGui::GetMainViewport()->Size.y;
  bool save = Splitter(area, window_h);

  // A new Shift+drag selection brings its statistics forward.
  if (timeline.selecting && !area.was_selecting) {
    area.layout.tab = PanelTab::kSelection;
    area.tab_request = true;
  }
  area.was_selecting = timeline.selecting;

  PanelTab active = area.layout.tab;
  if (ImGui::BeginTabBar("panels", ImGuiTabBarFlags_None)) {
    for (int i = 0; i < kNumPanelTabs; ++i) {
      const auto tab = static_cast<PanelTab>(i);
      const ImGuiTabItemFlags flags =
          area.tab_request && tab == area.layout.tab ? ImGuiTabItemFlags_SetSelected : 0;
      if (ImGui::BeginTabItem(PanelTabTitle(tab), nullptr, flags)) {
        active = tab;
        ImGui::BeginChild("panel", ImVec2(0, 0), false);
        DrawTab(tab, doc, timeline, area);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
  // The Locks panel outlines its lock's waits on the timeline while it shows.
  if (active != PanelTab::kLocks) timeline.highlight_lock_on = false;
  if (area.tab_request) {
    // ImGui applies SetSelected on a later frame: keep asking until it shows.
    if (active == area.layout.tab) area.tab_request = false;
  } else if (active != area.layout.tab) {
    area.layout.tab = active;
    save = true;
  }
  if (save && area.persist && area.layout != area.saved) {
    SavePanelLayout(area.layout);
    area.saved = area.layout;
  }
}

}  // namespace tracelane::gui
