// `tracelane capture HOST:PORT`: fetch a trace from a running program's endpoint.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/cli/command.h"
#include "viewer/lib/capture_client.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] =
    R"(usage: tracelane capture HOST:PORT [--seconds N | --last N] [-o FILE] [--token T]

Captures a trace from a program serving the tracelane endpoint (started with
TRACELANE_ENDPOINT=127.0.0.1:6060 or tracelane::StartEndpoint) and checks that
the file reads back.

  --seconds N   record the next N seconds (default 5; at most 60)
  --last N      the last N seconds, from the flight recorder (returns at once)
  -o FILE       output file, "-" for stdout (default capture-<host>-<port>-<UTC time>.tlt)
  --token T     bearer token for endpoints started with one (or TRACELANE_TOKEN)
  --timeout S   connect / idle timeout in seconds (default 10)
  --quiet       no progress output

Progress is a bar on a terminal and plain lines otherwise. Exit status 0 on
success, 1 on any error (the message says what the server or network did).
)";

absl::StatusOr<double> ParseSeconds(const std::string& flag, const std::string& text) {
  double v;
  if (!absl::SimpleAtod(text, &v) || !std::isfinite(v) || v <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " ", text, ": expected a number of seconds above 0"));
  }
  return v;
}

std::string Mib(uint64_t bytes) {
  if (bytes < (uint64_t{1} << 20)) return absl::StrFormat("%.1f KiB", bytes / 1024.0);
  return absl::StrFormat("%.1f MiB", bytes / 1048576.0);
}

// Progress output: a redrawn bar on a terminal, occasional plain lines otherwise.
class Progress {
 public:
  Progress(bool quiet, std::string what)
      : quiet_(quiet), tty_(isatty(2) == 1), what_(std::move(what)) {}

  void Line(const std::string& s) {
    if (quiet_) return;
    std::lock_guard<std::mutex> lock(mu_);
    ClearBar();
    std::cerr << "tracelane: " << s << "\n";
  }
  // fraction in [0,1] or < 0 for unknown; label is printed after the bar.
  void Bar(double fraction, const std::string& label) {
    if (quiet_ || !tty_) return;
    std::lock_guard<std::mutex> lock(mu_);
    constexpr int kWidth = 30;
    const int fill = fraction < 0 ? 0 : static_cast<int>(std::min(1.0, fraction) * kWidth + 0.5);
    std::cerr << "\r" << what_ << " [" << std::string(fill, '#') << std::string(kWidth - fill, '.')
              << "] " << label << "   " << std::flush;
    bar_shown_ = true;
  }
  void Done() {
    std::lock_guard<std::mutex> lock(mu_);
    ClearBar();
  }
  bool tty() const { return tty_; }

 private:
  void ClearBar() {
    if (bar_shown_) std::cerr << "\n";
    bar_shown_ = false;
  }
  bool quiet_;
  bool tty_;
  std::string what_;
  std::mutex mu_;
  bool bar_shown_ = false;
};

// Writes the trace to `out` ("-" = stdout; files as WriteTraceFile: never partial).
absl::Status WriteOutput(const std::string& out, const std::string& bytes) {
  if (out == "-") {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::cout.flush();
    return std::cout ? absl::OkStatus() : absl::DataLossError("writing to stdout failed");
  }
  return WriteTraceFile(out, bytes);
}

}  // namespace

int RunCapture(int argc, char** argv) {
  absl::StatusOr<Args> args =
      ParseArgs(argc, argv, 1, {"seconds", "last", "o", "output", "token", "timeout"},
                {"quiet", "help", "h"});
  if (!args.ok()) return Fail(std::string(args.status().message()));
  if (args->Has("help") || args->Has("h")) {
    std::cout << kHelp;
    return 0;
  }
  if (args->positional.size() != 1) return Fail("expected one HOST:PORT (see --help)");
  absl::StatusOr<CaptureTarget> target = ParseCaptureTarget(args->positional[0]);
  if (!target.ok()) return Fail(std::string(target.status().message()));
  if (args->Has("seconds") && args->Has("last")) {
    return Fail("use --seconds N (the next N seconds) or --last N (the last N seconds), not both");
  }
  const bool last = args->Has("last");
  absl::StatusOr<double> seconds =
      ParseSeconds(last ? "last" : "seconds", args->Get(last ? "last" : "seconds", "5"));
  if (!seconds.ok()) return Fail(std::string(seconds.status().message()));
  absl::StatusOr<double> timeout = ParseSeconds("timeout", args->Get("timeout", "10"));
  if (!timeout.ok()) return Fail(std::string(timeout.status().message()));
  CaptureRequest request;
  request.address = args->positional[0];
  request.last = last;
  request.seconds = *seconds;
  request.timeout_seconds = *timeout;
  request.token = args->Get("token");
  if (request.token.empty() && std::getenv("TRACELANE_TOKEN") != nullptr)
    request.token = std::getenv("TRACELANE_TOKEN");
  const std::string out = args->Get("o", args->Get("output", DefaultCaptureFileName(*target)));
  const std::string where = target->ToString();

  Progress progress(args->Has("quiet"), last ? "capturing " : "recording ");
  progress.Line(last ? absl::StrFormat("capturing the last %g s from %s", *seconds, where)
                     : absl::StrFormat("recording the next %g s from %s", *seconds, where));
  // A ticker shows the recording window until the first byte arrives.
  std::atomic<bool> receiving{false};
  std::mutex tick_mu;
  std::condition_variable tick_cv;
  bool finished = false;
  const auto start = std::chrono::steady_clock::now();
  std::thread ticker([&] {
    std::unique_lock<std::mutex> lock(tick_mu);
    int plain_tick = 0;
    while (!finished) {
      tick_cv.wait_for(lock, std::chrono::milliseconds(progress.tty() ? 100 : 1000));
      if (finished || receiving.load()) continue;
      const double t =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!last && t <= *seconds + 0.05) {
        progress.Bar(t / *seconds, absl::StrFormat("%.1f / %g s", t, *seconds));
        if (!progress.tty() && ++plain_tick % 5 == 0) {
          progress.Line(absl::StrFormat("%.0f of %g s recorded", t, *seconds));
        }
      } else {
        progress.Bar(1.0, "writing the trace...");
      }
    }
  });
  uint64_t last_reported = 0;
  CaptureClient client;
  absl::StatusOr<std::string> body = client.Fetch(request, [&](uint64_t current, uint64_t total) {
    receiving.store(true);
    if (total > 0)
      progress.Bar(static_cast<double>(current) / total,
                   absl::StrCat(Mib(current), " / ", Mib(total)));
    if (!progress.tty() && current - last_reported >= (uint64_t{16} << 20)) {
      last_reported = current;
      progress.Line(
          absl::StrCat("received ", Mib(current), total ? absl::StrCat(" of ", Mib(total)) : ""));
    }
  });
  {
    std::lock_guard<std::mutex> lock(tick_mu);
    finished = true;
  }
  tick_cv.notify_all();
  ticker.join();
  progress.Done();

  if (!body.ok()) {
    std::string hint;
    if (absl::IsUnauthenticated(body.status())) hint = " (pass --token T or set TRACELANE_TOKEN)";
    if (absl::IsAborted(body.status())) hint = " (retry when the running capture finishes)";
    return Fail(absl::StrCat(body.status().message(), hint));
  }
  absl::StatusOr<reader::Trace> trace = reader::ParseTrace(*body, out);
  if (!trace.ok()) {
    return Fail(absl::StrCat("the server sent a trace that does not read back: ",
                             trace.status().message()));
  }
  if (absl::Status s = WriteOutput(out, *body); !s.ok()) return Fail(std::string(s.message()));
  const auto [lo, hi] = trace->EventSpan();
  const uint64_t lost = trace->dropped + trace->overwritten;
  const std::string losses =
      trace->Property("loss_counts") == "window"
          ? absl::StrCat(lost, " lost in the window")
          : absl::StrCat(lost, " lost since the threads started; window intact: ",
                         trace->Property("window_intact"));
  // The summary goes to stderr when the trace itself goes to stdout.
  (out == "-" ? std::cerr : std::cout) << absl::StrFormat(
      "wrote %s: %d events, %d threads, %s, %.2f bytes/event, %s\n", out == "-" ? "stdout" : out,
      trace->event_count, trace->threads.size(), FormatDuration(hi > lo ? hi - lo : 0),
      trace->event_count ? static_cast<double>(body->size()) / trace->event_count : 0.0, losses);
  if (trace->Property("loss_counts") == "window" && lost > 0) {
    std::cerr << absl::StrFormat(
        "tracelane: warning: %d events of the %s window were lost (the traced program filled "
        "its trace buffer faster than the capture could stream it out); raise "
        "TRACELANE_BUFFER_MB in the traced program, or capture a shorter window\n",
        lost, FormatDuration(trace->capture_end_ns - trace->capture_start_ns));
  }
  return 0;
}

}  // namespace tracelane::cli
