// "Why is the p99 slow?": every complete instance of a scope at or above a
// threshold (a percentile of its durations, or a fixed duration) explained
// (explain.h), and the parts of their wall time aggregated by cause — the root
// of each blame chain, each CPU-heavy child scope, each pause — with the share
// of the total, the number of instances each appears in and example instances.
#ifndef TRACELANE_VIEWER_ANALYSIS_WHY_H_
#define TRACELANE_VIEWER_ANALYSIS_WHY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "viewer/analysis/explain.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/states.h"

namespace tracelane::analysis {

struct WhyOptions {
  std::string scope;            // the scope's name (every location with that name)
  double percentile = 99;       // threshold = this nearest-rank percentile, unless...
  int64_t above_ns = -1;        // ...this is >= 0: a fixed threshold (one pass fewer)
  int examples = 3;             // example instances kept per cause
  size_t max_instances = 5000;  // explain at most the slowest this many (the rest counted)
  int workers = 0;              // threads (0 = one per core); the result does not depend on it
};

// One instance's contribution to a cause.
struct WhyExample {
  ScopeInstance instance;
  int64_t part_ns;  // the cause's time inside it
};

// Where the chains of one aggregated cause ended, and for how long.
struct WhyRoot {
  std::string root;  // SummarizeRoot: `running`, `sleeping in "nap"`, ...
  int64_t duration_ns = 0;
};

// One aggregated cause. Causes are aggregated by SummarizeWait (thread names
// without ids, so a pool's threads aggregate; a chain without where it ends).
struct WhyCause {
  std::string key;                     // SummarizeWait of `sample`
  Cause sample;                        // the cause as in the instance where it was largest
  int64_t duration_ns = 0;             // summed over the instances
  double fraction = 0;                 // of WhyReport::total_ns
  uint64_t instances = 0;              // instances it appears in
  std::vector<WhyExample> examples{};  // largest part first
  std::vector<WhyRoot> roots{};        // chained causes: where they ended, largest first
};

struct WhyReport {
  std::string scope;
  uint64_t count = 0;            // complete instances of the scope
  uint64_t cut = 0;              // cut instances (never explained: their duration is unknown)
  uint64_t cut_by_loss = 0;      // of which cut by lost data
  int64_t threshold_ns = 0;      // instances with duration >= this are explained
  uint64_t above = 0;            // instances at or above the threshold
  uint64_t explained = 0;        // of which explained (the slowest max_instances)
  int64_t total_ns = 0;          // wall time of the explained instances (sum of all causes)
  StateDurations states{};       // their states, summed
  std::vector<WhyCause> causes;  // by duration, largest first
};

// Explains the instances of options.scope at or above the threshold and
// aggregates their causes. Two passes over the scope's instances for a
// percentile threshold (one to find it), one for a fixed threshold, plus one
// Explain per explained instance.
WhyReport Why(const Model& m, const WhyOptions& options);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_WHY_H_
