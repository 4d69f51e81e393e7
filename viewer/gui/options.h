// Command line of tracelane-viewer: the file to open and the headless modes
// (--screenshot, --frame-stats) used by tests, docs and scripts.
#ifndef TRACELANE_VIEWER_GUI_OPTIONS_H_
#define TRACELANE_VIEWER_GUI_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "viewer/gui/panel_layout.h"

namespace tracelane::gui {

struct ViewerOptions {
  std::string file;      // trace to open at start; empty: none
  bool salvage = false;  // decode the intact parts of a damaged file
  int width = 1600;      // window (or offscreen image) size in pixels
  int height = 1000;
  std::string screenshot;  // --screenshot OUT.png: render, write, exit
  // --view: timeline, threads, mmu, locks, scopes, explain or info (the panel tab shown
  // below the timeline); empty when not given.
  std::string view;
  // --range START:END, offsets from the capture start (e.g. "1.5s:1.6s").
  std::optional<std::pair<int64_t, int64_t>> range;
  std::string select_scope;      // --select-scope NAME: select (and show) an instance
  int rank = 1;                  // --rank K: the K-th slowest instance of that scope
  std::string dump_view_json;    // --dump-view-json FILE: the active panel's data as JSON
  bool limit_to_range = false;   // --limit-to-range: panels limited to --range
  bool sort_each_frame = false;  // --sort-each-frame: with --frames, re-sort the table each frame
  int frames = 0;                // --frames N: render N frames (headless)
  bool frame_stats = false;      // print one JSON object of frame timings
  bool headless() const { return !screenshot.empty() || frames > 0 || !dump_view_json.empty(); }
};

// The panel tab a --view value shows ("timeline": Selection), or nullopt for an
// empty or unknown value. O(1).
std::optional<PanelTab> ViewTab(const std::string& view);

// Usage text printed by --help.
const char* ViewerUsage();

// Parses argv. Errors name the offending argument.
absl::StatusOr<ViewerOptions> ParseViewerOptions(int argc, char** argv);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_OPTIONS_H_
