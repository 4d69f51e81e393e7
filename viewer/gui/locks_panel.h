// The Locks panel: the contention table of analysis::LockContention (per lock:
// acquisitions, contended, failed try-locks, waits, total / max / mean wait,
// waits cut by the capture or lost data, the top waiting and holding call
// sites), sortable; for the selected lock its waiting sites, holding sites and
// holder threads, and a stepper through its waits in time order (buttons, or
// [ and ] on the keyboard) that centres and zooms the timeline on each wait.
// The selected lock's waits are outlined on the timeline (lock_highlight.h);
// cut waits are marked as such and never ranked as the longest. With a range
// selected, a toggle limits the table to it (analysis::LockContentionIn).
// Every table is computed off the UI thread (BackgroundJob) with progress.
#ifndef TRACELANE_VIEWER_GUI_LOCKS_PANEL_H_
#define TRACELANE_VIEWER_GUI_LOCKS_PANEL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/gui/background_job.h"
#include "viewer/gui/document.h"
#include "viewer/gui/range_limit.h"
#include "viewer/gui/timeline_state.h"

namespace tracelane::gui {

// One computed lock table.
struct LocksData {
  std::vector<analysis::LockReport> reports;  // LockContention or LockContentionIn order
  int64_t total_wait_ns = 0;                  // sum of the reports' total_wait_ns
  // Whole capture only: every lock's waits in time order (the stepper's list).
  absl::flat_hash_map<uint64_t, std::vector<analysis::LockWaitRef>> waits;
};

struct LocksPanelState {
  const Document* doc = nullptr;                   // what the jobs were started for
  std::unique_ptr<BackgroundJob<LocksData>> full;  // the whole capture
  std::unique_ptr<BackgroundJob<LocksData>> ranged;
  std::optional<RangeKey> ranged_key;  // what `ranged` covers
  bool limit_to_range = false;         // the toggle
  bool showing_range = false;          // the last frame showed `ranged`
  bool has_selection = false;
  uint64_t selected = 0;  // lock id
  int cursor = -1;        // current wait: index into the full data's waits[selected]
  // Row order for the current sort, and what it was computed for.
  std::vector<uint32_t> order;
  const LocksData* order_src = nullptr;
  int sort_column = -1;
  bool sort_ascending = false;
  int resort_each_frame = 0;  // headless benchmark: > 0 sorts by the next column every frame
  bool waiting = false;       // the last frame drew something still being computed
};

// Draws the panel into the current window's remaining region, starting the
// computations it needs. Per frame O(visible rows + sites shown); sorting
// O(locks log locks) when the sort changes; the tables cost LockContention(In)
// and WaitsByLock on a worker thread.
void DrawLocksPanel(const std::shared_ptr<const Document>& doc, TimelineState& timeline,
                    LocksPanelState& s);

// True while the last frame showed a table still being computed. O(1).
inline bool LocksPanelBusy(const LocksPanelState& s) { return s.waiting; }

// What the panel shows, as `tracelane locks --json --sites 1000` prints it
// (analysis::LockJson), in the panel's row order; nullopt while computing.
std::optional<std::string> LocksPanelJson(const LocksPanelState& s);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LOCKS_PANEL_H_
