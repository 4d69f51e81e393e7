#include "viewer/gui/counter_tracks.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_format.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/timeline_view.h"

namespace tracelane::gui {
namespace {

constexpr uint32_t kCounterFill = 0xA0C8A060;
constexpr uint32_t kCounterLine = 0xFFE8C880;

}  // namespace

void PaintCounterTracks(const Document& doc, const TimeAxis& axis, ImDrawList* dl, float x_left,
                        float y0, ImVec2 mouse, bool mouse_in, HoverInfo* hover) {
  const float x0 = axis.x0, x1 = axis.x0 + axis.width;
  const int64_t t0 = axis.start_ns, t1 = axis.end_ns();
  for (size_t k = 0; k < doc.model.counters.size(); ++k) {
    const analysis::CounterTrack& track = doc.model.counters[k];
    const float top = y0 + static_cast<float>(k) * kCounterHeight;
    const float bottom = top + kCounterHeight - 4;
    dl->AddRectFilled(ImVec2(x_left, top), ImVec2(x0 - 2, bottom), kLaneHeader);
    dl->AddRectFilled(ImVec2(x0, top), ImVec2(x1, bottom), kLaneBackground);
    const std::string label = absl::StrFormat(
        "%s  [%g .. %g]", doc.model.LocationName(track.location), track.min_value, track.max_value);
    const ImVec4 clip(x_left, top, x0 - 4, bottom);
    dl->AddText(nullptr, 0.0f, ImVec2(x_left + 6, top + 8), 0xFFE8C880, label.c_str(), nullptr,
                0.0f, &clip);
    const auto& pts = track.points;
    if (pts.empty()) continue;
    const double lo = std::min(0.0, track.min_value), hi = track.max_value;
    const double range = hi > lo ? hi - lo : 1;
    const auto y_of = [&](double v) {
      return bottom - 2 - static_cast<float>((v - lo) / range) * (bottom - top - 4);
    };
    // The value holding at the left edge, then one step per point; a pixel column
    // holding many points becomes one min-max bar (found by binary search).
    auto it =
        std::upper_bound(pts.begin(), pts.end(), t0,
                         [](int64_t v, const analysis::CounterPoint& p) { return v < p.ts_ns; });
    if (it != pts.begin()) --it;
    if (it->ts_ns > t1) continue;  // the first sample comes after the view
    dl->PushClipRect(ImVec2(x0, top), ImVec2(x1, bottom), true);
    float prev_x = std::max(x0, axis.ToX(it->ts_ns));
    double prev_v = it->value;
    while (it != pts.end() && it->ts_ns <= t1) {
      const float x = std::max(x0, axis.ToX(it->ts_ns));
      const int64_t column_end = axis.ToNs(std::floor(x) + 1);
      auto end =
          std::lower_bound(it, pts.end(), column_end,
                           [](const analysis::CounterPoint& p, int64_t v) { return p.ts_ns < v; });
      if (end - it > 1) {  // several samples in this pixel: draw their range
        double mn = it->value, mx = it->value;
        const auto stride = std::max<ptrdiff_t>(1, (end - it) / 64);  // bounded work per pixel
        for (auto p = it; p < end; p += stride)
          mn = std::min(mn, p->value), mx = std::max(mx, p->value);
        dl->AddRectFilled(ImVec2(prev_x, y_of(prev_v)), ImVec2(x, bottom - 2), kCounterFill);
        dl->AddLine(ImVec2(x, y_of(mx)), ImVec2(x, y_of(mn) + 1), kCounterLine);
        prev_x = x;
        prev_v = (end - 1)->value;
        it = end;
        continue;
      }
      dl->AddRectFilled(ImVec2(prev_x, y_of(prev_v)), ImVec2(std::max(x, prev_x + 1), bottom - 2),
                        kCounterFill);
      dl->AddLine(ImVec2(prev_x, y_of(prev_v)), ImVec2(x, y_of(prev_v)), kCounterLine);
      dl->AddLine(ImVec2(x, y_of(prev_v)), ImVec2(x, y_of(it->value)), kCounterLine);
      if (mouse_in && mouse.y >= top && mouse.y < bottom && mouse.x >= prev_x && mouse.x < x) {
        RowItem ri{prev_x, x, static_cast<uint32_t>(it - pts.begin()) - 1, 1, track.location, 0};
        *hover = HoverInfo{HoverKind::kCounter, static_cast<uint32_t>(k), 0, ri};
      }
      prev_x = x;
      prev_v = it->value;
      ++it;
    }
    dl->AddRectFilled(ImVec2(prev_x, y_of(prev_v)), ImVec2(x1, bottom - 2), kCounterFill);
    dl->AddLine(ImVec2(prev_x, y_of(prev_v)), ImVec2(x1, y_of(prev_v)), kCounterLine);
    if (mouse_in && mouse.y >= top && mouse.y < bottom && mouse.x >= prev_x && mouse.x < x1) {
      RowItem ri{prev_x,
                 x1,
                 static_cast<uint32_t>((it == pts.end() ? pts.size() : it - pts.begin()) - 1),
                 1,
                 track.location,
                 0};
      *hover = HoverInfo{HoverKind::kCounter, static_cast<uint32_t>(k), 0, ri};
    }
    dl->PopClipRect();
  }
}

}  // namespace tracelane::gui
