// Units for people: durations, percentages and trace-relative offsets, shared by
// the CLI and the desktop viewer (which must not depend on viewer/cli). Every
// function is O(1) or O(length of its input) and allocates only its result.
#ifndef TRACELANE_VIEWER_LIB_UNITS_H_
#define TRACELANE_VIEWER_LIB_UNITS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace tracelane {

// Formats nanoseconds with three decimals in the largest unit that keeps the
// value >= 1: "1.250 s", "340.000 us", "2.500 ms", and plain "87 ns" below 1 us.
// Negative values keep their sign ("-1.500 ms"). O(1).
std::string FormatDuration(int64_t ns);

// Parses a non-negative duration: a number (decimals allowed) with a unit
// suffix "ns", "us", "ms" or "s" ("10ms", "250us", "1.5s"), or a bare number of
// nanoseconds; spaces around the number are ignored. Rounds to the nearest
// nanosecond. InvalidArgumentError (naming the text) on anything else, a
// negative value or one over INT64_MAX ns. O(length).
absl::StatusOr<int64_t> ParseDuration(const std::string& text);

// `part` as a percentage of `whole` with one decimal: "37.5%"; "-" when whole
// <= 0. O(1).
std::string FormatPercent(int64_t part, int64_t whole);

// `ts_ns` as seconds after `origin_ns` (usually the trace start) with
// microsecond precision: "+1.234567 s"; before the origin "-0.000500 s". O(1).
std::string FormatOffset(int64_t ts_ns, int64_t origin_ns);

}  // namespace tracelane

#endif  // TRACELANE_VIEWER_LIB_UNITS_H_
