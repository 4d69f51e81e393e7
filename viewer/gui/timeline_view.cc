#include "viewer/gui/timeline_view.h"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/counter_tracks.h"
#include "viewer/gui/lane_painter.h"
#include "viewer/gui/lock_highlight.h"
#include "viewer/gui/layout/ruler.h"
#include "viewer/gui/layout/wakeups.h"
#include "viewer/gui/timeline_input.h"
#include "viewer/gui/timeline_tooltip.h"

namespace tracelane::gui {
namespace {

const LaneMetrics kMetrics{20, 14, 18, 6};
constexpr size_t kMaxArrows = 40;

void DrawRuler(const Document& doc, const TimeAxis& axis, ImDrawList* dl, float y0, float x_left) {
  const float x0 = axis.x0, x1 = axis.x0 + axis.width, y1 = y0 + kRulerHeight;
  dl->AddRectFilled(ImVec2(x_left, y0), ImVec2(x1, y1), 0xFF2A2520);
  for (const RulerTick& t : RulerTicks(axis, doc.model.start_ns)) {
    const float x = axis.ToX(t.ns);
    if (x < x0 || x > x1) continue;
    dl->AddLine(ImVec2(x, t.major ? y0 + 12 : y1 - 6), ImVec2(x, y1), 0xFFB0B0B0);
    if (t.major && !t.label.empty()) {
      dl->AddText(ImVec2(x + 3, y0 + 2), 0xFFE0E0E0, t.label.c_str());
    }
  }
  const std::string span = absl::StrCat("view ", FormatSpan(axis.end_ns() - axis.start_ns));
  dl->AddText(ImVec2(x_left + 6, y0 + 7), 0xFFB0B0B0, span.c_str());
}

// Vertical grid lines at the ruler's major ticks, behind the lanes.
void DrawGrid(const Document& doc, const TimeAxis& axis, ImDrawList* dl, float y0, float y1) {
  for (const RulerTick& t : RulerTicks(axis, doc.model.start_ns)) {
    if (!t.major) continue;
    const float x = axis.ToX(t.ns);
    if (x >= axis.x0 && x <= axis.x0 + axis.width) {
      dl->AddLine(ImVec2(x, y0), ImVec2(x, y1), kGrid);
    }
  }
}

// Stop-the-world spans: bands across every lane, labelled at the top.
void DrawStopTheWorld(const Document& doc, const TimeAxis& axis, ImDrawList* dl, float y0, float y1,
                      const ImVec2& mouse, bool mouse_in, HoverInfo* hover) {
  const auto& stw = doc.model.stw;
  std::vector<RowItem> items;
  LayoutSpans(
      stw, [](const analysis::StwSpan& s) { return s.start_ns; },
      [](const analysis::StwSpan& s) { return s.end_ns; },
      [](const analysis::StwSpan& s) { return s.location; }, axis, LodOptions{}, &items);
  for (const RowItem& it : items) {
    const float x1 = std::max(it.x1, it.x0 + 2);
    dl->AddRectFilled(ImVec2(it.x0, y0), ImVec2(x1, y1), kStwBand);
    dl->AddLine(ImVec2(it.x0, y0), ImVec2(it.x0, y1), 0xA02222E0);
    if (x1 - it.x0 > 60 && it.count == 1) {
      const std::string l = absl::StrCat("STW ", doc.model.LocationName(it.key));
      const ImVec4 clip(it.x0, y0, x1, y0 + 20);
      dl->AddText(nullptr, 0.0f, ImVec2(it.x0 + 3, y0 + 2), 0xFFFFFFFF, l.c_str(), nullptr, 0.0f,
                  &clip);
    }
    if (mouse_in && mouse.x >= it.x0 && mouse.x < x1 && mouse.y >= y0 && mouse.y < y1 &&
        hover->kind == HoverKind::kNone) {
      *hover = HoverInfo{HoverKind::kStw, analysis::kNone, 0, it};
    }
  }
}

void DrawArrow(ImDrawList* dl, ImVec2 from, ImVec2 to, uint32_t color) {
  dl->AddLine(from, to, color, 1.5f);
  const float dy = to.y > from.y ? -6.0f : 6.0f;
  dl->AddTriangleFilled(to, ImVec2(to.x - 4, to.y + dy), ImVec2(to.x + 4, to.y + dy), color);
}

}  // namespace

void UpdateLanes(const Document& doc, TimelineState& s) {
  const size_t n = doc.model.threads.size();
  if (s.collapsed.size() != n) s.collapsed.assign(n, false);
  if (s.lane_selected.size() != n) s.lane_selected.assign(n, false);
  if (!s.lanes_dirty && s.order.size() == n) return;
  s.order = SortLanes(doc.model, s.sort, doc.thread_rows);
  s.boxes = LayoutLanes(doc.model, s.order, s.collapsed, kMetrics);
  s.lanes_dirty = false;
}

void DrawTimeline(const Document& doc, TimelineState& s) {
  UpdateLanes(doc, s);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float scrollbar = ImGui::GetStyle().ScrollbarSize;
  const float time_x0 = origin.x + kLabelWidth;
  const float time_w = std::max(50.0f, avail.x - kLabelWidth - scrollbar);
  s.axis.x0 = time_x0;
  s.axis.width = time_w;
  if (!s.axis_ready || s.pending_range) {
    if (s.pending_range) {
      // --range shows exactly the requested range, without margins.
      s.axis = FitRange(s.pending_range->first, s.pending_range->second, time_x0, time_w);
      s.pending_range.reset();
    } else {
      ShowRange(s, doc.model.start_ns, doc.model.end_ns);
    }
    s.axis_ready = true;
  }

  ImDrawList* fg = ImGui::GetWindowDrawList();
  HoverInfo hover;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool window_hovered = ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows);

  // Ruler and counter tracks (fixed, above the scrolling lanes).
  const float counters_h = static_cast<float>(doc.model.counters.size()) * kCounterHeight;
  const float lanes_y0 = origin.y + kRulerHeight + counters_h;
  const float lanes_y1 = origin.y + avail.y;
  TimeArea area{time_x0, origin.y, time_x0 + time_w, lanes_y1, window_hovered};
  HandleTimelineInput(doc, s, area);

  DrawRuler(doc, s.axis, fg, origin.y, origin.x);
  PaintCounterTracks(doc, s.axis, fg, origin.x, origin.y + kRulerHeight, mouse, window_hovered,
                     &hover);

  // Lanes, in a child window that scrolls vertically (the wheel zooms instead).
  ImGui::SetCursorScreenPos(ImVec2(origin.x, lanes_y0));
  ImGui::BeginChild("lanes", ImVec2(avail.x, std::max(1.0f, lanes_y1 - lanes_y0)), false,
                    ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_AlwaysVerticalScrollbar);
  if (s.requested_scroll_y >= 0) {
    ImGui::SetScrollY(s.requested_scroll_y);
    s.requested_scroll_y = -1;
  }
  s.scroll_y = ImGui::GetScrollY();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float total_h = LanesHeight(s.boxes);
  const float view_h = lanes_y1 - lanes_y0;
  const bool in_lanes = window_hovered && mouse.y >= lanes_y0 && mouse.y < lanes_y1;
  LanePainter painter{doc,
                      s,
                      s.axis,
                      kMetrics,
                      dl,
                      mouse,
                      in_lanes && mouse.x >= time_x0 && mouse.x < time_x0 + time_w,
                      &hover,
                      {}};
  dl->PushClipRect(ImVec2(time_x0, lanes_y0), ImVec2(time_x0 + time_w, lanes_y1), true);
  DrawGrid(doc, s.axis, dl, lanes_y0, lanes_y1);
  const auto [first, last] = VisibleLanes(s.boxes, s.scroll_y, view_h);
  std::vector<uint32_t> visible;
  for (size_t i = first; i < last; ++i) {
    painter.PaintRows(s.boxes[i], lanes_y0 + s.boxes[i].y - s.scroll_y);
    visible.push_back(s.boxes[i].thread);
  }
  DrawStopTheWorld(doc, s.axis, dl, lanes_y0, std::min(lanes_y1, lanes_y0 + total_h - s.scroll_y),
                   mouse, painter.mouse_in_area, &hover);
  DrawLockHighlight(doc, s, kMetrics, dl, lanes_y0, first, last);
  // Who woke whom: from the releasing or notifying thread to the woken one.
  if (s.show_wakeups) {
    std::vector<float> state_y(doc.model.threads.size(), -1);
    for (const LaneBox& b : s.boxes) {
      state_y[b.thread] = lanes_y0 + b.y - s.scroll_y + kMetrics.header + kMetrics.state / 2;
    }
    // Only hand-overs that ended a wait at least 3 px long (the waits you can
    // see): the 40 longest in view, plus every one into the lane under the
    // mouse. At a wide zoom thousands of short wake-ups would hide the lanes.
    std::vector<Wakeup> arrows = VisibleWakeups(doc.model, visible, s.axis, kMaxArrows);
    const size_t lane =
        in_lanes ? LaneAt(s.boxes, mouse.y - lanes_y0 + s.scroll_y) : s.boxes.size();
    if (lane < s.boxes.size()) {
      for (const Wakeup& w : VisibleWakeups(doc.model, {s.boxes[lane].thread}, s.axis, 200)) {
        arrows.push_back(w);
      }
    }
    for (const Wakeup& w : arrows) {
      if (w.from_thread >= state_y.size() || s.axis.Px(w.wait_ns) < 3) continue;
      const float x = s.axis.ToX(w.ts_ns);
      DrawArrow(dl, ImVec2(x - 6, state_y[w.from_thread]), ImVec2(x, state_y[w.to_thread]),
                w.condvar ? 0xE0F0C0F0 : kWakeupArrow);
    }
  }
  // The range selection.
  if (s.range) {
    const float a = std::max(time_x0, s.axis.ToX(s.range->from_ns));
    const float b = std::min(time_x0 + time_w, s.axis.ToX(s.range->to_ns));
    if (b > a) {
      dl->AddRectFilled(ImVec2(a, lanes_y0), ImVec2(b, lanes_y1), kSelectionFill);
      dl->AddLine(ImVec2(a, lanes_y0), ImVec2(a, lanes_y1), kSelectionEdge);
      dl->AddLine(ImVec2(b, lanes_y0), ImVec2(b, lanes_y1), kSelectionEdge);
      const std::string d = FormatSpan(s.range->to_ns - s.range->from_ns);
      const ImVec2 ts = ImGui::CalcTextSize(d.c_str());
      const float cx = std::clamp((a + b - ts.x) / 2, time_x0, time_x0 + time_w - ts.x);
      dl->AddRectFilled(ImVec2(cx - 4, lanes_y0 + 2), ImVec2(cx + ts.x + 4, lanes_y0 + ts.y + 6),
                        0xE0202020);
      dl->AddText(ImVec2(cx, lanes_y0 + 4), 0xFFFFC850, d.c_str());
    }
  }
  dl->PopClipRect();

  // Label column.
  dl->PushClipRect(ImVec2(origin.x, lanes_y0), ImVec2(time_x0, lanes_y1), true);
  for (size_t i = first; i < last; ++i) {
    const LaneBox& b = s.boxes[i];
    const float top = lanes_y0 + b.y - s.scroll_y;
    if (painter.PaintLabel(b, top, origin.x, time_x0 - 2)) {
      s.collapsed[b.thread] = !s.collapsed[b.thread];
      s.lanes_dirty = true;
    } else if (window_hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left) &&
               ImGui::GetIO().KeyCtrl && mouse.x >= origin.x && mouse.x < time_x0 &&
               mouse.y >= top && mouse.y < top + b.height) {
      s.lane_selected[b.thread] = !s.lane_selected[b.thread];  // Ctrl+click: lane selection
      if (s.range) s.range->stats.reset();
    }
  }
  dl->PopClipRect();
  ImGui::Dummy(ImVec2(avail.x - scrollbar, std::max(total_h, 1.0f)));
  ImGui::EndChild();

  // Hover bookkeeping for '.' / ',' and click-to-select.
  s.hovered_thread = s.hovered_scope = analysis::kNone;
  if (hover.kind == HoverKind::kScope && hover.item.count == 1) {
    const auto& t = doc.model.threads[hover.thread];
    s.hovered_thread = hover.thread;
    s.hovered_scope = t.scopes_by_depth[hover.depth][hover.item.first];
    if (ImGui::IsMouseReleased(ImGuiMouseButton_Left) &&
        ImGui::GetIO().MouseDragMaxDistanceSqr[ImGuiMouseButton_Left] < 9 &&
        !ImGui::GetIO().KeyShift) {
      s.selected_thread = s.hovered_thread;
      s.selected_scope = s.hovered_scope;
    }
  }
  if (hover.kind != HoverKind::kNone && !s.panning && !s.selecting) {
    ShowTooltip(doc, s, hover);
  }
}

}  // namespace tracelane::gui
