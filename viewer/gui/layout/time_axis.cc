#include "viewer/gui/layout/time_axis.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace tracelane::gui {
namespace {

// Offsets beyond this are clamped (about 53 days either way) so that converting
// them to int64 can never overflow.
constexpr double kMaxOffsetNs = 4.6e15;

// Moves the exact start of `a` to `rel` ns after a.start_ns, keeping start_frac in
// [0, 1).
void SetStart(TimeAxis* a, double rel) {
  rel = std::clamp(rel, -kMaxOffsetNs, kMaxOffsetNs);
  const double whole = std::floor(rel);
  a->start_ns += static_cast<int64_t>(whole);
  a->start_frac = rel - whole;
  if (a->start_frac >= 1) a->start_frac = 0;  // rel - floor(rel) rounded up to 1
}

// Shifts the view so that its centre lies in [domain_start, domain_end].
void ClampCentre(TimeAxis* a, int64_t domain_start, int64_t domain_end) {
  if (domain_end < domain_start) domain_end = domain_start;
  const double centre = a->start_frac + a->width * a->ns_per_px / 2;  // relative to start_ns
  const double lo = static_cast<double>(domain_start - a->start_ns);
  const double hi = static_cast<double>(domain_end - a->start_ns);
  if (centre < lo) {
    SetStart(a, a->start_frac + (lo - centre));
  } else if (centre > hi) {
    SetStart(a, a->start_frac - (centre - hi));
  }
}

double SaneMin(double min_ns_per_px) {
  return std::isfinite(min_ns_per_px) && min_ns_per_px > 0 ? min_ns_per_px : kMinNsPerPx;
}

}  // namespace

int64_t TimeAxis::end_ns() const {
  return start_ns + static_cast<int64_t>(std::ceil(start_frac + width * ns_per_px));
}

float TimeAxis::ToX(int64_t ns) const { return x0 + static_cast<float>(Since(ns) / ns_per_px); }

int64_t TimeAxis::ToNs(float x) const {
  // The tolerance absorbs the float rounding of an x computed by ToX. It does
  // not grow with ns_per_px above 1, so the nanosecond under a pixel only
  // depends on the exact time there (zooming around x keeps ToNs(x)).
  return start_ns + static_cast<int64_t>(std::floor(OffsetAt(x) + std::min(ns_per_px, 1.0) / 1024));
}

TimeAxis ZoomAround(const TimeAxis& a, float x, double factor, int64_t domain_start,
                    int64_t domain_end, double min_ns_per_px) {
  min_ns_per_px = SaneMin(min_ns_per_px);
  TimeAxis b = a;
  if (!(b.width > 0)) b.width = 1;
  const double domain = static_cast<double>(std::max<int64_t>(domain_end - domain_start, 1));
  const double max_ns_per_px = std::max(4 * domain / b.width, min_ns_per_px);
  double npp = std::isfinite(a.ns_per_px) && a.ns_per_px > 0 ? a.ns_per_px : min_ns_per_px;
  if (std::isfinite(factor) && factor > 0) npp /= factor;
  b.ns_per_px = std::clamp(npp, min_ns_per_px, max_ns_per_px);
  // Keep the exact time under x: it is a.OffsetAt(x) after a.start_ns.
  const double dx = static_cast<double>(x) - a.x0;
  b.start_frac = 0;
  SetStart(&b, a.OffsetAt(x) - dx * b.ns_per_px);
  ClampCentre(&b, domain_start, domain_end);
  return b;
}

TimeAxis PanBy(const TimeAxis& a, float dx_px, int64_t domain_start, int64_t domain_end) {
  TimeAxis b = a;
  b.start_frac = 0;
  SetStart(&b, a.start_frac - static_cast<double>(dx_px) * a.ns_per_px);
  ClampCentre(&b, domain_start, domain_end);
  return b;
}

TimeAxis FitRange(int64_t from, int64_t to, float x0, float width, double min_ns_per_px) {
  min_ns_per_px = SaneMin(min_ns_per_px);
  TimeAxis a;
  a.x0 = x0;
  a.width = width > 0 ? width : 1;
  a.start_ns = from;
  const double len = static_cast<double>(std::max<int64_t>(to - from, 1));
  a.ns_per_px = len / a.width;
  if (a.ns_per_px < min_ns_per_px) {
    a.ns_per_px = min_ns_per_px;
    SetStart(&a, (len - a.width * a.ns_per_px) / 2);  // centre the range
  }
  return a;
}

}  // namespace tracelane::gui
