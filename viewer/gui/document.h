// A loaded trace as the viewer holds it: the analysis model plus the indexes the
// timeline draws from, all built off the UI thread by the Loader.
#ifndef TRACELANE_VIEWER_GUI_DOCUMENT_H_
#define TRACELANE_VIEWER_GUI_DOCUMENT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "viewer/analysis/capture_info.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/gui/layout/state_index.h"

namespace tracelane::gui {

struct Document {
  std::string path;
  bool salvaged = false;
  analysis::Model model;
  std::vector<StateIndex> state_index;                   // per thread (LOD of state strips)
  std::vector<analysis::ThreadStatesRow> thread_rows;    // per thread, for sorting and tooltips
  std::vector<analysis::ThreadStatesRow> thread_groups;  // per thread name (GroupByName)
  analysis::ThreadStatesRow thread_total;                // all threads (SumRows)
  analysis::CaptureInfo capture;                         // the Trace info panel's facts
  int64_t lost_events = 0;                               // dropped + overwritten, all threads
  uint64_t cut_scopes = 0;                               // scopes cut by the capture window
  uint64_t lost_scopes = 0;                              // scopes cut by lost data (a DataGap)
  uint64_t data_gaps = 0;                                // DataGaps, all threads
  int max_depth = 0;                                     // deepest scope nesting of any thread
};

struct LoadProgress {
  std::atomic<uint64_t> done{0};   // bytes consumed
  std::atomic<uint64_t> total{0};  // file size
  std::atomic<bool> indexing{false};
  std::atomic<bool> cancel{false};
};

// Loads `path` into a Document: the model (streaming, progress in `progress`,
// cancellable through progress->cancel), then the per-thread indexes. Errors
// are the reader's ("t.tlt: offset 1234: block payload checksum mismatch").
// O(events); memory: the model's plus ~5 bytes per state span.
absl::StatusOr<std::unique_ptr<Document>> LoadDocument(const std::string& path, bool salvage,
                                                       LoadProgress* progress);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_DOCUMENT_H_
