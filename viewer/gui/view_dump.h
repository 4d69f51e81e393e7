// --dump-view-json FILE: what the active panel shows, written with the JSON
// functions the CLI's --json uses (viewer/analysis/report_json.h), so a test can
// compare the panel with `tracelane threads|locks|scopes|mmu --json` and, when
// the panel is limited to a range, with `tracelane range --json`.
#ifndef TRACELANE_VIEWER_GUI_VIEW_DUMP_H_
#define TRACELANE_VIEWER_GUI_VIEW_DUMP_H_

#include <string>

#include "absl/status/statusor.h"
#include "viewer/gui/document.h"
#include "viewer/gui/panel_area.h"

namespace tracelane::gui {

// The active panel's data as JSON:
//   threads  the rows, as `tracelane threads --json [--by-name]`
//   locks    as `tracelane locks --json --sites 1000`
//   scopes   as `tracelane scopes --json --slowest 20 --buckets-per-octave 4`
//   mmu      the curve, as `tracelane mmu --json --points 96 [--tid T]`
// each as the panel shows it (range-limited when its toggle is on), in its row
// order. FailedPrecondition for other panels or data still being computed.
// O(rows).
absl::StatusOr<std::string> ActivePanelJson(const Document& doc, const PanelArea& area);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_VIEW_DUMP_H_
