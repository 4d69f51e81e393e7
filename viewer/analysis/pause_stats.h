// Pause statistics: own pauses (allocator, TRACE_PAUSE) and stop-the-world
// spans, in total and per pause name. A pause cut by the capture window or by
// lost data (Pause::cut, StwSpan::cut) counts in `count` and `total_ns` with the
// time observed, but never as the longest: `max_ns` is over complete pauses, and
// the cut ones are counted in `cut`.
#ifndef TRACELANE_VIEWER_ANALYSIS_PAUSE_STATS_H_
#define TRACELANE_VIEWER_ANALYSIS_PAUSE_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "viewer/analysis/model.h"

namespace tracelane::analysis {

struct PauseGroup {
  std::string name;  // pause location name
  bool stop_the_world = false;
  uint64_t count = 0;
  int64_t total_ns = 0;
  int64_t max_ns = 0;  // of the complete pauses
  uint64_t cut = 0;    // pauses cut by the capture window or lost data
};

struct PauseStats {
  uint64_t count = 0;  // own pauses (one thread each)
  int64_t total_ns = 0;
  int64_t max_ns = 0;      // of the complete ones
  uint64_t cut = 0;        // own pauses cut (counted in count and total_ns)
  uint64_t stw_count = 0;  // stop-the-world spans (every live thread)
  int64_t stw_total_ns = 0;
  int64_t stw_max_ns = 0;
  uint64_t stw_cut = 0;
  std::vector<PauseGroup> by_name;  // by total, largest first
};

// O(pauses).
PauseStats ComputePauseStats(const Model& m);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_PAUSE_STATS_H_
