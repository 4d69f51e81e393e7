#include "viewer/gui/document.h"

#include <algorithm>

namespace tracelane::gui {

absl::StatusOr<std::unique_ptr<Document>> LoadDocument(const std::string& path, bool salvage,
                                                       LoadProgress* progress) {
  analysis::LoadOptions lo;
  lo.salvage = salvage;
  lo.progress = [progress](uint64_t done, uint64_t total) {
    progress->done.store(done, std::memory_order_relaxed);
    progress->total.store(total, std::memory_order_relaxed);
  };
  lo.cancelled = [progress] { return progress->cancel.load(std::memory_order_relaxed); };
  absl::StatusOr<analysis::Model> m = analysis::LoadModel(path, lo);
  if (!m.ok()) return m.status();
  progress->indexing.store(true, std::memory_order_relaxed);
  auto doc = std::make_unique<Document>();
  doc->path = path;
  doc->salvaged = salvage;
  doc->model = *std::move(m);
  const analysis::Model& model = doc->model;
  doc->state_index.reserve(model.threads.size());
  for (const analysis::ThreadModel& t : model.threads) {
    doc->state_index.emplace_back(t);
    doc->lost_events += static_cast<int64_t>(t.dropped + t.overwritten);
    doc->cut_scopes += t.cut_scopes.size() - t.lost_scopes.size();
    doc->lost_scopes += t.lost_scopes.size();
    doc->data_gaps += t.gaps.size();
    doc->max_depth = std::max(doc->max_depth, static_cast<int>(t.scopes_by_depth.size()));
  }
  doc->capture = analysis::DescribeCapture(model);
  doc->thread_rows = analysis::ThreadStates(model);
  doc->thread_groups = analysis::GroupByName(doc->thread_rows);
  doc->thread_total = analysis::SumRows(doc->thread_rows, "all threads");
  if (progress->cancel.load(std::memory_order_relaxed)) {
    return absl::CancelledError(path + ": loading cancelled");
  }
  return doc;
}

}  // namespace tracelane::gui
