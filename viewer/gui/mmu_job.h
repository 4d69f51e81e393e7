// One MMU computation for the MMU panel, on a worker thread: the utilization
// (system-wide or of one thread), the MMU curve over log-spaced windows from
// 1 us to the capture length (analysis::MmuCalculator, which parallelises the
// curve itself), then, on request, the worst windows of a curve point (each
// computed once). The UI reads the results without waiting.
#ifndef TRACELANE_VIEWER_GUI_MMU_JOB_H_
#define TRACELANE_VIEWER_GUI_MMU_JOB_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "viewer/analysis/mmu.h"
#include "viewer/gui/document.h"

namespace tracelane::gui {

class MmuJob {
 public:
  static constexpr int kPoints = 96;  // curve points
  static constexpr int kWorst = 5;    // worst windows listed per point
  static constexpr int64_t kMinWindowNs = 1000;

  // Starts computing for `thread` (an index into doc->model.threads, or
  // analysis::kNone for all threads). The job keeps the document alive until
  // it has built the utilization. O(1) on the calling thread.
  MmuJob(std::shared_ptr<const Document> doc, uint32_t thread);
  // Stops at the next curve chunk or worst-window list and joins.
  ~MmuJob();
  MmuJob(const MmuJob&) = delete;
  MmuJob& operator=(const MmuJob&) = delete;

  uint32_t thread() const { return thread_; }
  // Whether the curve is computed; curve() is empty until then. O(1).
  bool curve_ready() const { return curve_ready_.load(std::memory_order_acquire); }
  const std::vector<analysis::MmuPoint>& curve() const;
  // Share of the curve computed, in [0, 1]. O(1).
  float progress() const;
  // The worst windows of curve point `i`, or nullptr while they are computed
  // (asking starts the computation, replacing an earlier request that has not
  // started). O(1).
  const std::vector<analysis::WorstWindow>* Worst(size_t i);
  // True while the curve or a requested worst-window list is being computed. O(1).
  bool busy() const;

 private:
  void Run(std::shared_ptr<const Document> doc);
  // The worker has a request to serve or should stop.
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint32_t thread_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> done_{false};
  std::atomic<bool> curve_ready_{false};
  std::atomic<int> points_done_{0};
  std::vector<analysis::MmuPoint> curve_;  // written before curve_ready_
  mutable absl::Mutex mu_;
  int wanted_ ABSL_GUARDED_BY(mu_) = -1;  // the worst list the UI waits for
  // Per curve point; a list is immutable once set (the UI keeps pointers).
  std::vector<std::unique_ptr<std::vector<analysis::WorstWindow>>> worst_ ABSL_GUARDED_BY(mu_);
  std::thread worker_;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_MMU_JOB_H_
