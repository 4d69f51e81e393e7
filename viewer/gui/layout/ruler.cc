#include "viewer/gui/layout/ruler.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tracelane::gui {
namespace {

constexpr int64_t kUs = 1000;
constexpr int64_t kMs = 1000 * kUs;
constexpr int64_t kSec = 1000 * kMs;
constexpr int64_t kMaxStep = kSec * 1000000000;  // 1e18 ns: beyond any trace

// floor(a / b) and ceil(a / b) for b > 0.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && a < 0 ? 1 : 0); }
int64_t CeilDiv(int64_t a, int64_t b) { return a / b + (a % b != 0 && a > 0 ? 1 : 0); }

// The next step of the 1-2-5 ladder.
int64_t NextStep(int64_t step) {
  int64_t decade = 1;
  while (decade <= step / 10) decade *= 10;
  const int64_t mantissa = step / decade;
  return mantissa == 1 ? 2 * decade : mantissa == 2 ? 5 * decade : 10 * decade;
}

// Minor tick spacing for a ladder step (whole nanoseconds; 0 = no minor ticks).
int64_t MinorStep(int64_t step) {
  if (step == 1) return 0;
  if (step == 2) return 1;
  int64_t decade = 1;
  while (decade <= step / 10) decade *= 10;
  return step / decade == 2 ? step / 4 : step / 5;
}

struct LabelUnit {
  int64_t ns;
  const char* name;
};

// The largest unit that is at most 10 steps.
LabelUnit UnitFor(int64_t step) {
  if (step >= kSec / 10) return {kSec, "s"};
  if (step >= kMs / 10) return {kMs, "ms"};
  if (step >= kUs / 10) return {kUs, "us"};
  return {1, "ns"};
}

// "+1.5 ms": offset (a multiple of step) in `unit`, one decimal when the step is
// below the unit (it is then a multiple of unit / 10), trailing ".0" dropped.
std::string OffsetLabel(int64_t offset, int64_t step, LabelUnit unit) {
  const char* sign = offset < 0 ? "-" : "+";
  const uint64_t mag =
      offset < 0 ? uint64_t{0} - static_cast<uint64_t>(offset) : static_cast<uint64_t>(offset);
  const uint64_t u = static_cast<uint64_t>(unit.ns);
  const uint64_t whole = mag / u;
  const uint64_t tenth = step < unit.ns ? (mag % u) / (u / 10) : 0;
  if (tenth == 0) return absl::StrCat(sign, whole, " ", unit.name);
  return absl::StrCat(sign, whole, ".", tenth, " ", unit.name);
}

}  // namespace

int64_t RulerStep(const TimeAxis& axis, float min_label_px) {
  if (!(min_label_px > 0)) min_label_px = 1;
  int64_t step = 1;
  while (step < kMaxStep && axis.Px(step) < min_label_px) step = NextStep(step);
  return step;
}

std::vector<RulerTick> RulerTicks(const TimeAxis& axis, int64_t origin_ns, float min_label_px) {
  std::vector<RulerTick> ticks;
  const int64_t step = RulerStep(axis, min_label_px);
  const int64_t minor = MinorStep(step);
  const int64_t spacing = minor > 0 ? minor : step;
  const LabelUnit unit = UnitFor(step);
  // Whole nanoseconds inside the exact visible range [start, end].
  const int64_t first_ns = axis.start_ns + (axis.start_frac > 0 ? 1 : 0);
  const int64_t last_ns =
      axis.start_ns +
      static_cast<int64_t>(std::floor(axis.start_frac + axis.width * axis.ns_per_px));
  if (last_ns < first_ns) return ticks;
  const int64_t k_first = CeilDiv(first_ns - origin_ns, spacing);
  const int64_t k_last = FloorDiv(last_ns - origin_ns, spacing);
  if (k_last >= k_first) ticks.reserve(static_cast<size_t>(k_last - k_first + 1));
  for (int64_t k = k_first; k <= k_last; ++k) {
    const int64_t offset = k * spacing;
    RulerTick t{origin_ns + offset, offset % step == 0, ""};
    if (t.major) t.label = OffsetLabel(offset, step, unit);
    ticks.push_back(std::move(t));
  }
  return ticks;
}

std::string FormatSpan(int64_t ns) {
  if (ns < 0) {
    return absl::StrCat("-", FormatSpan(ns == INT64_MIN ? INT64_MAX : -ns));
  }
  if (ns < kUs) return absl::StrCat(ns, " ns");
  const LabelUnit units[] = {{kUs, "us"}, {kMs, "ms"}, {kSec, "s"}};
  for (const LabelUnit& u : units) {
    const double v = static_cast<double>(ns) / static_cast<double>(u.ns);
    if (u.ns == kSec) return absl::StrFormat("%.3f s", v);
    const int decimals = v < 10 ? 2 : v < 100 ? 1 : 0;
    const double scale = decimals == 2 ? 100 : decimals == 1 ? 10 : 1;
    // 999.7 us would print as "1000 us": say "1.00 ms" instead.
    if (std::round(v * scale) < 1000 * scale) {
      return absl::StrFormat("%.*f %s", decimals, v, u.name);
    }
  }
  return "";  // not reached: seconds always return
}

}  // namespace tracelane::gui
