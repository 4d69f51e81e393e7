// `tracelane mmu FILE [--window W]`: minimum mutator utilization from pauses.
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/mmu.h"
#include "viewer/analysis/report_json.h"
#include "viewer/cli/analysis_support.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] =
    R"(usage: tracelane mmu FILE [--window W [--worst K]] [--points N] [--tid TID] [--json] [--salvage]

Minimum mutator utilization: utilization is 1 - paused live threads / live
threads (0 during stop-the-world); MMU(w) is the lowest mean utilization of any
window of width w (exact, see docs/ANALYSIS.md). Without --window prints the
curve over log-spaced windows from 1 us to the capture length.

  --window W   one window width (e.g. 500us, 10ms, 1s): its MMU and worst windows
  --worst K    worst disjoint windows to list with --window (default 5)
  --points N   windows on the curve (default 30)
  --tid TID    utilization of one thread (0 while it is paused) instead of all
  --json       curve: {"points":[{"window_ns":..,"mmu":..},...]}
               --window: {"window_ns":..,"mmu":..,
                          "worst":[{"start_ns":..,"utilization":..},...]}
               (start_ns is on the trace clock, like every *_ns timestamp)
  --salvage    read the intact parts of a truncated or damaged file
)";

}  // namespace

int RunMmu(int argc, char** argv) {
  absl::StatusOr<Args> args = ParseCommand(argc, argv, kHelp, {"window", "worst", "points", "tid"});
  if (absl::IsCancelled(args.status())) return 0;
  if (!args.ok()) return Fail(std::string(args.status().message()));
  int64_t window = 0;
  if (args->Has("window")) {
    absl::StatusOr<int64_t> w = ParseDuration(args->Get("window"));
    if (!w.ok()) return Fail(absl::StrCat("--window: ", w.status().message()));
    if (*w <= 0) return Fail("--window must be positive");
    window = *w;
  }
  absl::StatusOr<int64_t> worst = IntFlag(*args, "worst", 5, 0);
  if (!worst.ok()) return Fail(std::string(worst.status().message()));
  absl::StatusOr<int64_t> points = IntFlag(*args, "points", 30);
  if (!points.ok()) return Fail(std::string(points.status().message()));
  int64_t tid = 0;
  if (args->Has("tid") && !absl::SimpleAtoi(args->Get("tid"), &tid)) {
    return Fail(absl::StrCat("--tid needs a thread id, got '", args->Get("tid"), "'"));
  }
  absl::StatusOr<analysis::Model> m = LoadModelFor(*args);
  if (!m.ok()) return Fail(std::string(m.status().message()));
  analysis::Utilization u;
  std::string scope = "all threads";
  if (args->Has("tid")) {
    uint32_t found = analysis::kNone;
    for (uint32_t i = 0; i < m->threads.size() && found == analysis::kNone; ++i) {
      if (m->threads[i].tid == tid) found = i;
    }
    if (found == analysis::kNone) return Fail(absl::StrCat("no thread with tid ", tid));
    u = analysis::ThreadUtilization(*m, found);
    scope = m->ThreadLabel(found);
  } else {
    u = analysis::SystemUtilization(*m);
  }
  const analysis::MmuCalculator calc(std::move(u));
  const bool json = args->Has("json");
  if (window > 0) {
    const double mmu = calc.Mmu(window);
    const auto worst_windows =
        calc.Worst(window, static_cast<int>(std::min<int64_t>(*worst, 1000000)));
    if (json) {
      JsonWriter j;
      j.BeginObject();
      j.Key("window_ns").Int(window);
      j.Key("mmu").Double(mmu);
      j.Key("worst").BeginArray();
      for (const auto& w : worst_windows) {
        j.BeginObject().Key("start_ns").Int(w.start_ns).Key("utilization").Double(w.utilization);
        j.EndObject();
      }
      j.EndArray().EndObject();
      std::cout << j.str() << "\n";
      return 0;
    }
    std::cout << absl::StrFormat("MMU(%s) = %.4f  (%s)\n", FormatDuration(window), mmu, scope);
    if (!worst_windows.empty()) std::cout << "worst windows:\n";
    for (const auto& w : worst_windows) {
      std::cout << absl::StrFormat("  %s .. %s  utilization %.4f\n",
                                   FormatOffset(w.start_ns, m->start_ns),
                                   FormatOffset(w.start_ns + window, m->start_ns), w.utilization);
    }
    return 0;
  }
  const int64_t span = std::max<int64_t>(calc.utilization().duration_ns(), 1000);
  const auto curve = calc.Curve(analysis::LogSpacedWindows(1000, span, static_cast<int>(*points)));
  if (json) {
    JsonWriter j;
    analysis::MmuCurveJson(j, curve);
    std::cout << j.str() << "\n";
    return 0;
  }
  std::cout << "MMU curve (" << scope << ")\n" << absl::StrFormat("%14s %8s\n", "window", "mmu");
  for (const auto& p : curve) {
    std::cout << absl::StrFormat("%14s %8.4f %s\n", FormatDuration(p.window_ns), p.mmu,
                                 std::string(static_cast<int>(p.mmu * 40 + 0.5), '#'));
  }
  return 0;
}

}  // namespace tracelane::cli
