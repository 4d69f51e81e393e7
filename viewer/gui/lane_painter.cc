#include "viewer/gui/lane_painter.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "viewer/gui/colors.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

using analysis::ThreadModel;
using analysis::ThreadState;

constexpr uint32_t kLossStripe = 0xFF202020;  // the dark stripes of a data-lost gap

// Draws `text` inside [x0, x1) x [y0, y1) if there is room for a few characters;
// clipped at the right edge. O(text).
void Label(ImDrawList* dl, float x0, float x1, float y0, float y1, uint32_t color,
           const char* begin, const char* end = nullptr) {
  if (x1 - x0 < 14) return;
  const float h = ImGui::GetFontSize();
  const ImVec4 clip(x0 + 2, y0, x1 - 2, y1);
  dl->AddText(nullptr, 0.0f, ImVec2(x0 + 3, y0 + (y1 - y0 - h) / 2), color, begin, end, 0.0f,
              &clip);
}

// A jagged red edge where the capture window cut a span: nothing beyond it was
// recorded, so the span is drawn as cut, not as ending there.
void CutEdge(ImDrawList* dl, float x, float y0, float y1, bool left) {
  const float w = left ? 4 : -4;
  for (float y = y0; y < y1; y += 4) {
    dl->AddTriangleFilled(ImVec2(x, y), ImVec2(x + w, y + 2), ImVec2(x, std::min(y + 4, y1)),
                          kCutMark);
  }
}

// Where lost data cut a span: the same jagged edge in the loss colour, so a
// scope cut by lost data never reads as one cut by the capture window.
void LossEdge(ImDrawList* dl, float x, float y0, float y1, bool left) {
  const float w = left ? 4 : -4;
  for (float y = y0; y < y1; y += 4) {
    dl->AddTriangleFilled(ImVec2(x, y), ImVec2(x + w, y + 2), ImVec2(x, std::min(y + 4, y1)),
                          kLossMark);
  }
}

}  // namespace

void DrawLossHatch(ImDrawList* dl, ImVec2 a, ImVec2 b) {
  dl->AddRectFilled(a, b, kLossMark);
  const float h = b.y - a.y;
  dl->PushClipRect(a, b, true);
  for (float x = a.x - h; x < b.x; x += 6) {
    dl->AddLine(ImVec2(x, b.y), ImVec2(x + h, a.y), kLossStripe, 2.0f);
  }
  dl->PopClipRect();
}

bool LanePainter::Hit(float x0, float x1, float y0, float y1) const {
  return mouse_in_area && mouse.x >= x0 && mouse.x < std::max(x1, x0 + 1) && mouse.y >= y0 &&
         mouse.y < y1;
}

void LanePainter::PaintRows(const LaneBox& box, float top) {
  const uint32_t thread = box.thread;
  const float x0 = axis.x0, x1 = axis.x0 + axis.width;
  dl->AddRectFilled(ImVec2(x0, top), ImVec2(x1, top + box.height - metrics.gap), kLaneBackground);
  PaintHeader(thread, top);
  PaintStates(thread, top + metrics.header);
  if (box.collapsed) return;
  const float scopes_top = top + metrics.header + metrics.state + 2;
  for (int d = 0; d < box.depths; ++d) {
    PaintScopes(thread, static_cast<size_t>(d), scopes_top + d * metrics.scope_row);
  }
}

void LanePainter::PaintHeader(uint32_t thread, float y) {
  const ThreadModel& t = doc.model.threads[thread];
  const float y0 = y + 2, y1 = y + metrics.header - 2;
  // Own pauses (allocator, TRACE_PAUSE) on their thread.
  items.clear();
  LayoutSpans(
      t.pauses, [](const analysis::Pause& p) { return p.start_ns; },
      [](const analysis::Pause& p) { return p.end_ns; },
      [](const analysis::Pause& p) { return p.location; }, axis, LodOptions{}, &items);
  const uint32_t pause_color = StateColor(ThreadState::kPaused);
  for (const RowItem& it : items) {
    dl->AddRectFilled(ImVec2(it.x0, y0), ImVec2(std::max(it.x1, it.x0 + 2), y1), pause_color);
    if (it.count == 1) {
      const std::string& name = doc.model.LocationName(it.key);
      Label(dl, it.x0, it.x1, y0, y1, TextOn(pause_color), name.c_str());
    }
    if (Hit(it.x0 - 2, it.x1 + 2, y0, y1)) *hover = HoverInfo{HoverKind::kPause, thread, 0, it};
  }
  // Instants as ticks.
  const int64_t t0 = axis.start_ns, t1 = axis.end_ns();
  auto it = std::lower_bound(t.instants.begin(), t.instants.end(), t0,
                             [](const analysis::Instant& i, int64_t v) { return i.ts_ns < v; });
  float last_x = -1e9f;
  for (; it != t.instants.end() && it->ts_ns <= t1; ++it) {
    const float x = axis.ToX(it->ts_ns);
    if (x - last_x < 2) continue;  // one tick per 2 px
    last_x = x;
    dl->AddTriangleFilled(ImVec2(x - 3, y0), ImVec2(x + 3, y0), ImVec2(x, y1), 0xFFE0E0E0);
    if (Hit(x - 3, x + 3, y0, y1)) {
      RowItem ri{x - 3, x + 3, static_cast<uint32_t>(it - t.instants.begin()), 1, it->location, 0};
      *hover = HoverInfo{HoverKind::kInstant, thread, 0, ri};
    }
  }
}

void LanePainter::PaintStates(uint32_t thread, float y) {
  const ThreadModel& t = doc.model.threads[thread];
  const float y0 = y, y1 = y + metrics.state;
  items.clear();
  LayoutStates(t, doc.state_index[thread], axis, LodOptions{}, &items);
  for (const RowItem& it : items) {
    const auto state = static_cast<ThreadState>(it.key);
    const uint32_t fill = StateColor(state);
    dl->AddRectFilled(ImVec2(it.x0, y0), ImVec2(std::max(it.x1, it.x0 + 1), y1), fill);
    // A lock wait wide enough for text carries the lock's name.
    if (it.count == 1 && state == ThreadState::kLockWait && it.x1 - it.x0 > 40) {
      const int64_t at = t.states[it.first].start_ns;
      auto w =
          std::upper_bound(t.lock_waits.begin(), t.lock_waits.end(), at,
                           [](int64_t v, const analysis::LockWait& lw) { return v < lw.start_ns; });
      if (w != t.lock_waits.begin()) {
        --w;
        if (w->end_ns > at) {
          const std::string name = doc.model.LockName(w->lock_id);
          Label(dl, it.x0, it.x1, y0, y1, TextOn(fill), name.c_str());
        }
      }
    }
    if (Hit(it.x0, it.x1, y0, y1)) *hover = HoverInfo{HoverKind::kState, thread, 0, it};
  }
  PaintGaps(thread, y0, y1);
}

void LanePainter::PaintGaps(uint32_t thread, float y0, float y1) {
  const ThreadModel& t = doc.model.threads[thread];
  if (t.gaps.empty()) return;
  // Over the strip: the gap's time is Unknown in the model, and drawn as lost.
  items.clear();
  LayoutSpans(
      t.gaps, [](const analysis::DataGap& g) { return g.start_ns; },
      [](const analysis::DataGap& g) { return g.end_ns; },
      [](const analysis::DataGap&) { return 0u; }, axis, LodOptions{}, &items);
  for (const RowItem& it : items) {
    const float x1 = std::max(it.x1, it.x0 + 4);  // never thinner than 4 px
    DrawLossHatch(dl, ImVec2(it.x0, y0), ImVec2(x1, y1));
    if (Hit(it.x0 - 2, x1 + 2, y0, y1)) *hover = HoverInfo{HoverKind::kGap, thread, 0, it};
  }
}

void LanePainter::PaintScopes(uint32_t thread, size_t depth, float y) {
  const ThreadModel& t = doc.model.threads[thread];
  const float y0 = y, y1 = y + metrics.scope_row - 1;
  items.clear();
  LayoutScopes(t, depth, axis, LodOptions{}, &items);
  const PodVector<uint32_t>& at_depth = t.scopes_by_depth[depth];
  for (const RowItem& it : items) {
    const float x1 = std::max(it.x1, it.x0 + 1);
    if (it.count > 1) {
      dl->AddRectFilled(ImVec2(it.x0, y0), ImVec2(x1, y1), kMergedScope);
      if (x1 - it.x0 > 24) {
        const std::string n = absl::StrCat(it.count);
        Label(dl, it.x0, x1, y0, y1, 0xFF000000, n.c_str());
      }
    } else {
      const uint32_t scope = at_depth[it.first];
      const std::string& name = doc.model.LocationName(it.key);
      const uint32_t fill = ScopeColor(name);
      dl->AddRectFilled(ImVec2(it.x0, y0), ImVec2(x1, y1), fill);
      if (x1 - it.x0 > 6) dl->AddRect(ImVec2(it.x0, y0), ImVec2(x1, y1), 0x50000000);
      Label(dl, it.x0, x1, y0, y1, TextOn(fill), name.c_str());
      if (it.flags & kCutBegin) CutEdge(dl, it.x0, y0, y1, /*left=*/true);
      if (it.flags & kCutEnd) CutEdge(dl, x1, y0, y1, /*left=*/false);
      if (it.flags & kLostBegin) LossEdge(dl, it.x0, y0, y1, /*left=*/true);
      if (it.flags & kLostEnd) LossEdge(dl, x1, y0, y1, /*left=*/false);
      if (thread == state.selected_thread && scope == state.selected_scope) {
        dl->AddRect(ImVec2(it.x0 - 1, y0 - 1), ImVec2(x1 + 1, y1 + 1), 0xFFFFFFFF, 0, 0, 2.0f);
      }
    }
    if (Hit(it.x0, x1, y0, y1)) *hover = HoverInfo{HoverKind::kScope, thread, depth, it};
  }
}

bool LanePainter::PaintLabel(const LaneBox& box, float top, float x0, float x1) {
  const ThreadModel& t = doc.model.threads[box.thread];
  const bool selected = box.thread < state.lane_selected.size() && state.lane_selected[box.thread];
  dl->AddRectFilled(ImVec2(x0, top), ImVec2(x1, top + box.height - metrics.gap),
                    selected ? 0xFF5A4A30 : kLaneHeader);
  // Fold triangle.
  const float ty = top + metrics.header / 2;
  const uint32_t tri = 0xFFC0C0C0;
  if (box.collapsed) {
    dl->AddTriangleFilled(ImVec2(x0 + 6, ty - 4), ImVec2(x0 + 12, ty), ImVec2(x0 + 6, ty + 4), tri);
  } else {
    dl->AddTriangleFilled(ImVec2(x0 + 5, ty - 3), ImVec2(x0 + 13, ty - 3), ImVec2(x0 + 9, ty + 3),
                          tri);
  }
  const std::string label = absl::StrCat(t.name.empty() ? "(unnamed)" : t.name, " [", t.tid, "]");
  const ImVec4 clip(x0, top, x1 - 4, top + box.height);
  dl->AddText(nullptr, 0.0f, ImVec2(x0 + 16, top + 2), 0xFFFFFFFF, label.c_str(), nullptr, 0.0f,
              &clip);
  // Where the thread's time went (Go's goroutine analysis in one line): the two
  // states it spent most of its life in.
  const float y2 = top + metrics.header;
  if (box.thread < doc.thread_rows.size()) {
    const analysis::ThreadStatesRow& row = doc.thread_rows[box.thread];
    int first = -1, second = -1;
    for (int i = 0; i < analysis::kNumStates; ++i) {
      if (row.ns[i] <= 0) continue;
      if (first < 0 || row.ns[i] > row.ns[first]) {
        second = first;
        first = i;
      } else if (second < 0 || row.ns[i] > row.ns[second]) {
        second = i;
      }
    }
    float x = x0 + 16;
    for (int i : {first, second}) {
      if (i < 0) continue;
      const auto st = static_cast<ThreadState>(i);
      const std::string l =
          absl::StrCat(analysis::StateLabel(st), " ", FormatPercent(row.ns[i], row.wall_ns));
      dl->AddRectFilled(ImVec2(x, y2 + 4), ImVec2(x + 8, y2 + 12), StateColor(st));
      dl->AddText(nullptr, 0.0f, ImVec2(x + 11, y2), 0xFFB8B8B8, l.c_str(), nullptr, 0.0f, &clip);
      x += 11 + ImGui::CalcTextSize(l.c_str()).x + 10;
    }
  }
  // Losses of this thread: counted and shown, never silent.
  const float y3 = y2 + metrics.state + 2;
  const uint64_t lost = t.dropped + t.overwritten;
  if (lost != 0) {
    const std::string l = absl::StrCat("! ", lost, " events lost");
    dl->AddText(nullptr, 0.0f, ImVec2(x0 + 16, y3), kLossMark, l.c_str(), nullptr, 0.0f, &clip);
    if (mouse.x >= x0 && mouse.x < x1 && mouse.y >= y3 && mouse.y < y3 + metrics.scope_row) {
      RowItem ri{x0, x1, 0, 1, 0, 0};
      *hover = HoverInfo{HoverKind::kLoss, box.thread, 0, ri};
    }
  } else if (t.exited) {
    dl->AddText(nullptr, 0.0f, ImVec2(x0 + 16, y3), 0xFF909090, "exited", nullptr, 0.0f, &clip);
  }
  return ImGui::IsMouseClicked(ImGuiMouseButton_Left) && mouse.x >= x0 && mouse.x < x0 + 16 &&
         mouse.y >= top && mouse.y < top + metrics.header;
}

}  // namespace tracelane::gui
