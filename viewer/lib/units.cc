#include "viewer/lib/units.h"

#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tracelane {

std::string FormatDuration(int64_t ns) {
  const double v = static_cast<double>(ns);
  const double a = v < 0 ? -v : v;
  if (a >= 1e9) return absl::StrFormat("%.3f s", v / 1e9);
  if (a >= 1e6) return absl::StrFormat("%.3f ms", v / 1e6);
  if (a >= 1e3) return absl::StrFormat("%.3f us", v / 1e3);
  return absl::StrFormat("%d ns", ns);
}

absl::StatusOr<int64_t> ParseDuration(const std::string& text) {
  static const std::pair<const char*, double> kUnits[] = {
      {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  std::string num = text;
  double scale = 1;
  for (const auto& [suffix, mult] : kUnits) {
    const std::string s = suffix;
    if (text.size() > s.size() && text.compare(text.size() - s.size(), s.size(), s) == 0) {
      const char before = text[text.size() - s.size() - 1];
      if (s == "s" && (before == 'n' || before == 'u' || before == 'm')) continue;
      num = text.substr(0, text.size() - s.size());
      scale = mult;
      break;
    }
  }
  double v;
  // 9.2e18 is below INT64_MAX (9.22e18) and exactly representable: the cast is defined.
  if (!absl::SimpleAtod(num, &v) || !(v >= 0) || v * scale + 0.5 >= 9.2e18) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad duration '", text, "' (expected e.g. 250us, 10ms, 5s)"));
  }
  return static_cast<int64_t>(v * scale + 0.5);
}

std::string FormatPercent(int64_t part, int64_t whole) {
  if (whole <= 0) return "-";
  return absl::StrFormat("%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string FormatOffset(int64_t ts_ns, int64_t origin_ns) {
  const double d = static_cast<double>(ts_ns - origin_ns);
  return absl::StrFormat("%c%.6f s", d < 0 ? '-' : '+', std::fabs(d) / 1e9);
}

}  // namespace tracelane
