#include "viewer/analysis/capture_info.h"

#include "absl/strings/numbers.h"

namespace tracelane::analysis {
namespace {

std::optional<int64_t> IntProperty(const reader::Trace& t, const std::string& key) {
  int64_t v = 0;
  const std::string& s = t.Property(key);
  if (s.empty() || !absl::SimpleAtoi(s, &v)) return std::nullopt;
  return v;
}

}  // namespace

const char* SchedulerLabel(SchedulerSource s) {
  switch (s) {
    case SchedulerSource::kPerf:
      return "exact (perf)";
    case SchedulerSource::kSchedStat:
      return "approximate (schedstat)";
    case SchedulerSource::kNone:
      break;
  }
  return "none";
}

CaptureInfo DescribeCapture(const Model& m) {
  const reader::Trace& t = m.info;
  CaptureInfo c;
  c.process_name = t.Property("process_name");
  c.pid = t.pid;
  c.start_ns = m.start_ns;
  c.end_ns = m.end_ns;
  c.duration_ns = m.duration_ns();
  c.capture_mode = t.Property("capture_mode");
  c.window_start_ns = IntProperty(t, "capture_window_start_ns");
  c.window_end_ns = IntProperty(t, "capture_window_end_ns");
  c.window_intact = t.Property("window_intact");
  c.loss_counts = t.Property("loss_counts");
  c.threads = m.threads.size();
  c.events = m.events;
  c.losses.reserve(m.threads.size());
  for (uint32_t i = 0; i < m.threads.size(); ++i) {
    const ThreadModel& th = m.threads[i];
    c.losses.push_back(ThreadLoss{i, th.dropped, th.overwritten});
    c.dropped += th.dropped;
    c.overwritten += th.overwritten;
  }
  for (const char* key : {"lost_recycled_threads", "lost_after_exit"}) {
    const std::optional<int64_t> v = IntProperty(t, key);
    if (v && *v > 0) c.lost_elsewhere += static_cast<uint64_t>(*v);
  }
  c.clock_source = t.clock_source == format::ClockSource::kTsc ? "tsc" : "clock_monotonic";
  c.tsc_hz = t.tsc_hz;
  c.scheduler = m.scheduler;
  c.scheduler_detail = t.Property("scheduler_detail");
  c.file_bytes = t.file_bytes;
  c.format_version = t.version;
  c.complete = t.complete;
  c.warnings = t.warnings;
  return c;
}

}  // namespace tracelane::analysis
