// `tracelane info FILE`: the facts of a capture.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/trace_summary.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] = R"(usage: tracelane info FILE [--json] [--salvage] [--scan]

Prints the capture's duration, threads, events, dropped events, clock source and
file bytes per event. It reads the file header, the tables, the block headers and
the footer, not the events: milliseconds at any file size. When the footer is
missing, damaged or disagrees with the file (or the file predates the event-span
properties), it decodes every block instead and says so in a "note:" line.

  --json      one JSON object: duration_ns, threads, events, dropped, overwritten,
              bytes_per_event, file_bytes, clock_source, tsc_hz, pid, process_name,
              scheduler_source, start_realtime_ns, complete, source ("footer" or
              "scan"), scan_reason, warnings
  --salvage   read the intact parts of a truncated or damaged file
  --scan      decode every block (also verifies every event block's checksum)
)";

const char* ClockName(format::ClockSource c) {
  return c == format::ClockSource::kTsc ? "tsc" : "clock_monotonic";
}

}  // namespace

int RunInfo(int argc, char** argv) {
  absl::StatusOr<Args> args =
      ParseArgs(argc, argv, 1, {}, {"json", "salvage", "scan", "help", "h"});
  if (!args.ok()) return Fail(std::string(args.status().message()));
  if (args->Has("help") || args->Has("h")) {
    std::cout << kHelp;
    return 0;
  }
  if (args->positional.size() != 1) {
    return Fail(args->positional.empty() ? "missing trace FILE (see --help)"
                                         : "info takes one FILE (see --help)");
  }
  reader::ReadOptions opts;
  opts.salvage = args->Has("salvage");
  const bool requested_scan = args->Has("scan");
  absl::StatusOr<reader::TraceSummary> s = reader::ReadTraceSummary(
      args->positional[0], opts,
      requested_scan ? reader::SummaryMethod::kScan : reader::SummaryMethod::kPreferFooter);
  if (!s.ok()) {
    std::string msg(s.status().message());
    if (absl::IsDataLoss(s.status()) && !opts.salvage) {
      absl::StrAppend(&msg, " (use --salvage to read the intact parts)");
    }
    return Fail(msg);
  }
  const reader::Trace* t = &s->tables;
  for (const std::string& w : t->warnings) std::cerr << "tracelane: warning: " << w << "\n";
  const int64_t lo = s->first_event_ns, hi = s->last_event_ns;
  const int64_t duration = hi > lo ? hi - lo : 0;
  const double bpe = t->event_count ? static_cast<double>(t->file_bytes) / t->event_count : 0;
  const bool fell_back = s->source == reader::SummarySource::kScan && !requested_scan;
  if (args->Has("json")) {
    JsonWriter j;
    j.BeginObject();
    j.Key("file").String(t->path);
    j.Key("duration_ns").Int(duration);
    j.Key("threads").Uint(t->threads.size());
    j.Key("events").Uint(t->event_count);
    j.Key("dropped").Uint(t->dropped);
    j.Key("overwritten").Uint(t->overwritten);
    j.Key("bytes_per_event").Double(bpe);
    j.Key("file_bytes").Uint(t->file_bytes);
    j.Key("clock_source").String(ClockName(t->clock_source));
    j.Key("tsc_hz").Double(t->tsc_hz);
    j.Key("pid").Uint(t->pid);
    j.Key("process_name").String(t->Property("process_name"));
    j.Key("scheduler_source").String(t->Property("scheduler_source"));
    j.Key("start_realtime_ns").Int(t->ToRealtime(lo));
    j.Key("complete").Bool(t->complete);
    j.Key("source").String(reader::SummarySourceName(s->source));
    j.Key("scan_reason").String(s->scan_reason);
    j.Key("warnings").BeginArray();
    for (const std::string& w : t->warnings) j.String(w);
    j.EndArray();
    j.EndObject();
    std::cout << j.str() << "\n";
    return 0;
  }
  std::cout << absl::StrFormat("file            %s (%d bytes)%s\n", t->path, t->file_bytes,
                               t->complete ? "" : "  [INCOMPLETE: salvaged]");
  std::cout << absl::StrFormat("process         %s (pid %d)\n", t->Property("process_name"),
                               t->pid);
  std::cout << absl::StrFormat("duration        %s\n", FormatDuration(duration));
  std::cout << absl::StrFormat("threads         %d\n", t->threads.size());
  std::cout << absl::StrFormat("events          %d\n", t->event_count);
  std::cout << absl::StrFormat("dropped         %d (buffer full)\n", t->dropped);
  std::cout << absl::StrFormat("overwritten     %d (flight recorder reuse)\n", t->overwritten);
  std::cout << absl::StrFormat("clock           %s, %.6f GHz\n", ClockName(t->clock_source),
                               t->tsc_hz / 1e9);
  std::cout << absl::StrFormat("scheduler data  %s\n", t->Property("scheduler_source"));
  std::cout << absl::StrFormat("bytes/event     %.2f\n", bpe);
  if (fell_back) {
    std::cout << absl::StrFormat("note: %s; counted by decoding every block\n", s->scan_reason);
  }
  return 0;
}

}  // namespace tracelane::cli
