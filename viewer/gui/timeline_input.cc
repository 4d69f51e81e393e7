#include "viewer/gui/timeline_input.h"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace tracelane::gui {
namespace {

constexpr size_t kMaxHistory = 256;

int64_t DomainStart(const Document& doc) { return doc.model.start_ns; }
int64_t DomainEnd(const Document& doc) {
  return std::max(doc.model.end_ns, doc.model.start_ns + 1);
}

}  // namespace

void PushHistory(TimelineState& s, double now, bool force) {
  if (!force && s.last_push_time >= 0 && now - s.last_push_time < 0.5) {
    s.last_push_time = now;
    return;
  }
  const NavPoint p{s.axis.start_ns, s.axis.start_frac, s.axis.ns_per_px};
  if (!s.history.empty() && s.history.back().start_ns == p.start_ns &&
      s.history.back().start_frac == p.start_frac && s.history.back().ns_per_px == p.ns_per_px) {
    s.last_push_time = now;
    return;
  }
  if (s.history.size() == kMaxHistory) s.history.erase(s.history.begin());
  s.history.push_back(p);
  s.last_push_time = now;
}

void UndoNavigation(TimelineState& s) {
  if (s.history.empty()) return;
  s.axis.start_ns = s.history.back().start_ns;
  s.axis.start_frac = s.history.back().start_frac;
  s.axis.ns_per_px = s.history.back().ns_per_px;
  s.history.pop_back();
  s.last_push_time = -1;
}

void ShowRange(TimelineState& s, int64_t from, int64_t to) {
  if (to <= from) to = from + 1;
  const double span = static_cast<double>(to - from);
  const double margin = span * 0.03;
  s.axis = FitRange(from - static_cast<int64_t>(margin), to + static_cast<int64_t>(margin),
                    s.axis.x0, s.axis.width);
}

void FitView(const Document& doc, TimelineState& s, double now) {
  PushHistory(s, now, /*force=*/true);
  if (s.range.has_value()) {
    ShowRange(s, s.range->from_ns, s.range->to_ns);
  } else {
    ShowRange(s, doc.model.start_ns, doc.model.end_ns);
  }
}

void JumpToScope(const Document& doc, TimelineState& s, uint32_t thread, uint32_t scope,
                 double now) {
  const analysis::ThreadModel& t = doc.model.threads[thread];
  const analysis::Scope& sc = t.scopes[scope];
  PushHistory(s, now, /*force=*/true);
  const int64_t d = std::max<int64_t>(sc.end_ns - sc.begin_ns, 1);
  ShowRange(s, sc.begin_ns - d / 2, sc.end_ns + d / 2);
  s.selected_thread = thread;
  s.selected_scope = scope;
  for (const LaneBox& b : s.boxes) {
    if (b.thread == thread) s.requested_scroll_y = std::max(0.0f, b.y - 40);
  }
}

void ScrollToLane(TimelineState& s, uint32_t thread) {
  for (const LaneBox& b : s.boxes) {
    if (b.thread == thread) s.requested_scroll_y = std::max(0.0f, b.y - 4);
  }
}

bool StepInstance(const Document& doc, uint32_t* thread, uint32_t* scope, bool forward) {
  const analysis::Model& m = doc.model;
  if (*thread >= m.threads.size() || *scope >= m.threads[*thread].scopes.size()) return false;
  const analysis::Scope& cur = m.threads[*thread].scopes[*scope];
  if (cur.location >= m.scopes_by_location.size()) return false;
  // Instances are listed by thread, then begin: pick the nearest begin in time
  // across threads (ties broken by thread, then index, so stepping never stalls).
  const auto key = [&](const analysis::ScopeRef& r) {
    return std::make_tuple(m.scope(r).begin_ns, r.thread, r.index);
  };
  const auto here = std::make_tuple(cur.begin_ns, *thread, *scope);
  const analysis::ScopeRef* best = nullptr;
  for (const analysis::ScopeRef& r : m.scopes_by_location[cur.location]) {
    const auto k = key(r);
    if (forward ? !(k > here) : !(k < here)) continue;
    if (best == nullptr || (forward ? k < key(*best) : k > key(*best))) best = &r;
  }
  if (best == nullptr) return false;
  *thread = best->thread;
  *scope = best->index;
  return true;
}

void HandleTimelineInput(const Document& doc, TimelineState& s, const TimeArea& area) {
  ImGuiIO& io = ImGui::GetIO();
  const double now = ImGui::GetTime();
  const int64_t d0 = DomainStart(doc), d1 = DomainEnd(doc);
  const ImVec2 mouse = io.MousePos;
  const bool in_area = area.hovered && mouse.x >= area.x0 && mouse.x < area.x1 &&
                       mouse.y >= area.y0 && mouse.y < area.y1;

  // Mouse: wheel zooms around the cursor, drag pans, Shift+drag selects.
  if (in_area && io.MouseWheel != 0) {
    PushHistory(s, now, /*force=*/false);
    s.axis = ZoomAround(s.axis, mouse.x, std::pow(1.25, io.MouseWheel), d0, d1);
  }
  if (in_area && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    if (io.KeyShift) {
      s.selecting = true;
      s.select_anchor_ns = s.axis.ToNs(mouse.x);
    } else {
      s.panning = true;
      PushHistory(s, now, /*force=*/false);
    }
  }
  if (ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
    s.panning = false;
    s.selecting = false;
  }
  if (s.panning && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f)) {
    s.axis = PanBy(s.axis, io.MouseDelta.x, d0, d1);
    s.requested_scroll_y = std::max(0.0f, s.scroll_y - io.MouseDelta.y);
  }
  if (s.selecting) {
    const int64_t t = std::clamp(s.axis.ToNs(mouse.x), d0, d1);
    const int64_t from = std::min(t, s.select_anchor_ns), to = std::max(t, s.select_anchor_ns);
    if (to > from && (!s.range || s.range->from_ns != from || s.range->to_ns != to)) {
      s.range = RangeSelection{from, to, std::nullopt};
    }
  }

  // Keyboard, unless a text field has focus.
  if (io.WantTextInput) return;
  const float dt = io.DeltaTime > 0 ? io.DeltaTime : 1.0f / 60;
  const float zoom_x = in_area ? mouse.x : area.x0 + (area.x1 - area.x0) / 2;
  if (ImGui::IsKeyDown(GLFW_KEY_W) || ImGui::IsKeyDown(GLFW_KEY_S)) {
    PushHistory(s, now, /*force=*/false);
    const double rate = std::exp(3.0 * dt);
    s.axis = ZoomAround(s.axis, zoom_x, ImGui::IsKeyDown(GLFW_KEY_W) ? rate : 1 / rate, d0, d1);
  }
  if (ImGui::IsKeyDown(GLFW_KEY_A) || ImGui::IsKeyDown(GLFW_KEY_D)) {
    PushHistory(s, now, /*force=*/false);
    const float px = s.axis.width * dt * (ImGui::IsKeyDown(GLFW_KEY_A) ? 1.0f : -1.0f);
    s.axis = PanBy(s.axis, px, d0, d1);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_F, false)) FitView(doc, s, now);
  if (ImGui::IsKeyPressed(GLFW_KEY_BACKSPACE) || (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Z))) {
    UndoNavigation(s);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) {
    s.range.reset();
    s.selected_thread = s.selected_scope = analysis::kNone;
  }
  const bool next = ImGui::IsKeyPressed(GLFW_KEY_PERIOD);
  const bool prev = ImGui::IsKeyPressed(GLFW_KEY_COMMA);
  if (next || prev) {
    uint32_t thread = s.hovered_thread, scope = s.hovered_scope;
    if (thread == analysis::kNone) thread = s.selected_thread, scope = s.selected_scope;
    if (thread != analysis::kNone && StepInstance(doc, &thread, &scope, next)) {
      JumpToScope(doc, s, thread, scope, now);
    }
  }
}

}  // namespace tracelane::gui
