// The timeline's horizontal axis: how trace time maps to pixels in one frame, and
// the pure navigation functions (zoom around the cursor, pan, fit a range) that
// produce the next frame's axis. No GUI dependency.
//
//   TimeAxis axis = FitRange(m.start_ns, m.end_ns, lanes_x0, lanes_width);
//   axis = ZoomAround(axis, mouse_x, 1.25, m.start_ns, m.end_ns);  // wheel up
//   float x = axis.ToX(span.start_ns);
#ifndef TRACELANE_VIEWER_GUI_LAYOUT_TIME_AXIS_H_
#define TRACELANE_VIEWER_GUI_LAYOUT_TIME_AXIS_H_

#include <cstdint>

namespace tracelane::gui {

// Closest zoom by default: 0.01 ns per pixel, i.e. one nanosecond spans 100 px.
inline constexpr double kMinNsPerPx = 0.01;

// Maps trace time to horizontal pixels for one frame. Pure value type; every
// member function is O(1).
//
// The exact time at x0 is start_ns + start_frac: the fraction keeps panning and
// zooming smooth when a nanosecond is wider than a pixel (integer start times
// would make the view jump in whole nanoseconds, up to 100 px at the closest zoom).
struct TimeAxis {
  int64_t start_ns = 0;   // time at x0 (whole nanoseconds)
  double start_frac = 0;  // fraction of a nanosecond added to start_ns, in [0, 1)
  double ns_per_px = 1;   // > 0
  float x0 = 0;           // left edge of the lane area (px)
  float width = 1;        // lane area width (px)

  // The time at x0 + width, rounded up: [start_ns, end_ns()) holds every
  // nanosecond that is at least partly visible.
  int64_t end_ns() const;
  // Pixel of time `ns`; may fall outside [x0, x0 + width].
  float ToX(int64_t ns) const;
  // The nanosecond whose pixel cell [ToX(ns), ToX(ns + 1)) holds x: the floor of
  // the exact time, with a tolerance of min(ns_per_px, 1) / 1024 ns for float
  // rounding. So ToNs(ToX(t)) == t whenever ns_per_px <= 1 and |x| < 8192; with
  // more nanoseconds per pixel it may be 1 ns early (plus the float rounding of
  // x, about |x| * 6e-8 px), well under a pixel.
  int64_t ToNs(float x) const;
  // Exact time at pixel x relative to start_ns (ns, fractional). Layout code
  // compares item times against this to avoid rounding.
  double OffsetAt(float x) const { return start_frac + (static_cast<double>(x) - x0) * ns_per_px; }
  // Exact time `ns` relative to the time at x0, in ns.
  double Since(int64_t ns) const { return static_cast<double>(ns - start_ns) - start_frac; }
  // Width in pixels of a duration. O(1).
  double Px(int64_t duration_ns) const { return static_cast<double>(duration_ns) / ns_per_px; }
};

// Zooms by `factor` (> 1 zooms in, < 1 out) keeping the time under pixel x fixed,
// unless a clamp applies: ns_per_px stays within [min_ns_per_px, 4 * domain length
// / width] (the whole domain then fills a quarter of the width), and the time at
// the centre of the view stays inside [domain_start, domain_end], so the trace can
// never be scrolled out of reach. A non-positive or non-finite factor only applies
// the clamps. O(1).
TimeAxis ZoomAround(const TimeAxis& a, float x, double factor, int64_t domain_start,
                    int64_t domain_end, double min_ns_per_px = kMinNsPerPx);

// Pans as a drag does: the content moves right by dx_px pixels (dx_px > 0 shows
// earlier times). Clamped like ZoomAround (the view's centre stays in the domain).
// O(1).
TimeAxis PanBy(const TimeAxis& a, float dx_px, int64_t domain_start, int64_t domain_end);

// The axis showing exactly [from, to) over [x0, x0 + width). A range shorter than
// width * min_ns_per_px is shown centred at that closest zoom; an empty range
// counts as 1 ns; a non-positive width as 1 px. O(1).
TimeAxis FitRange(int64_t from, int64_t to, float x0, float width,
                  double min_ns_per_px = kMinNsPerPx);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LAYOUT_TIME_AXIS_H_
