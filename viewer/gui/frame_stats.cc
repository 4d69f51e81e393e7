#include "viewer/gui/frame_stats.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "viewer/lib/json_writer.h"

namespace tracelane::gui {
namespace {

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(rank, v.size() - 1)];
}

}  // namespace

double MsSinceProcessStart() {
  std::ifstream f("/proc/self/stat");
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // Field 22 (starttime, clock ticks since boot) follows the ')' closing comm.
  const size_t close = all.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(all.substr(close + 2));
  std::string field;
  unsigned long long start_ticks = 0;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) start_ticks = std::stoull(field);
  }
  timespec now;
  clock_gettime(CLOCK_BOOTTIME, &now);
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double now_ms = now.tv_sec * 1e3 + now.tv_nsec / 1e6;
  return now_ms - static_cast<double>(start_ticks) * 1e3 / hz;
}

int64_t PeakRssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

std::string FrameStatsJson(const FrameStatsReport& r) {
  double sum = 0, mx = 0;
  for (double v : r.frame_ms) sum += v, mx = std::max(mx, v);
  JsonWriter j;
  j.BeginObject();
  j.Key("first_frame_ms").Double(r.first_frame_ms);
  j.Key("frames").Int(static_cast<int64_t>(r.frame_ms.size()));
  j.Key("median_ms").Double(Percentile(r.frame_ms, 50));
  j.Key("p95_ms").Double(Percentile(r.frame_ms, 95));
  j.Key("max_ms").Double(mx);
  j.Key("mean_ms").Double(r.frame_ms.empty() ? 0 : sum / static_cast<double>(r.frame_ms.size()));
  j.Key("visible_start_ns").Int(r.visible_start_ns);
  j.Key("visible_end_ns").Int(r.visible_end_ns);
  j.Key("events").Int(static_cast<int64_t>(r.events));
  j.Key("threads").Int(static_cast<int64_t>(r.threads));
  j.Key("width").Int(r.width);
  j.Key("height").Int(r.height);
  j.Key("peak_rss_kb").Int(r.peak_rss_kb);
  j.Key("bytes_per_event")
      .Double(r.events == 0
                  ? 0
                  : static_cast<double>(r.peak_rss_kb) * 1024 / static_cast<double>(r.events));
  j.EndObject();
  return j.str();
}

}  // namespace tracelane::gui
