// Sums of durations that stop at INT64_MAX (292 years) instead of overflowing.
// Times are in [0, 2^62) (docs/FORMAT.md 6.6), so one duration, or a difference
// of two times, always fits in int64; a sum over the spans of many threads, or
// over nested instances of one scope, may not (a hostile file can hold spans of
// 2^62 ns on every thread). Every analysis total that adds durations across
// threads or instances goes through these. O(1): an add and a branch.
#ifndef TRACELANE_VIEWER_ANALYSIS_SATURATING_H_
#define TRACELANE_VIEWER_ANALYSIS_SATURATING_H_

#include <cstdint>

#include "viewer/analysis/thread_states.h"

namespace tracelane::analysis {

// a + b, or INT64_MAX / INT64_MIN where that overflows.
inline int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b > 0 ? INT64_MAX : INT64_MIN;
}

// *to += d, saturating.
inline void AddTo(int64_t* to, int64_t d) { *to = SaturatingAdd(*to, d); }

// to[s] += from[s] for every state, saturating.
inline void AddTo(StateDurations* to, const StateDurations& from) {
  for (int s = 0; s < kNumStates; ++s) (*to)[s] = SaturatingAdd((*to)[s], from[s]);
}

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_SATURATING_H_
