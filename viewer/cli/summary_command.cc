// `tracelane summary FILE`: one screen about a capture.
#include <algorithm>
#include <iostream>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/analysis/losses.h"
#include "viewer/analysis/mmu.h"
#include "viewer/analysis/pause_stats.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/analysis/why.h"
#include "viewer/cli/analysis_support.h"
#include "viewer/cli/cause_json.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/phase_timer.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] = R"(usage: tracelane summary FILE [--top N] [--json] [--salvage]

One screen about a capture: its facts, time per thread state over all threads,
the threads that spent the most time not running, the most contended locks,
pauses, MMU at 1 ms / 10 ms / 100 ms, the slowest scopes, and why the tail of
the slowest scope is slow (`tracelane why` at p99 for the first of the
slowest scopes listed with at least 20 instances, else the slowest). Next to the loss
counts: the gaps where threads' events were lost (Unknown time) and the spans
cut by them or by the capture window, which are counted, never ranked.

  --top N     rows per section (default 5)
  --json      {"capture":{file, process_name, pid, start_ns, end_ns, duration_ns,
              threads, events, dropped, overwritten, scheduler_source, complete,
              data_gaps, data_gap_ns, data_gap_events, cut_scopes,
              cut_scopes_by_lost_data, cut_lock_waits, cut_pauses},
              "states":{<state>_ns...},
              "threads":[<row of `threads --json`>...],
              "locks":[<lock of `locks --json`>...],
              "pauses":{count, total_ns, max_ns, cut, stw_count, stw_total_ns,
              stw_max_ns, stw_cut, by_name:[{name, stop_the_world, count,
              total_ns, max_ns, cut}]} (max_ns: of complete pauses),
              "mmu":[{window_ns, mmu}...],
              "scopes":[<scope of `scopes --json` without histogram>...] (by max
              of the complete instances; "cut" counts the unranked cut ones),
              "why": <`why --json` of that scope at p99> or null}
  --salvage   read the intact parts of a truncated or damaged file
)";

const char* SchedulerText(analysis::SchedulerSource s) {
  switch (s) {
    case analysis::SchedulerSource::kPerf:
      return "perf (exact)";
    case analysis::SchedulerSource::kSchedStat:
      return "schedstat (approximate)";
    case analysis::SchedulerSource::kNone:
      return "none (runnable/unknown not measured)";
  }
  return "none";
}

}  // namespace

int RunSummary(int argc, char** argv) {
  absl::StatusOr<Args> args = ParseCommand(argc, argv, kHelp, {"top"});
  if (absl::IsCancelled(args.status())) return 0;
  if (!args.ok()) return Fail(std::string(args.status().message()));
  absl::StatusOr<int64_t> top_flag = IntFlag(*args, "top", 5);
  if (!top_flag.ok()) return Fail(std::string(top_flag.status().message()));
  const size_t top = static_cast<size_t>(std::min<int64_t>(*top_flag, 1 << 20));
  absl::StatusOr<analysis::Model> m = LoadModelFor(*args);
  if (!m.ok()) return Fail(std::string(m.status().message()));
  reader::PhaseTimer timer;

  // Thread states and lock contention are mostly one pass on one core: they run
  // beside the scope statistics and `why` (which use every core) instead of
  // before them. The model is read-only from here on.
  std::vector<analysis::ThreadStatesRow> rows;
  analysis::StateDurations totals;
  std::vector<analysis::LockReport> locks;
  std::thread beside([&] {
    rows = analysis::ThreadStates(*m);
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return a.non_running_ns() > b.non_running_ns();
    });
    if (rows.size() > top) rows.resize(top);
    totals = analysis::TotalStates(*m);
    locks = analysis::LockContention(*m);
    if (locks.size() > top) locks.resize(top);
  });
  const analysis::PauseStats pauses = analysis::ComputePauseStats(*m);
  const analysis::MmuCalculator mmu(analysis::SystemUtilization(*m));
  timer.Lap("pauses, utilization");
  const int64_t windows[] = {1000000, 10000000, 100000000};
  analysis::ScopeStatsOptions so;
  so.slowest = 1;
  std::vector<analysis::ScopeStats> scopes = analysis::ComputeScopeStats(*m, so);
  absl::flat_hash_map<std::string, int> locations_named;
  for (const analysis::ScopeStats& st : scopes) ++locations_named[st.name];
  std::stable_sort(scopes.begin(), scopes.end(),
                   [](const auto& a, const auto& b) { return a.max_ns > b.max_ns; });
  if (scopes.size() > top) scopes.resize(top);
  timer.Lap("scope statistics");
  // The tail worth explaining: the first of the slowest scopes (by max) with
  // enough instances to have a p99, else the slowest.
  const analysis::ScopeStats* why_stats = nullptr;
  for (const auto& st : scopes) {
    if (st.count >= 20) {
      why_stats = &st;
      break;
    }
  }
  if (why_stats == nullptr && !scopes.empty() && scopes[0].count > 0) why_stats = &scopes[0];
  const std::string why_scope = why_stats != nullptr ? why_stats->name : "";
  analysis::WhyReport why;
  if (!why_scope.empty()) {
    analysis::WhyOptions wo;
    wo.scope = why_scope;
    // `why` takes every location of that name; when there is only this one,
    // its p99 (the same nearest rank) is known, which saves `why` a pass.
    if (locations_named[why_scope] == 1) wo.above_ns = why_stats->p99_ns;
    wo.examples = 1;  // one screen
    // A summary is an overview: explain the slowest 200 of the tail (the text
    // and JSON say so when there are more); `tracelane why` explains them all
    // (up to WhyOptions' default). Explaining 5000 instances of a 60M-event
    // capture took 78 s.
    wo.max_instances = 200;
    why = analysis::Why(*m, wo);
  }
  timer.Lap("why the tail is slow");
  beside.join();
  timer.Lap("thread states, locks (beside the above)");
  const std::string& process = m->info.Property("process_name");
  const analysis::LossSummary losses = analysis::SummarizeLosses(*m);

  if (args->Has("json")) {
    JsonWriter j;
    j.BeginObject();
    j.Key("capture").BeginObject();
    j.Key("file").String(m->info.path);
    j.Key("process_name").String(process);
    j.Key("pid").Uint(m->info.pid);
    j.Key("start_ns").Int(m->start_ns);
    j.Key("end_ns").Int(m->end_ns);
    j.Key("duration_ns").Int(m->duration_ns());
    j.Key("threads").Uint(m->threads.size());
    j.Key("events").Uint(m->info.event_count);
    j.Key("dropped").Uint(m->info.dropped);
    j.Key("overwritten").Uint(m->info.overwritten);
    j.Key("scheduler_source").String(m->info.Property("scheduler_source"));
    j.Key("complete").Bool(m->info.complete);
    j.Key("data_gaps").Uint(losses.gaps);
    j.Key("data_gap_ns").Int(losses.gap_ns);
    j.Key("data_gap_events").Uint(losses.gap_events);
    j.Key("cut_scopes").Uint(losses.cut_scopes);
    j.Key("cut_scopes_by_lost_data").Uint(losses.cut_scopes_by_loss);
    j.Key("cut_lock_waits").Uint(losses.cut_lock_waits);
    j.Key("cut_pauses").Uint(losses.cut_pauses);
    j.EndObject();
    j.Key("states").BeginObject();
    StateKeys(j, totals);
    j.EndObject();
    j.Key("threads").BeginArray();
    for (const auto& r : rows) ThreadRowJson(j, r, false);
    j.EndArray();
    j.Key("locks").BeginArray();
    for (const auto& l : locks) LockJson(j, *m, l, 3);
    j.EndArray();
    j.Key("pauses").BeginObject();
    j.Key("count").Uint(pauses.count).Key("total_ns").Int(pauses.total_ns);
    j.Key("cut").Uint(pauses.cut).Key("stw_cut").Uint(pauses.stw_cut);
    j.Key("max_ns").Int(pauses.max_ns).Key("stw_count").Uint(pauses.stw_count);
    j.Key("stw_total_ns").Int(pauses.stw_total_ns).Key("stw_max_ns").Int(pauses.stw_max_ns);
    j.Key("by_name").BeginArray();
    for (size_t i = 0; i < pauses.by_name.size() && i < top; ++i) {
      const auto& g = pauses.by_name[i];
      j.BeginObject().Key("name").String(g.name).Key("stop_the_world").Bool(g.stop_the_world);
      j.Key("count").Uint(g.count).Key("total_ns").Int(g.total_ns).Key("max_ns").Int(g.max_ns);
      j.Key("cut").Uint(g.cut);
      j.EndObject();
    }
    j.EndArray().EndObject();
    j.Key("mmu").BeginArray();
    for (int64_t w : windows) {
      j.BeginObject().Key("window_ns").Int(w).Key("mmu").Double(mmu.Mmu(w)).EndObject();
    }
    j.EndArray();
    j.Key("scopes").BeginArray();
    for (const auto& s : scopes) ScopeJson(j, *m, s, false);
    j.EndArray();
    j.Key("why");
    if (why_scope.empty()) {
      j.Null();
    } else {
      WhyJson(j, *m, why, "p99");
    }
    j.EndObject();
    std::cout << j.str() << "\n";
    timer.Lap("MMU, output");
    KeepUntilExit(*std::move(m));
    return 0;
  }

  std::cout << absl::StrFormat("%s  %s (pid %d)  %s  %d threads  %d events%s\n", m->info.path,
                               process, m->info.pid, FormatDuration(m->duration_ns()),
                               m->threads.size(), m->info.event_count,
                               m->info.complete ? "" : "  [INCOMPLETE: salvaged]");
  std::cout << absl::StrFormat("lost events: %d dropped, %d overwritten; scheduler data: %s\n",
                               m->info.dropped, m->info.overwritten, SchedulerText(m->scheduler));
  if (losses.gaps != 0) {
    std::cout << absl::StrFormat(
        "  where: %d gaps on %d threads, %s of thread time unknown (%d events lost in them)\n",
        losses.gaps, losses.threads_with_gaps, FormatDuration(losses.gap_ns), losses.gap_events);
  }
  if (losses.cut_scopes != 0 || losses.cut_lock_waits != 0 || losses.cut_pauses != 0) {
    std::cout << absl::StrFormat(
        "  cut (not ranked): %d scope instances (%d by lost data, %d by the capture window), "
        "%d lock waits, %d pauses\n",
        losses.cut_scopes, losses.cut_scopes_by_loss, losses.cut_scopes - losses.cut_scopes_by_loss,
        losses.cut_lock_waits, losses.cut_pauses);
  }
  const int64_t wall = analysis::Sum(totals);
  std::cout << "\nthread time (all threads, " << FormatDuration(wall) << "):";
  for (int s = 0; s < analysis::kNumStates; ++s) {
    if (totals[s] == 0) continue;
    std::cout << "  " << analysis::StateLabel(static_cast<analysis::ThreadState>(s)) << " "
              << FormatPercent(totals[s], wall);
  }
  std::cout << "\n\nthreads with the most time not running:\n";
  for (const auto& r : rows) {
    // The two largest non-running states.
    std::vector<std::pair<int64_t, int>> st;
    for (int s = 1; s < analysis::kNumStates; ++s) {
      if (r.ns[s] > 0) st.emplace_back(r.ns[s], s);
    }
    std::sort(st.rbegin(), st.rend());
    std::string detail;
    for (size_t i = 0; i < st.size() && i < 2; ++i) {
      absl::StrAppend(&detail, i ? ", " : "",
                      analysis::StateLabel(static_cast<analysis::ThreadState>(st[i].second)), " ",
                      FormatDuration(st[i].first));
    }
    std::cout << absl::StrFormat(
        "  %-28.28s %12s of %-12s %s\n", absl::StrCat(r.name, " [", r.tid, "]"),
        FormatDuration(r.non_running_ns()), FormatDuration(r.wall_ns), detail);
  }
  std::cout << "\nmost contended locks:\n";
  bool any_lock = false;
  for (const auto& l : locks) {
    if (l.waits == 0 && l.releases_with_waiters == 0) continue;
    any_lock = true;
    if (l.waits == 0) {  // only contended releases are known (abseil's hooks)
      std::cout << absl::StrFormat("  %-28.28s %6d releases woke a waiter\n", l.name,
                                   l.releases_with_waiters);
      continue;
    }
    const std::string inferred =
        l.inferred == 0
            ? ""
            : absl::StrFormat("%d inferred, %d%% confidence", l.inferred, l.inferred_confidence);
    if (l.acquisitions_recorded) {
      std::cout << absl::StrFormat("  %-28.28s %6d of %-7d acquisitions waited", l.name,
                                   l.contended, l.acquisitions);
      if (!inferred.empty()) std::cout << " (" << inferred << ")";
    } else {
      std::cout << absl::StrFormat(
          "  %-28.28s %6d acquisitions waited (%s%suncontended ones not recorded)", l.name,
          l.contended, inferred, inferred.empty() ? "" : "; ");
    }
    std::cout << absl::StrFormat(", total %s, max %s", FormatDuration(l.total_wait_ns),
                                 FormatDuration(l.max_wait_ns));
    if (l.cut_waits != 0) std::cout << absl::StrFormat(" (%d cut)", l.cut_waits);
    if (!l.holding_sites.empty()) std::cout << ", mostly held at " << l.holding_sites[0].name;
    std::cout << "\n";
  }
  if (!any_lock) std::cout << "  (no lock waits)\n";
  std::cout << absl::StrFormat(
      "\npauses: %d own pauses (total %s, max %s); %d stop-the-world "
      "(total %s, max %s)\n",
      pauses.count, FormatDuration(pauses.total_ns), FormatDuration(pauses.max_ns),
      pauses.stw_count, FormatDuration(pauses.stw_total_ns), FormatDuration(pauses.stw_max_ns));
  if (pauses.cut + pauses.stw_cut != 0) {
    std::cout << absl::StrFormat(
        "  (%d own pauses and %d stop-the-world cut by the capture window or lost data: their "
        "observed time counts, they are never the max)\n",
        pauses.cut, pauses.stw_cut);
  }
  for (size_t i = 0; i < pauses.by_name.size() && i < top; ++i) {
    const auto& g = pauses.by_name[i];
    std::cout << absl::StrFormat("  %-28.28s %-15s %6d x, total %s, max %s\n", g.name,
                                 g.stop_the_world ? "stop-the-world" : "pause", g.count,
                                 FormatDuration(g.total_ns), FormatDuration(g.max_ns));
  }
  std::cout << "\nMMU:";
  for (int64_t w : windows) {
    std::cout << absl::StrFormat("  %s %.4f", FormatDuration(w), mmu.Mmu(w));
  }
  std::cout << "\n\nslowest scopes:\n";
  for (const auto& s : scopes) {
    if (s.count == 0) {
      std::cout << absl::StrFormat("  %-28.28s all %s\n", s.name, CutNote(s.cut, s.cut_by_loss));
      continue;
    }
    std::cout << absl::StrFormat("  %-28.28s max %11s  p99 %11s  p50 %11s  count %d", s.name,
                                 FormatDuration(s.max_ns), FormatDuration(s.p99_ns),
                                 FormatDuration(s.p50_ns), s.count);
    if (!s.slowest.empty()) {
      std::cout << "  (slowest at " << FormatOffset(s.slowest[0].begin_ns, m->start_ns) << " on "
                << m->ThreadLabel(s.slowest[0].ref.thread) << ")";
    }
    if (s.cut != 0) {
      std::cout << "  (" << CutNote(s.cut, s.cut_by_loss) << ")";
    }
    std::cout << "\n";
  }
  if (scopes.empty()) std::cout << "  (no scopes)\n";
  if (!why_scope.empty() && why.above > 0) {
    std::cout << "\nwhy the tail is slow (tracelane why --scope " << why_scope << "):\n"
              << WhyText(*m, why, "p99", std::min<size_t>(top, 5));
  }
  timer.Lap("MMU, output");
  KeepUntilExit(*std::move(m));
  return 0;
}

}  // namespace tracelane::cli
