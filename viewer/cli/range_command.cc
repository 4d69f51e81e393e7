// `tracelane range FILE --from DUR --to DUR`: what happened in a time range (the
// viewer's range selection): time in each state, the scopes most present and
// the locks waited on.
#include <iostream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "viewer/analysis/range_stats.h"
#include "viewer/analysis/report_json.h"
#include "viewer/cli/analysis_support.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] =
    R"(usage: tracelane range FILE [--from DUR] [--to DUR] [--tid T[,T...]] [--top N] [--json] [--salvage]

Statistics over the range [from, to) of the capture, as in the viewer's range
selection: the threads alive in it, their time in each state (summed), the
scopes most present (instances overlapping the range and their time inside it;
an instance nested in one of its own location counts once) and the locks waited
on (waits overlapping the range, wait time inside it, longest wait).

  --from DUR   start, as an offset from the capture start (default 0): 250us, 10ms, 1.5s
  --to DUR     end, as an offset from the capture start (default: the capture end)
  --tid T,...  only these threads (default: all)
  --top N      at most N scopes and N locks (default 10)
  --json       {from_ns, to_ns, offset_ns, duration_ns, threads, states:{*_ns},
                scopes:[{name, instances, inside_ns}],
                locks:[{name, id, waits, inside_ns, max_wait_ns,
                cut_waits}]} (max_wait_ns: the longest complete wait)
  --salvage    read the intact parts of a truncated or damaged file
)";

absl::StatusOr<int64_t> OffsetFlag(const Args& args, const std::string& name, int64_t def) {
  if (!args.Has(name)) return def;
  absl::StatusOr<int64_t> v = ParseDuration(args.Get(name));
  if (!v.ok())
    return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", v.status().message()));
  return v;
}

// Thread indices of the --tid list (every thread with one of those tids).
absl::StatusOr<std::vector<uint32_t>> SelectedThreads(const Args& args, const analysis::Model& m) {
  std::vector<uint32_t> out;
  if (!args.Has("tid")) return out;
  for (absl::string_view s : absl::StrSplit(args.Get("tid"), ',')) {
    int64_t tid;
    if (!absl::SimpleAtoi(s, &tid)) {
      return absl::InvalidArgumentError(absl::StrCat("--tid needs thread ids, got '", s, "'"));
    }
    const size_t before = out.size();
    for (uint32_t i = 0; i < m.threads.size(); ++i) {
      if (m.threads[i].tid == tid) out.push_back(i);
    }
    if (out.size() == before)
      return absl::InvalidArgumentError(absl::StrCat("no thread with tid ", tid));
  }
  return out;
}

void PrintJson(const analysis::Model& m, const analysis::RangeStats& r, int64_t top) {
  JsonWriter j;
  analysis::RangeStatsJson(j, m, r, top);
  std::cout << j.str() << "\n";
}

void PrintText(const analysis::Model& m, const analysis::RangeStats& r, int64_t top) {
  std::cout << absl::StrFormat(
      "range %s .. %s  (%s)  %d threads\n", FormatOffset(r.from_ns, m.start_ns),
      FormatOffset(r.to_ns, m.start_ns), FormatDuration(r.to_ns - r.from_ns), r.threads);
  const int64_t wall = analysis::Sum(r.states);
  std::cout << "thread time (" << FormatDuration(wall) << "):";
  for (int s = 0; s < analysis::kNumStates; ++s) {
    if (r.states[s] == 0) continue;
    std::cout << "  " << analysis::StateLabel(static_cast<analysis::ThreadState>(s)) << " "
              << FormatPercent(r.states[s], wall);
  }
  std::cout << "\n\nscopes most present:\n";
  if (r.scopes.empty()) std::cout << "  (none)\n";
  for (size_t i = 0; i < r.scopes.size() && static_cast<int64_t>(i) < top; ++i) {
    const analysis::RangeScope& s = r.scopes[i];
    std::cout << absl::StrFormat("  %-28s %8d x  inside %12s\n", s.name, s.instances,
                                 FormatDuration(s.inside_ns));
  }
  std::cout << "\nlocks waited on:\n";
  if (r.locks.empty()) std::cout << "  (none)\n";
  for (size_t i = 0; i < r.locks.size() && static_cast<int64_t>(i) < top; ++i) {
    const analysis::RangeLock& l = r.locks[i];
    std::cout << absl::StrFormat("  %-28s %8d waits  inside %12s  max %12s\n", l.name, l.waits,
                                 FormatDuration(l.inside_ns), FormatDuration(l.max_wait_ns));
  }
}

}  // namespace

int RunRange(int argc, char** argv) {
  absl::StatusOr<Args> args = ParseCommand(argc, argv, kHelp, {"from", "to", "tid", "top"});
  if (absl::IsCancelled(args.status())) return 0;
  if (!args.ok()) return Fail(std::string(args.status().message()));
  absl::StatusOr<int64_t> top = IntFlag(*args, "top", 10);
  if (!top.ok()) return Fail(std::string(top.status().message()));
  absl::StatusOr<int64_t> from = OffsetFlag(*args, "from", 0);
  if (!from.ok()) return Fail(std::string(from.status().message()));
  absl::StatusOr<analysis::Model> m = LoadModelFor(*args);
  if (!m.ok()) return Fail(std::string(m.status().message()));
  absl::StatusOr<int64_t> to = OffsetFlag(*args, "to", m->duration_ns());
  if (!to.ok()) return Fail(std::string(to.status().message()));
  if (*to <= *from) {
    return Fail(absl::StrCat("empty range: --to (", FormatDuration(*to), ") must be after --from (",
                             FormatDuration(*from), ")"));
  }
  absl::StatusOr<std::vector<uint32_t>> threads = SelectedThreads(*args, *m);
  if (!threads.ok()) return Fail(std::string(threads.status().message()));
  const analysis::RangeStats r =
      analysis::ComputeRangeStats(*m, m->start_ns + *from, m->start_ns + *to, *threads);
  if (args->Has("json")) {
    PrintJson(*m, r, *top);
  } else {
    PrintText(*m, r, *top);
  }
  return 0;
}

}  // namespace tracelane::cli
