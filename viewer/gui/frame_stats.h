// Frame timing for --frame-stats: CPU time to build each frame (input, layout
// and ImGui draw lists; not the GPU, not vsync) and the time to the first full
// frame, printed as one JSON object.
#ifndef TRACELANE_VIEWER_GUI_FRAME_STATS_H_
#define TRACELANE_VIEWER_GUI_FRAME_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tracelane::gui {

struct FrameStatsReport {
  double first_frame_ms = 0;  // process start to the first full frame, load included
  std::vector<double> frame_ms;
  int64_t visible_start_ns = 0;  // the view of the last frame (trace clock)
  int64_t visible_end_ns = 0;
  uint64_t events = 0;
  size_t threads = 0;
  int width = 0, height = 0;
  int64_t peak_rss_kb = 0;
};

// Milliseconds since the process started (from /proc/self/stat). O(1).
double MsSinceProcessStart();
// Peak resident set size of this process in KiB (VmHWM). O(1).
int64_t PeakRssKb();
// One JSON object: first_frame_ms, frames, median_ms, p95_ms, max_ms, mean_ms,
// visible_start_ns, visible_end_ns, events, threads, width, height,
// peak_rss_kb, bytes_per_event. O(n log n).
std::string FrameStatsJson(const FrameStatsReport& r);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_FRAME_STATS_H_
