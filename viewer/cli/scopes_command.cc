// `tracelane scopes FILE [--name N]`: scope latency statistics per location.
#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/cli/analysis_support.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] =
    R"(usage: tracelane scopes FILE [--name NAME] [--slowest N] [--limit N] [--buckets-per-octave N]
                      [--json] [--salvage]

Latency of every TRACE_SCOPE location: count, total, mean, p50, p90, p99, p99.9
and max (nearest-rank percentiles), sorted by total time. With --name, the
matching locations in detail: a log2-scale histogram and the slowest instances
with their thread and timestamp (explain one with `tracelane explain`).
Instances cut by the capture window or by lost data have no known duration:
they are counted ("N cut by the capture window, not ranked", "N cut by lost
data, ...") and left out of every statistic.

  --name NAME   only scopes with this name, in detail
  --slowest N   slowest instances to list per location (default 5; 10 with --name)
  --limit N     at most N locations (default: all)
  --buckets-per-octave N
                histogram buckets per octave: 1 (default), 2, 4, 8 or 16 (the
                viewer's Scopes panel uses 4)
  --json        {"scopes":[{name, function, file, line, count, cut, cut_by_lost_data,
                total_ns, mean_ns,
                min_ns, p50_ns, p90_ns, p99_ns, p999_ns, max_ns,
                histogram:[{lo_ns, hi_ns, count}],
                slowest:[{rank, thread, tid, start_ns, offset_ns, duration_ns, cut}]}]}
  --salvage     read the intact parts of a truncated or damaged file
)";

void PrintDetail(const analysis::Model& m, const analysis::ScopeStats& s) {
  std::cout << absl::StrFormat("%s  (%s, %s:%d)\n", s.name, s.function, s.file, s.line);
  std::cout << absl::StrFormat(
      "  count %d  total %s  mean %s\n  min %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n",
      s.count, FormatDuration(s.total_ns), FormatDuration(s.mean_ns), FormatDuration(s.min_ns),
      FormatDuration(s.p50_ns), FormatDuration(s.p90_ns), FormatDuration(s.p99_ns),
      FormatDuration(s.p999_ns), FormatDuration(s.max_ns));
  if (s.cut != 0) {
    std::cout << "  " << CutNote(s.cut, s.cut_by_loss) << "\n";
  }
  uint64_t peak = 1;
  for (const auto& b : s.histogram) peak = std::max(peak, b.count);
  std::cout << "  histogram (log2 buckets):\n";
  for (const auto& b : s.histogram) {
    const int bar = static_cast<int>((b.count * 40 + peak - 1) / peak);
    std::cout << absl::StrFormat("    [%11s, %11s) %9d %s\n", FormatDuration(b.lo_ns),
                                 b.hi_ns == INT64_MAX ? "inf" : FormatDuration(b.hi_ns), b.count,
                                 std::string(bar, '#'));
  }
  std::cout << "  slowest:\n";
  for (size_t i = 0; i < s.slowest.size(); ++i) {
    const analysis::ScopeInstance& x = s.slowest[i];
    std::cout << absl::StrFormat("    #%-3d %12s  at %s  on %s\n", i + 1,
                                 FormatDuration(x.duration_ns),
                                 FormatOffset(x.begin_ns, m.start_ns), m.ThreadLabel(x.ref.thread));
  }
}

}  // namespace

int RunScopes(int argc, char** argv) {
  absl::StatusOr<Args> args =
      ParseCommand(argc, argv, kHelp, {"name", "slowest", "limit", "buckets-per-octave"});
  if (absl::IsCancelled(args.status())) return 0;
  if (!args.ok()) return Fail(std::string(args.status().message()));
  const bool named = args->Has("name");
  absl::StatusOr<int64_t> slowest = IntFlag(*args, "slowest", named ? 10 : 5, 0);
  if (!slowest.ok()) return Fail(std::string(slowest.status().message()));
  absl::StatusOr<int64_t> limit = IntFlag(*args, "limit", INT64_MAX);
  if (!limit.ok()) return Fail(std::string(limit.status().message()));
  if (named && args->Get("name").empty()) return Fail("--name needs a scope name");
  absl::StatusOr<int64_t> per_octave = IntFlag(*args, "buckets-per-octave", 1);
  if (!per_octave.ok()) return Fail(std::string(per_octave.status().message()));
  if (*per_octave > 16 || (*per_octave & (*per_octave - 1)) != 0) {
    return Fail(absl::StrCat("--buckets-per-octave wants 1, 2, 4, 8 or 16, got ", *per_octave));
  }
  absl::StatusOr<analysis::Model> m = LoadModelFor(*args);
  if (!m.ok()) return Fail(std::string(m.status().message()));
  analysis::ScopeStatsOptions opts;
  opts.slowest = static_cast<int>(std::min<int64_t>(*slowest, 1000000));
  opts.name = args->Get("name");
  opts.buckets_per_octave = static_cast<int>(*per_octave);
  std::vector<analysis::ScopeStats> stats = analysis::ComputeScopeStats(*m, opts);
  if (named && stats.empty()) {
    return Fail(absl::StrCat("no scope named '", opts.name, "' in ", args->positional[0],
                             " (run 'tracelane scopes FILE' for the list)"));
  }
  if (static_cast<int64_t>(stats.size()) > *limit) stats.resize(*limit);
  if (args->Has("json")) {
    JsonWriter j;
    j.BeginObject().Key("scopes").BeginArray();
    for (const auto& s : stats) ScopeJson(j, *m, s, true);
    j.EndArray().EndObject();
    std::cout << j.str() << "\n";
    return 0;
  }
  if (named) {
    for (size_t i = 0; i < stats.size(); ++i) {
      if (i > 0) std::cout << "\n";
      PrintDetail(*m, stats[i]);
    }
    return 0;
  }
  std::cout << absl::StrFormat("%-32s %9s %12s %11s %11s %11s %11s %11s %11s\n", "scope", "count",
                               "total", "mean", "p50", "p90", "p99", "p99.9", "max");
  for (const auto& s : stats) {
    std::cout << absl::StrFormat("%-32.32s %9d %12s %11s %11s %11s %11s %11s %11s", s.name, s.count,
                                 FormatDuration(s.total_ns), FormatDuration(s.mean_ns),
                                 FormatDuration(s.p50_ns), FormatDuration(s.p90_ns),
                                 FormatDuration(s.p99_ns), FormatDuration(s.p999_ns),
                                 FormatDuration(s.max_ns));
    if (s.cut != 0) {
      std::cout << "  (" << CutNote(s.cut, s.cut_by_loss) << ")";
    }
    std::cout << "\n";
  }
  if (stats.empty()) std::cout << "(no scopes in this trace)\n";
  return 0;
}

}  // namespace tracelane::cli
