// `tracelane why FILE --scope NAME [--above p99|--above 20ms]`: why is the tail slow?
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "viewer/analysis/why.h"
#include "viewer/cli/analysis_support.h"
#include "viewer/cli/cause_json.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] =
    R"(usage: tracelane why FILE --scope NAME [--above p99|pN|DUR] [--top N]
                     [--examples K] [--json] [--salvage]

Why is the tail of a scope slow? Every complete instance of the scope at or
above the threshold (default p99: its nearest-rank 99th percentile, the p99
instance included; or a duration like 20ms) is explained as `tracelane
explain` does (blame chains down to the root, running time by child scope),
and the parts of their wall time are aggregated by cause, largest first (a
lock or condvar wait by its chain, with where the chain ended): each
with its share of the total, the instances it appears in and example instances
(offset, thread, its part of that instance's wall time). Threads are named
without their ids so that a pool's threads aggregate. Instances cut by the
capture window or by lost data have no known duration: counted, never
explained.

  --scope NAME   the scope's name (as listed by `tracelane scopes`)
  --above T      p99 (default), p90, p99.9, ... or a duration (20ms, 500us)
  --top N        causes to print (default 8; --json lists all)
  --examples K   example instances per cause (default 3)
  --json         {"scope", "instances", "cut_instances", "cut_by_lost_data",
                 "threshold" (as given), "threshold_ns", "above", "explained",
                 "total_ns", "states":{...}, "causes":[{"summary",
                 "duration_ns", "fraction", "instances", "roots":[{"root",
                 "duration_ns", "fraction"}] (where chained waits ended),
                 "example": <cause of
                 `explain --json`, from the instance where it was largest>,
                 "examples":[{"thread", "tid", "start_ns", "offset_ns",
                 "wall_ns", "part_ns"}]}]}
  --salvage      read the intact parts of a truncated or damaged file
)";

}  // namespace

int RunWhy(int argc, char** argv) {
  absl::StatusOr<Args> args =
      ParseCommand(argc, argv, kHelp, {"scope", "above", "top", "examples"});
  if (absl::IsCancelled(args.status())) return 0;
  if (!args.ok()) return Fail(std::string(args.status().message()));
  if (!args->Has("scope") || args->Get("scope").empty()) {
    return Fail("why needs --scope NAME (see --help)");
  }
  analysis::WhyOptions o;
  o.scope = args->Get("scope");
  const std::string above = args->Get("above", "p99");
  if (!above.empty() && (above[0] == 'p' || above[0] == 'P')) {
    double p = 0;
    if (!absl::SimpleAtod(above.substr(1), &p) || !(p > 0 && p <= 100)) {
      return Fail(absl::StrCat("--above ", above, ": expected pN with 0 < N <= 100 (p99, p99.9)"));
    }
    o.percentile = p;
  } else {
    absl::StatusOr<int64_t> d = ParseDuration(above);
    if (!d.ok() || *d < 0) {
      return Fail(absl::StrCat("--above ", above, ": expected pN (p99) or a duration (20ms)"));
    }
    o.above_ns = *d;
  }
  absl::StatusOr<int64_t> top = IntFlag(*args, "top", 8);
  if (!top.ok()) return Fail(std::string(top.status().message()));
  absl::StatusOr<int64_t> examples = IntFlag(*args, "examples", 3, 0);
  if (!examples.ok()) return Fail(std::string(examples.status().message()));
  o.examples = static_cast<int>(std::min<int64_t>(*examples, 1000));
  absl::StatusOr<analysis::Model> m = LoadModelFor(*args);
  if (!m.ok()) return Fail(std::string(m.status().message()));
  const analysis::WhyReport r = analysis::Why(*m, o);
  if (r.count == 0 && r.cut == 0) {
    return Fail(absl::StrCat("no scope named '", o.scope, "' in ", args->positional[0],
                             " (run 'tracelane scopes FILE' for the list)"));
  }
  if (args->Has("json")) {
    JsonWriter j;
    WhyJson(j, *m, r, above);
    std::cout << j.str() << "\n";
    return 0;
  }
  if (r.above == 0) {
    std::cout << o.scope << ": no complete instance at or above " << above << "\n";
    return 0;
  }
  std::cout << WhyText(*m, r, above, static_cast<size_t>(std::min<int64_t>(*top, 1 << 20)));
  return 0;
}

}  // namespace tracelane::cli
