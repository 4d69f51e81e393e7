// `tracelane threads FILE`: time in each thread state, per thread and per name.
#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/cli/analysis_support.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] =
    R"(usage: tracelane threads FILE [--by-name] [--limit N] [--json] [--salvage]

Splits each thread's life inside the capture into states (running, runnable,
lock wait, condvar wait, io wait, sleep, syscall, paused, unknown; see
docs/ANALYSIS.md); the states sum to the wall time. Prints one row per thread,
sorted by non-running time, then the same grouped by thread name.

  --by-name   only the grouped table
  --limit N   at most N rows per table (default: all)
  --json      a JSON list with one object per thread:
                name, tid, wall_ns, non_running_ns, running_ns, runnable_ns,
                lock_wait_ns, condvar_wait_ns, io_wait_ns, sleep_ns, syscall_ns,
                paused_ns, unknown_ns
              with --by-name, one object per name with "threads" (the count)
              instead of "tid"
  --salvage   read the intact parts of a truncated or damaged file
)";

void PrintTable(const std::vector<analysis::ThreadStatesRow>& rows, bool group, int64_t limit) {
  using analysis::ThreadState;
  std::cout << absl::StrFormat("%-28s %12s %12s", group ? "name (threads)" : "thread [tid]", "wall",
                               "not running");
  for (int s = 0; s < analysis::kNumStates; ++s) {
    std::cout << absl::StrFormat(" %12s", analysis::StateKey(static_cast<ThreadState>(s)));
  }
  std::cout << "\n";
  int64_t n = 0;
  for (const analysis::ThreadStatesRow& r : rows) {
    if (n++ >= limit) break;
    const std::string label =
        group ? absl::StrCat(r.name, " (", r.threads, ")") : absl::StrCat(r.name, " [", r.tid, "]");
    std::cout << absl::StrFormat("%-28.28s %12s %12s", label, FormatDuration(r.wall_ns),
                                 FormatDuration(r.non_running_ns()));
    for (int s = 0; s < analysis::kNumStates; ++s) {
      std::cout << absl::StrFormat(" %12s", r.ns[s] == 0 ? "." : FormatPercent(r.ns[s], r.wall_ns));
    }
    std::cout << "\n";
  }
}

void SortByNonRunning(std::vector<analysis::ThreadStatesRow>& rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const analysis::ThreadStatesRow& a, const analysis::ThreadStatesRow& b) {
                     return a.non_running_ns() > b.non_running_ns();
                   });
}

}  // namespace

int RunThreads(int argc, char** argv) {
  absl::StatusOr<Args> args = ParseCommand(argc, argv, kHelp, {"limit"}, {"by-name"});
  if (absl::IsCancelled(args.status())) return 0;
  if (!args.ok()) return Fail(std::string(args.status().message()));
  const bool by_name = args->Has("by-name");
  absl::StatusOr<int64_t> limit = IntFlag(*args, "limit", INT64_MAX);
  if (!limit.ok()) return Fail(std::string(limit.status().message()));
  absl::StatusOr<analysis::Model> m = LoadModelFor(*args);
  if (!m.ok()) return Fail(std::string(m.status().message()));
  std::vector<analysis::ThreadStatesRow> rows = analysis::ThreadStates(*m);
  std::vector<analysis::ThreadStatesRow> groups = analysis::ThreadStatesByName(*m);
  SortByNonRunning(rows);
  SortByNonRunning(groups);
  if (args->Has("json")) {
    JsonWriter j;
    j.BeginArray();
    int64_t n = 0;
    for (const auto& r : by_name ? groups : rows) {
      if (n++ >= *limit) break;
      ThreadRowJson(j, r, by_name);
    }
    j.EndArray();
    std::cout << j.str() << "\n";
    return 0;
  }
  if (!by_name) {
    PrintTable(rows, false, *limit);
    std::cout << "\n";
  }
  PrintTable(groups, true, *limit);
  return 0;
}

}  // namespace tracelane::cli
