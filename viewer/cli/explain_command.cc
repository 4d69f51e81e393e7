// `tracelane explain FILE --scope NAME --rank K`: why was this instance slow?
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/explain.h"
#include "viewer/cli/analysis_support.h"
#include "viewer/cli/cause_json.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] =
    R"(usage: tracelane explain FILE --scope NAME [--rank K] [--json] [--salvage]

Explains the K-th slowest complete instance of a scope (default: the slowest;
instances cut by the capture window or by lost data have no known duration and
are not ranked): its wall time split into thread states, and every part of it
attributed to a cause, largest (dominant) first. Each lock wait names the lock
and the thread that HELD it at each moment (in a convoy, the long holder, not
the waiter that got the lock first), with the holder's scope over the hold,
and follows the blame chain: what the holder was doing, and if it was itself
waiting (a lock, a condvar), whom it waited for, down to the root (a thread
running, sleeping, in IO, paused or runnable). Condvar waits follow the
notifier. Running time is split by the instance's scopes (self time and each
child scope), so a CPU-bound instance names the child that used the CPU.
Scheduler waits are counted, with how many traced threads were running or
runnable meanwhile. Time is attributed once: the parts sum to the wall time.

  --scope NAME  the scope's name (as listed by `tracelane scopes`)
  --rank K      1 = slowest (default), 2 = second slowest, ...
  --json        {"scope", "rank", "instances", "cut_instances",
                "cut_by_lost_data", "thread", "tid", "start_ns",
                "offset_ns", "end_ns", "wall_ns", "cut",
                "states":{"running_ns",...,"unknown_ns"},
                "dominant": <cause> or null (largest of "parts"),
                "causes":[<cause>,...] (not running), "running":[<cause>,...]
                (running time by scope), "parts":[<cause>,...] (both)}
                <cause> = {"kind", "description", "what", "object_id",
                "duration_ns", "fraction", "count", "first_ns",
                "other_thread", "other_tid", "other_scope", "self",
                "confidence", "busy_threads", "chain":[<hop>,...],
                "root": <root> or null}
                kind: lock_wait | condvar_wait | io_wait | sleep | syscall |
                pause | stop_the_world | runnable | unknown | data_lost
                (time inside a gap of lost events) | running (what = the
                scope, self = the instance's own code); other_* is the lock
                holder, condvar notifier or stop-the-world initiator ("" / 0
                when unknown); other_scope is the holder's scope over the hold
                <hop> = {"via" (lock_wait|condvar_wait), "what", "object_id",
                "thread", "tid", "scope", "hold_cut"}
                <root> = {"thread", "tid", "state", "kind", "what", "scope",
                "end" (root|cycle|depth_limit|unknown_holder|handoff)}
  --salvage     read the intact parts of a truncated or damaged file
)";

}  // namespace

int RunExplain(int argc, char** argv) {
  absl::StatusOr<Args> args = ParseCommand(argc, argv, kHelp, {"scope", "rank"});
  if (absl::IsCancelled(args.status())) return 0;
  if (!args.ok()) return Fail(std::string(args.status().message()));
  if (!args->Has("scope") || args->Get("scope").empty()) {
    return Fail("explain needs --scope NAME (see --help)");
  }
  absl::StatusOr<int64_t> rank = IntFlag(*args, "rank", 1);
  if (!rank.ok()) return Fail(std::string(rank.status().message()));
  absl::StatusOr<analysis::Model> m = LoadModelFor(*args);
  if (!m.ok()) return Fail(std::string(m.status().message()));
  const std::string name = args->Get("scope");
  uint64_t count = 0, cut = 0, cut_by_loss = 0;
  std::optional<analysis::ScopeInstance> inst = analysis::NthSlowest(
      *m, name, static_cast<int>(std::min<int64_t>(*rank, INT32_MAX)), &count, &cut, &cut_by_loss);
  if (count == 0 && cut == 0) {
    return Fail(absl::StrCat("no scope named '", name, "' in ", args->positional[0],
                             " (run 'tracelane scopes FILE' for the list)"));
  }
  const std::string cut_note = cut == 0 ? "" : absl::StrCat(" (", CutNote(cut, cut_by_loss), ")");
  if (!inst) {
    return Fail(absl::StrCat("--rank ", *rank, " is out of range: '", name, "' has ", count,
                             " complete instances", cut_note));
  }
  const analysis::Explanation ex = analysis::Explain(*m, *inst);
  const analysis::ThreadModel& t = m->threads[inst->ref.thread];
  const int64_t wall = inst->duration_ns;
  if (args->Has("json")) {
    JsonWriter j;
    j.BeginObject();
    j.Key("scope").String(ex.scope);
    j.Key("rank").Int(*rank);
    j.Key("instances").Uint(count);
    j.Key("cut_instances").Uint(cut);
    j.Key("cut_by_lost_data").Uint(cut_by_loss);
    j.Key("thread").String(t.name);
    j.Key("tid").Int(t.tid);
    j.Key("start_ns").Int(inst->begin_ns);
    j.Key("offset_ns").Int(inst->begin_ns - m->start_ns);
    j.Key("end_ns").Int(inst->begin_ns + wall);
    j.Key("wall_ns").Int(wall);
    j.Key("cut").Bool(inst->cut);
    j.Key("states").BeginObject();
    StateKeys(j, ex.states);
    j.EndObject();
    j.Key("dominant");
    if (ex.parts.empty()) {
      j.Null();
    } else {
      CauseJson(j, *m, ex.parts.front(), wall);
    }
    j.Key("causes").BeginArray();
    for (const auto& c : ex.causes) CauseJson(j, *m, c, wall);
    j.EndArray();
    j.Key("running").BeginArray();
    for (const auto& c : ex.running) CauseJson(j, *m, c, wall);
    j.EndArray();
    j.Key("parts").BeginArray();
    for (const auto& c : ex.parts) CauseJson(j, *m, c, wall);
    j.EndArray().EndObject();
    std::cout << j.str() << "\n";
    return 0;
  }
  std::cout << absl::StrFormat("%s  rank %d of %d%s  on %s  at %s  wall %s\n", ex.scope, *rank,
                               count, cut_note, m->ThreadLabel(inst->ref.thread),
                               FormatOffset(inst->begin_ns, m->start_ns), FormatDuration(wall));
  if (ex.parts.empty()) {
    std::cout << "dominant cause: none (no time observed)\n";
  } else {
    const analysis::Cause& d = ex.parts.front();
    std::cout << absl::StrFormat("dominant cause: %s  %s (%s)\n", analysis::DescribeCause(*m, d),
                                 FormatDuration(d.duration_ns), FormatPercent(d.duration_ns, wall));
  }
  std::cout << "\nstates:\n";
  for (int s = 0; s < analysis::kNumStates; ++s) {
    if (ex.states[s] == 0) continue;
    std::cout << absl::StrFormat("  %-13s %12s %7s\n",
                                 analysis::StateLabel(static_cast<analysis::ThreadState>(s)),
                                 FormatDuration(ex.states[s]), FormatPercent(ex.states[s], wall));
  }
  if (!ex.parts.empty()) std::cout << "\ncauses (largest first):\n";
  for (const auto& c : ex.parts) {
    std::cout << absl::StrFormat("  %12s %7s  %s  (first at %s)\n", FormatDuration(c.duration_ns),
                                 FormatPercent(c.duration_ns, wall), analysis::DescribeCause(*m, c),
                                 FormatOffset(c.first_ns, m->start_ns));
  }
  return 0;
}

}  // namespace tracelane::cli
