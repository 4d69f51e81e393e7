#include "tracer/capture/index_page.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace tracelane::internal {
namespace {

std::string Html(const std::string& s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

std::string Mib(uint64_t bytes) { return absl::StrFormat("%.1f MiB", bytes / 1048576.0); }

}  // namespace

std::string RenderIndexPage(const IndexPageData& d) {
  const FlightRecorderStatus& r = d.recorder;
  const double use = r.budget_bytes ? 100.0 * r.used_bytes / r.budget_bytes : 0;
  std::string rows;
  const auto row = [&rows](const std::string& k, const std::string& v) {
    absl::StrAppend(&rows, "<tr><th>", Html(k), "</th><td>", Html(v), "</td></tr>\n");
  };
  row("process", absl::StrCat(d.process_name, " (pid ", d.pid, ")"));
  row("endpoint", d.address);
  row("buffer", absl::StrFormat("%s of %s in use (%.0f%%), policy %s", Mib(r.used_bytes),
                                Mib(r.budget_bytes), use,
                                r.policy == OverflowPolicy::kOverwriteOldest ? "overwrite oldest"
                                                                            : "drop newest"));
  row("retained", absl::StrFormat("%.1f s of data (retention target %g s)", r.retained_seconds,
                                  r.keep_seconds));
  row("threads", absl::StrCat(r.threads_live, " live, ", r.threads_retained,
                              " exited with data still buffered"));
  row("events dropped", absl::StrCat(r.events_dropped, " (no free chunk)"));
  row("events overwritten", absl::StrCat(r.events_overwritten, " (budget-forced reuse)"));
  row("events aged out", absl::StrCat(r.events_aged_out, " (older than the retention target)"));
  row("capture", d.capture_running || r.next_capture_running ? "running" : "idle");
  row("captures served", absl::StrCat(d.captures_served));
  if (!d.last_capture.empty()) row("last capture", d.last_capture);
  if (d.signal_captures) row("signal captures", absl::StrCat(d.signal_captures));
  return absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tracelane: ",
      Html(d.process_name), "</title>\n<style>body{font-family:sans-serif;margin:2em}"
      "th{text-align:left;padding-right:1em;font-weight:normal;color:#555}"
      "td{font-family:monospace}</style></head><body>\n<h1>tracelane</h1>\n<table>\n", rows,
      "</table>\n<h2>Capture</h2>\n<ul>\n"
      "<li><a href=\"trace?seconds=5\">trace?seconds=5</a>: record the next 5 seconds</li>\n"
      "<li><a href=\"trace?last=5\">trace?last=5</a>: the last 5 seconds from the flight "
      "recorder</li>\n</ul>\n<p>N may be up to ",
      absl::StrFormat("%g", d.max_seconds),
      " seconds. From a terminal: <code>tracelane capture ", Html(d.address),
      " --seconds 5 -o spike.tlt</code>, then <code>tracelane info spike.tlt</code>.</p>\n"
      "</body></html>\n");
}

}  // namespace tracelane::internal
