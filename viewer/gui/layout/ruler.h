// The time ruler above the lanes, and duration formatting for labels and
// tooltips. No GUI dependency.
#ifndef TRACELANE_VIEWER_GUI_LAYOUT_RULER_H_
#define TRACELANE_VIEWER_GUI_LAYOUT_RULER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "viewer/gui/layout/time_axis.h"

namespace tracelane::gui {

// One tick of the ruler. Draw it at axis.ToX(ns).
struct RulerTick {
  int64_t ns;         // trace time of the tick
  bool major;         // labelled tick
  std::string label;  // only on major ticks, e.g. "+1.5 ms"; empty on minor ticks
};

// The labelled step of the ruler: the smallest step of the 1-2-5 ladder (1 ns,
// 2 ns, 5 ns, 10 ns, ...) at least min_label_px wide on `axis`. O(log range).
int64_t RulerStep(const TimeAxis& axis, float min_label_px = 90);

// Ticks inside [axis.x0, axis.x0 + axis.width], in time order. Major ticks sit at
// multiples of RulerStep() after origin_ns (the capture start), so labelled
// ticks are at least min_label_px apart; minor ticks subdivide each step in 5
// (steps 1x and 5x) or 4 (steps 2x); 2 ns steps get halves and 1 ns steps none,
// as ticks stay on whole nanoseconds.
//
// Labels are offsets from origin_ns in the unit the step calls for: the largest
// of s, ms, us, ns that is at most 10 steps, with one decimal when the step is a
// tenth of that unit and trailing zeros dropped: "+0 s", "+1.5 ms", "+250 us",
// "+12 ns", "-2 ms" (before the origin). Neighbouring labels always differ.
// O(ticks), about width / min_label_px * 5.
std::vector<RulerTick> RulerTicks(const TimeAxis& axis, int64_t origin_ns, float min_label_px = 90);

// A duration for tooltips and labels, three significant digits in the largest unit
// below it, seconds with millisecond precision: "87 ns", "12.4 us", "1.25 ms",
// "125 ms", "3.007 s"; negative durations get a '-'. O(1).
std::string FormatSpan(int64_t ns);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LAYOUT_RULER_H_
