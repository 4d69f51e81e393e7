// `tracelane locks FILE`: lock contention per lock, with waiting and holding sites.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/cli/analysis_support.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] = R"(usage: tracelane locks FILE [--sites N] [--limit N] [--json] [--salvage]

Per lock, most waited-for first: acquisitions, contended acquisitions, failed
try-locks, total / max / mean wait; the call sites that waited (the waiter's
innermost scope) and the call sites that held the lock while others waited:
each wait is split by who held the lock at each moment (a convoy behind a long
hold is charged to that hold, not to the waiters that handed the lock over),
each piece charged to that holder's scope over it; each site ranked by the wait
it accounts for (a wait counts once per site); and the holder threads.

  --sites N   call sites listed per lock (default 5)
  --limit N   at most N locks (default: all)
An absl::Mutex's waits are inferred (abseil reports only contended releases):
its contended count is marked '*' and says how many waits were inferred and
with what confidence; its uncontended acquisitions are not recorded ('-').

  --json      {"total_wait_ns":..,"locks":[{name, id, acquisitions, contended,
              try_failed, releases_with_waiters, acquisitions_recorded,
              inferred, inferred_confidence, waits, total_wait_ns,
              max_wait_ns, mean_wait_ns,
              waiting_sites:[{name, waits, wait_ns}], holding_sites:[...],
              holder_threads:[...]}]}
  --salvage   read the intact parts of a truncated or damaged file
)";

void PrintSites(const char* title, const std::vector<analysis::CallSite>& sites, int64_t n,
                int64_t total) {
  if (sites.empty()) return;
  std::cout << "    " << title << ":\n";
  for (int64_t i = 0; i < n && i < static_cast<int64_t>(sites.size()); ++i) {
    std::cout << absl::StrFormat("      %12s %7s %7d waits  %s\n", FormatDuration(sites[i].wait_ns),
                                 FormatPercent(sites[i].wait_ns, total), sites[i].waits,
                                 sites[i].name);
  }
}

}  // namespace

int RunLocks(int argc, char** argv) {
  absl::StatusOr<Args> args = ParseCommand(argc, argv, kHelp, {"sites", "limit"});
  if (absl::IsCancelled(args.status())) return 0;
  if (!args.ok()) return Fail(std::string(args.status().message()));
  absl::StatusOr<int64_t> sites = IntFlag(*args, "sites", 5, 0);
  if (!sites.ok()) return Fail(std::string(sites.status().message()));
  absl::StatusOr<int64_t> limit = IntFlag(*args, "limit", INT64_MAX);
  if (!limit.ok()) return Fail(std::string(limit.status().message()));
  absl::StatusOr<analysis::Model> m = LoadModelFor(*args);
  if (!m.ok()) return Fail(std::string(m.status().message()));
  std::vector<analysis::LockReport> locks = analysis::LockContention(*m);
  if (static_cast<int64_t>(locks.size()) > *limit) locks.resize(*limit);
  const int n = static_cast<int>(std::min<int64_t>(*sites, 1 << 20));
  if (args->Has("json")) {
    JsonWriter j;
    j.BeginObject();
    j.Key("total_wait_ns").Int(analysis::TotalLockWait(*m));
    j.Key("locks").BeginArray();
    for (const auto& r : locks) LockJson(j, *m, r, n);
    j.EndArray().EndObject();
    std::cout << j.str() << "\n";
    return 0;
  }
  if (locks.empty()) {
    std::cout << "(no lock events in this trace)\n";
    return 0;
  }
  std::cout << absl::StrFormat("%-28s %10s %10s %8s %8s %12s %12s %12s\n", "lock", "acquired",
                               "contended", "tryfail", "handoffs", "total wait", "max wait",
                               "mean wait");
  for (const auto& r : locks) {
    const std::string acquired =
        r.acquisitions_recorded ? absl::StrCat(r.acquisitions) : std::string("-");
    const std::string contended = absl::StrCat(r.contended, r.inferred > 0 ? "*" : "");
    std::cout << absl::StrFormat(
        "%-28.28s %10s %10s %8d %8d %12s %12s %12s\n", r.name, acquired, contended, r.try_failed,
        r.releases_with_waiters, FormatDuration(r.total_wait_ns), FormatDuration(r.max_wait_ns),
        FormatDuration(r.waits ? r.total_wait_ns / static_cast<int64_t>(r.waits) : 0));
    if (r.inferred > 0) {
      std::cout << absl::StrFormat(
          "    * %d contended acquisitions inferred from abseil's release hook and the "
          "scheduler (mean confidence %d%%)%s\n",
          r.inferred, r.inferred_confidence,
          r.acquisitions_recorded ? "" : "; uncontended acquisitions not recorded");
    }
    PrintSites("waiting at", r.waiting_sites, n, r.total_wait_ns);
    PrintSites("held at", r.holding_sites, n, r.total_wait_ns);
    PrintSites("held by", r.holder_threads, n, r.total_wait_ns);
  }
  return 0;
}

}  // namespace tracelane::cli
