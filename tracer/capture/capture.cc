// Capture modes over the flight recorder: next-N (open a window, stream it out of
// the buffers while it lasts, then snapshot the rest) and last-N (snapshot the recent past), plus retention settings and
// the recorder status shown by the endpoint.
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tracelane/capture.h"
#include "tracer/capture/capture_internal.h"
#include "tracer/capture/window_stream.h"
#include "tracer/recorder_state.h"
#include "tracer/snapshot.h"
#include "tracer/trace_writer.h"

namespace tracelane::internal {
namespace {

// Set while a next-N window is open; at most one per process.
std::atomic<bool> g_next_running{false};

// Clears g_next_running and closes the recorder's window on every exit path.
class NextWindow {
 public:
  // Opens the window: resets every record's window counters, then publishes the
  // start tick (reclaims that see it count window losses from then on).
  explicit NextWindow(RecorderState& r) : r_(r) {
    {
      absl::MutexLock lock(&r.registry.mu());
      for (uint32_t i = 0; i < r.registry.size(); ++i) {
        ThreadRecord* t = r.registry.Get(i);
        t->window_overwritten.store(0, std::memory_order_relaxed);
        t->window_dropped_base.store(t->dropped.load(std::memory_order_relaxed),
                                     std::memory_order_relaxed);
        t->window_first_area.store(
            std::max<uint64_t>(1, t->area_seq.load(std::memory_order_relaxed)),
            std::memory_order_relaxed);
      }
      r.window_lost_recycled.store(0, std::memory_order_relaxed);
      lost_after_exit_base_ = r.lost_after_exit.load(std::memory_order_relaxed);
      start_ticks_ = ReadTicks();
      r.window_start_ticks.store(start_ticks_, std::memory_order_release);
    }
  }
  ~NextWindow() {
    r_.window_start_ticks.store(0, std::memory_order_release);
    g_next_running.store(false, std::memory_order_release);
  }
  uint64_t start_ticks() const { return start_ticks_; }
  uint64_t lost_after_exit_base() const { return lost_after_exit_base_; }

 private:
  RecorderState& r_;
  uint64_t start_ticks_ = 0;
  uint64_t lost_after_exit_base_ = 0;
};

std::string SecondsText(double s) { return absl::StrFormat("%g", s); }

// Adds the capture's own properties and fills `stats`.
void DescribeCapture(const CaptureOptions& options, Snapshot& snap, CaptureStats* stats) {
  RecorderState& r = Recorder();
  const Calibration& cal = snap.calibration;
  uint64_t dropped = 0, overwritten = 0;
  for (const ThreadSnapshot& t : snap.threads) {
    dropped += t.dropped;
    overwritten += t.overwritten;
  }
  const bool next = options.mode == CaptureMode::kNext;
  const int64_t start_ns = cal.ToNs(snap.begin_ticks);
  const int64_t end_ns = cal.ToNs(snap.end_ticks);
  const uint64_t horizon = r.overwrite_horizon_ticks.load(std::memory_order_relaxed);
  // Whether every event of the window reached the trace.
  std::string intact;
  if (next) {
    intact = dropped + overwritten + snap.lost_recycled + snap.lost_after_exit == 0 ? "yes" : "no";
  } else if (horizon >= snap.begin_ticks) {
    intact = "no";
  } else {
    intact = dropped == 0 ? "yes" : "unknown";
  }
  auto& p = snap.properties;
  p.emplace_back("capture_mode", next ? "next" : "last");
  p.emplace_back("capture_seconds", SecondsText(options.seconds));
  p.emplace_back("capture_window_start_ns", absl::StrCat(start_ns));
  p.emplace_back("capture_window_end_ns", absl::StrCat(end_ns));
  p.emplace_back("capture_time_utc",
                 absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()));
  // Thread-table dropped/overwritten: "window" = lost inside the window only;
  // "lifetime" = since each thread started (may predate the window).
  p.emplace_back("loss_counts", next ? "window" : "lifetime");
  p.emplace_back("window_intact", intact);
  for (const auto& kv : options.properties) p.push_back(kv);
  if (stats != nullptr) {
    stats->dropped = dropped;
    stats->overwritten = overwritten + (next ? snap.lost_recycled : 0);
    stats->start_ns = start_ns;
    stats->end_ns = end_ns;
  }
}

// Snapshot hook: flight-recorder facts for every trace (WriteTrace included).
void AddRecorderProperties(Snapshot& snap) {
  RecorderState& r = Recorder();
  const uint64_t horizon = r.overwrite_horizon_ticks.load(std::memory_order_relaxed);
  auto& p = snap.properties;
  p.emplace_back("buffer_bytes", absl::StrCat(r.pool.bytes()));
  // CPUs the process could run on: context for scheduler waits (explain).
  p.emplace_back("cpus", absl::StrCat(std::thread::hardware_concurrency()));
  p.emplace_back("keep_seconds", SecondsText(KeepSeconds()));
  p.emplace_back("aged_out_events", absl::StrCat(r.aged_out.load(std::memory_order_relaxed)));
  // Of the overwritten events, those an earlier next-N capture streamed out.
  p.emplace_back("streamed_out_events",
                 absl::StrCat(r.streamed_out.load(std::memory_order_relaxed)));
  // Newest event ever lost to budget-forced reuse; 0 if none. Data after it is whole.
  p.emplace_back("overwrite_horizon_ns",
                 absl::StrCat(horizon == 0 ? 0 : snap.calibration.ToNs(horizon)));
}

absl::Status ValidateOptions(const CaptureOptions& options) {
  if (!std::isfinite(options.seconds) || options.seconds <= 0 || options.seconds > 3600) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tracelane::Capture: seconds must be in (0, 3600], got ", options.seconds));
  }
  if (options.mode != CaptureMode::kNext && options.mode != CaptureMode::kLast) {
    return absl::InvalidArgumentError("tracelane::Capture: unknown capture mode");
  }
  return absl::OkStatus();
}

// Compressed event bytes a next-N capture may hold in memory while streaming
// (about 300M events); past it the window's overflow is counted as lost.
constexpr uint64_t kMaxStreamBytes = uint64_t{256} << 20;

Snapshot TakeLastSnapshot(const CaptureOptions& options) {
  const Calibration cal = CurrentCalibration();
  const int64_t start_ns = cal.ToNs(ReadTicks()) - static_cast<int64_t>(options.seconds * 1e9);
  SnapshotOptions so;
  so.min_ticks = std::max<int64_t>(1, static_cast<int64_t>(cal.ToTicks(start_ns)));
  return TakeSnapshot(so);
}

// Opens a window, streams its chunks out of the pool while it lasts (so it may
// hold far more than the buffer budget), then adds what is still buffered.
absl::StatusOr<std::string> CaptureNext(const CaptureOptions& options, CaptureStats* stats) {
  RecorderState& r = Recorder();
  bool expected = false;
  if (!g_next_running.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
    return absl::UnavailableError(
        "another next-N capture is recording; retry when it finishes (or use a last-N capture)");
  }
  NextWindow window(r);
  WindowStream stream(window.start_ticks(), kMaxStreamBytes);
  const absl::Time deadline = absl::Now() + absl::Seconds(options.seconds);
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) break;
    if (options.cancelled && options.cancelled()) {
      return absl::CancelledError("capture cancelled before its window ended");
    }
    // Take everything the head of the pool holds for the window, then nap: at
    // 20M events/s a 64 MiB budget turns over in about 200 ms.
    while (stream.Drain() != 0 && absl::Now() < deadline) {
    }
    absl::SleepFor(std::min(left, absl::Milliseconds(5)));
  }
  SnapshotOptions so;
  so.min_ticks = window.start_ticks();
  so.window_losses = true;
  Snapshot snap = TakeSnapshot(so);
  snap.lost_recycled = r.window_lost_recycled.load(std::memory_order_relaxed);
  const uint64_t after_exit = r.lost_after_exit.load(std::memory_order_relaxed);
  snap.lost_after_exit = after_exit - std::min(after_exit, window.lost_after_exit_base());
  WriteStats ws;
  absl::StatusOr<std::string> bytes = stream.Finish(
      std::move(snap), [&](Snapshot& meta) { DescribeCapture(options, meta, stats); }, &ws);
  if (bytes.ok() && stats != nullptr) {
    stats->events = ws.events;
    stats->bytes = ws.bytes;
  }
  return bytes;
}

}  // namespace

void InstallCaptureSnapshotHook() {
  static const bool installed = [] {
    AddSnapshotHook(&AddRecorderProperties);
    // A child forked while a next-N capture records has a fresh recorder and no
    // capturing thread: it may capture at once.
    pthread_atfork(nullptr, nullptr, [] { g_next_running.store(false); });
    return true;
  }();
  (void)installed;
}

}  // namespace tracelane::internal

namespace tracelane {

absl::StatusOr<std::string> Capture(const CaptureOptions& options, CaptureStats* stats) {
  if (absl::Status s = internal::ValidateOptions(options); !s.ok()) return s;
  internal::InstallCaptureSnapshotHook();
  if (options.mode == CaptureMode::kNext) return internal::CaptureNext(options, stats);
  internal::Snapshot snap = internal::TakeLastSnapshot(options);
  internal::DescribeCapture(options, snap, stats);
  internal::WriteStats ws;
  absl::StatusOr<std::string> bytes = internal::EncodeTraceToString(snap, &ws);
  if (bytes.ok() && stats != nullptr) {
    stats->events = ws.events;
    stats->bytes = ws.bytes;
  }
  return bytes;
}

absl::Status CaptureToFile(const CaptureOptions& options, const std::string& path,
                           CaptureStats* stats) {
  absl::StatusOr<std::string> bytes = Capture(options, stats);
  if (!bytes.ok()) return bytes.status();
  return internal::WriteFileAtomically(path, *bytes);
}

absl::Status SetKeepSeconds(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 86400) {
    return absl::InvalidArgumentError(
        absl::StrCat("tracelane::SetKeepSeconds: seconds must be in [0, 86400], got ", seconds));
  }
  internal::RecorderState& r = internal::Recorder();
  r.keep_ns.store(static_cast<int64_t>(seconds * 1e9), std::memory_order_relaxed);
  r.keep_ticks.store(0, std::memory_order_relaxed);  // recomputed on the slow path
  return absl::OkStatus();
}

double KeepSeconds() {
  return static_cast<double>(internal::Recorder().keep_ns.load(std::memory_order_relaxed)) / 1e9;
}

FlightRecorderStatus GetFlightRecorderStatus() {
  internal::RecorderState& r = internal::Recorder();
  const RecorderStats st = GetRecorderStats();
  FlightRecorderStatus s;
  s.budget_bytes = st.bytes_budget;
  s.used_bytes = st.chunks_in_use * r.pool.chunk_events() * sizeof(internal::RawEvent);
  s.keep_seconds = KeepSeconds();
  s.policy = r.pool.policy();
  s.threads_live = st.threads_live;
  s.threads_retained = st.threads_retained;
  s.events_dropped = st.events_dropped;
  s.events_overwritten = st.events_overwritten;
  s.events_aged_out = r.aged_out.load(std::memory_order_relaxed);
  s.next_capture_running = internal::g_next_running.load(std::memory_order_relaxed);
  uint64_t oldest = UINT64_MAX;
  for (uint32_t i = 0; i < r.pool.chunk_count(); ++i) {
    const internal::ChunkDesc& d = r.pool.Desc(i);
    if (d.state.load(std::memory_order_relaxed) != internal::kChunkFull) continue;
    const uint64_t first = d.first_ticks.load(std::memory_order_relaxed);
    if (first != 0) oldest = std::min(oldest, first);
  }
  if (oldest != UINT64_MAX) {
    const internal::Calibration cal = internal::CurrentCalibration();
    const int64_t age = cal.ToNs(internal::ReadTicks()) - cal.ToNs(oldest);
    s.retained_seconds = age > 0 ? static_cast<double>(age) / 1e9 : 0;
  }
  return s;
}

}  // namespace tracelane
