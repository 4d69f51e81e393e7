// The Scopes panel (Tracy's find-zone, Go's regions page): per scope location,
// analysis::ComputeScopeStats' count, total, mean, p50/p90/p99/p99.9, max and
// the instances cut by the capture or lost data (counted, never ranked), as a
// sortable table. For the selected scope: its latency histogram
// (scope_histogram.h; clicking a bucket lists its instances, from
// analysis::InstancesInBucket) and its slowest instances. Clicking an instance
// zooms the timeline to it, selects it, and asks for its explanation (the
// Explain tab). The scope selected on the timeline becomes the panel's
// selection. With a range selected, a toggle limits everything to it
// (analysis::ComputeScopeStatsIn). Tables and bucket lists are computed off
// the UI thread (BackgroundJob) with progress.
#ifndef TRACELANE_VIEWER_GUI_SCOPES_PANEL_H_
#define TRACELANE_VIEWER_GUI_SCOPES_PANEL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "viewer/analysis/scope_stats.h"
#include "viewer/gui/background_job.h"
#include "viewer/gui/document.h"
#include "viewer/gui/range_limit.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// Statistics options of the panel (and of its --dump-view-json): the CLI
// equivalent is `tracelane scopes --slowest 20 --buckets-per-octave 4`.
inline constexpr int kScopesSlowest = 20;
inline constexpr int kScopesBucketsPerOctave = 4;

// The instances of one histogram bucket.
struct BucketList {
  std::vector<analysis::ScopeInstance> instances;  // slowest first, at most 200
  uint64_t total = 0;                              // instances in the bucket
};

struct ScopesPanelState {
  const Document* doc = nullptr;
  std::unique_ptr<BackgroundJob<std::vector<analysis::ScopeStats>>> full, ranged;
  std::optional<RangeKey> ranged_key;
  bool limit_to_range = false;
  bool showing_range = false;           // the last frame showed `ranged`
  uint32_t location = analysis::kNone;  // selected scope location
  int bucket = -1;                      // picked histogram bucket (index), -1: none
  std::unique_ptr<BackgroundJob<BucketList>> bucket_job;
  std::tuple<uint32_t, int64_t, int64_t, std::optional<RangeKey>> bucket_key;
  bool log_counts = true;
  // The timeline selection last seen (a new one selects its scope here).
  uint32_t seen_thread = analysis::kNone, seen_scope = analysis::kNone;
  // Row order for the current sort, and what it was computed for.
  std::vector<uint32_t> order;
  const std::vector<analysis::ScopeStats>* order_src = nullptr;
  int sort_column = -1;
  bool sort_ascending = false;
  int resort_each_frame = 0;  // headless benchmark: > 0 sorts by the next column every frame
  bool waiting = false;
};

// Draws the panel; returns true when an instance was clicked and its
// explanation should be shown. Per frame O(visible rows + buckets + listed
// instances); sorting O(locations log locations) when the sort changes.
bool DrawScopesPanel(const std::shared_ptr<const Document>& doc, TimelineState& timeline,
                     ScopesPanelState& s);

// True while the last frame showed something still being computed. O(1).
inline bool ScopesPanelBusy(const ScopesPanelState& s) { return s.waiting; }

// What the panel shows, as `tracelane scopes --json --slowest 20
// --buckets-per-octave 4` prints it (analysis::ScopeJson), in the panel's row
// order; nullopt while computing.
std::optional<std::string> ScopesPanelJson(const Document& doc, const ScopesPanelState& s);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_SCOPES_PANEL_H_
