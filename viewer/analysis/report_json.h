// The JSON shapes of the analysis reports, written by the CLI's --json and by
// the viewer's --dump-view-json from the same functions, so a panel and the
// command line can only disagree if their inputs do (docs/ANALYSIS.md lists
// the keys).
#ifndef TRACELANE_VIEWER_ANALYSIS_REPORT_JSON_H_
#define TRACELANE_VIEWER_ANALYSIS_REPORT_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "viewer/analysis/lock_contention.h"
#include "viewer/analysis/mmu.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/range_stats.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/lib/json_writer.h"

namespace tracelane::analysis {

// {"<state>_ns": ...} keys for every state, into the open object. O(states).
void StateKeys(JsonWriter& j, const StateDurations& d);
// One thread-table row: name, tid (or threads when `group`), wall_ns,
// non_running_ns, *_ns. O(states).
void ThreadRowJson(JsonWriter& j, const ThreadStatesRow& r, bool group);
// One lock: name, id, the counters (whole-capture reports only), waits,
// total/max/mean wait, cut_waits, and the first `sites` call sites of each
// list. O(sites).
void LockJson(JsonWriter& j, const LockReport& r, int sites);
// One scope location: name, function, file, line, count, cut, percentiles,
// the histogram (if `histogram`) and the slowest instances. O(buckets + slowest).
void ScopeJson(JsonWriter& j, const Model& m, const ScopeStats& s, bool histogram);
// {"points":[{"window_ns", "mmu"}]} of an MMU curve. O(points).
void MmuCurveJson(JsonWriter& j, const std::vector<MmuPoint>& curve);
// The `tracelane range --json` object: from_ns, to_ns, offset_ns, duration_ns,
// threads, states, the first `top` scopes and locks. O(top).
void RangeStatsJson(JsonWriter& j, const Model& m, const RangeStats& r, int64_t top);

// "N cut by the capture window, not ranked", "N cut by lost data, not ranked" or
// "N cut (M by lost data, K by the capture window), not ranked" for `cut` cut
// instances of which `by_loss` were cut by lost data. O(1).
std::string CutNote(uint64_t cut, uint64_t by_loss);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_REPORT_JSON_H_
