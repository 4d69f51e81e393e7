// The facts of a capture, for the viewer's Trace info panel: what process,
// when and how it was captured (mode and window from the capture's
// properties), how much was lost and where, the clock, the scheduler data and
// the file. Reads Model::info (header, properties, thread table); no events.
#ifndef TRACELANE_VIEWER_ANALYSIS_CAPTURE_INFO_H_
#define TRACELANE_VIEWER_ANALYSIS_CAPTURE_INFO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "viewer/analysis/model.h"

namespace tracelane::analysis {

// Events one thread lost (counted by the recorder, written into the trace).
struct ThreadLoss {
  uint32_t thread;       // index into Model::threads
  uint64_t dropped;      // buffer full, new events dropped
  uint64_t overwritten;  // flight recorder reused the thread's oldest chunks
};

struct CaptureInfo {
  std::string process_name;  // property process_name
  uint32_t pid = 0;
  int64_t start_ns = 0;  // analysis domain (Model::start_ns .. end_ns)
  int64_t end_ns = 0;
  int64_t duration_ns = 0;

  // Capture mode: "next", "last", "crash" (docs/CAPTURE.md); "" when the trace
  // was written without a capture (WriteTrace: everything buffered).
  std::string capture_mode;
  // The requested window (properties capture_window_start_ns/_end_ns), if any.
  std::optional<int64_t> window_start_ns, window_end_ns;
  // "yes" (nothing in the window was lost), "no", "unknown", or "" when absent.
  std::string window_intact;
  std::string loss_counts;  // "window" or "lifetime": what the losses count; "" if absent

  size_t threads = 0;
  uint64_t events = 0;  // events decoded
  // Every thread of the model, in trace order, with its losses.
  std::vector<ThreadLoss> losses;
  uint64_t dropped = 0;      // sum over `losses`
  uint64_t overwritten = 0;  // sum over `losses`
  // Events lost by threads no longer in the thread table or after their exit
  // (properties lost_recycled_threads + lost_after_exit).
  uint64_t lost_elsewhere = 0;
  uint64_t lost_total() const { return dropped + overwritten + lost_elsewhere; }

  std::string clock_source;  // "tsc" or "clock_monotonic"
  double tsc_hz = 0;
  SchedulerSource scheduler = SchedulerSource::kNone;
  std::string scheduler_detail;  // property scheduler_detail (a sentence), may be empty

  uint64_t file_bytes = 0;
  uint32_t format_version = 0;
  bool complete = false;              // footer present and consistent
  std::vector<std::string> warnings;  // damaged parts skipped by salvage
  double bytes_per_event() const {
    return events > 0 ? static_cast<double>(file_bytes) / static_cast<double>(events) : 0;
  }
};

// Collects the facts above from `m`. Property values that do not parse are
// treated as absent. O(threads + properties).
CaptureInfo DescribeCapture(const Model& m);

// "exact (perf)", "approximate (schedstat)", "none": scheduler data for people. O(1).
const char* SchedulerLabel(SchedulerSource s);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_CAPTURE_INFO_H_
