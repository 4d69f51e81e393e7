#include "viewer/cli/analysis_support.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tracelane::cli {

absl::StatusOr<Args> ParseCommand(int argc, char** argv, const char* help,
                                  const std::vector<std::string>& valued,
                                  const std::vector<std::string>& boolean, size_t max_positional) {
  std::vector<std::string> flags = kAnalysisBoolFlags;
  flags.insert(flags.end(), boolean.begin(), boolean.end());
  absl::StatusOr<Args> args = ParseArgs(argc, argv, 1, valued, flags);
  if (!args.ok()) return args.status();
  if (args->Has("help") || args->Has("h")) {
    std::cout << help;
    return absl::CancelledError("help");
  }
  if (args->positional.size() > max_positional) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected argument '", args->positional[max_positional], "' (see --help)"));
  }
  return args;
}

absl::StatusOr<analysis::Model> LoadModelFor(const Args& args) {
  if (args.positional.empty()) return absl::InvalidArgumentError("missing trace FILE (see --help)");
  analysis::LoadOptions opts;
  opts.salvage = args.Has("salvage");
  const bool tty = isatty(STDERR_FILENO);
  int last = -1;
  if (tty) {
    opts.progress = [&](uint64_t done, uint64_t total) {
      const int pct = total ? static_cast<int>(done * 100 / total) : 100;
      if (pct != last && total > (16u << 20)) {
        std::fprintf(stderr, "\rloading %s: %d%%", args.positional[0].c_str(), pct);
        last = pct;
      }
    };
  }
  absl::StatusOr<analysis::Model> m = analysis::LoadModel(args.positional[0], opts);
  if (last >= 0) std::fprintf(stderr, "\r\033[K");
  if (!m.ok()) {
    if (absl::IsDataLoss(m.status()) && !opts.salvage) {
      return absl::DataLossError(
          absl::StrCat(m.status().message(), " (use --salvage to read the intact parts)"));
    }
    return m.status();
  }
  for (const std::string& w : m->info.warnings) std::cerr << "tracelane: warning: " << w << "\n";
  return m;
}

absl::StatusOr<int64_t> IntFlag(const Args& args, const std::string& name, int64_t def,
                                int64_t min) {
  if (!args.Has(name)) return def;
  int64_t v;
  if (!absl::SimpleAtoi(args.Get(name), &v) || v < min) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " needs an integer >= ", min, ", got '", args.Get(name), "'"));
  }
  return v;
}

std::string CutNote(uint64_t cut, uint64_t by_loss) {
  if (by_loss == 0) return absl::StrCat(cut, " cut by the capture window, not ranked");
  if (by_loss == cut) return absl::StrCat(cut, " cut by lost data, not ranked");
  return absl::StrCat(cut, " cut (", by_loss, " by lost data, ", cut - by_loss,
                      " by the capture window), not ranked");
}

void StateKeys(JsonWriter& j, const analysis::StateDurations& d) {
  for (int s = 0; s < analysis::kNumStates; ++s) {
    j.Key(absl::StrCat(analysis::StateKey(static_cast<analysis::ThreadState>(s)), "_ns")).Int(d[s]);
  }
}

void ThreadRowJson(JsonWriter& j, const analysis::ThreadStatesRow& r, bool group) {
  j.BeginObject();
  j.Key("name").String(r.name);
  if (group) {
    j.Key("threads").Uint(r.threads);
  } else {
    j.Key("tid").Int(r.tid);
  }
  j.Key("wall_ns").Int(r.wall_ns);
  j.Key("non_running_ns").Int(r.non_running_ns());
  StateKeys(j, r.ns);
  j.EndObject();
}

namespace {

void Sites(JsonWriter& j, const char* key, const std::vector<analysis::CallSite>& sites, int n) {
  j.Key(key).BeginArray();
  for (int i = 0; i < n && i < static_cast<int>(sites.size()); ++i) {
    j.BeginObject();
    j.Key("name").String(sites[i].name);
    j.Key("waits").Uint(sites[i].waits);
    j.Key("wait_ns").Int(sites[i].wait_ns);
    j.EndObject();
  }
  j.EndArray();
}

}  // namespace

void LockJson(JsonWriter& j, const analysis::Model& m, const analysis::LockReport& r, int sites) {
  (void)m;
  j.BeginObject();
  j.Key("name").String(r.name);
  j.Key("id").Uint(r.lock_id);
  j.Key("acquisitions").Uint(r.acquisitions);
  j.Key("contended").Uint(r.contended);
  j.Key("try_failed").Uint(r.try_failed);
  j.Key("releases_with_waiters").Uint(r.releases_with_waiters);
  j.Key("waits").Uint(r.waits);
  j.Key("total_wait_ns").Int(r.total_wait_ns);
  j.Key("max_wait_ns").Int(r.max_wait_ns);
  j.Key("cut_waits").Uint(r.cut_waits);
  j.Key("mean_wait_ns").Int(r.waits ? r.total_wait_ns / static_cast<int64_t>(r.waits) : 0);
  Sites(j, "waiting_sites", r.waiting_sites, sites);
  Sites(j, "holding_sites", r.holding_sites, sites);
  Sites(j, "holder_threads", r.holder_threads, sites);
  j.EndObject();
}

void ScopeJson(JsonWriter& j, const analysis::Model& m, const analysis::ScopeStats& s,
               bool histogram) {
  j.BeginObject();
  j.Key("name").String(s.name);
  j.Key("function").String(s.function);
  j.Key("file").String(s.file);
  j.Key("line").Uint(s.line);
  j.Key("count").Uint(s.count);
  j.Key("cut").Uint(s.cut);
  j.Key("cut_by_lost_data").Uint(s.cut_by_loss);
  j.Key("total_ns").Int(s.total_ns);
  j.Key("mean_ns").Int(s.mean_ns);
  j.Key("min_ns").Int(s.min_ns);
  j.Key("p50_ns").Int(s.p50_ns);
  j.Key("p90_ns").Int(s.p90_ns);
  j.Key("p99_ns").Int(s.p99_ns);
  j.Key("p999_ns").Int(s.p999_ns);
  j.Key("max_ns").Int(s.max_ns);
  if (histogram) {
    j.Key("histogram").BeginArray();
    for (const analysis::HistogramBucket& b : s.histogram) {
      j.BeginObject();
      j.Key("lo_ns").Int(b.lo_ns);
      j.Key("hi_ns").Int(b.hi_ns);
      j.Key("count").Uint(b.count);
      j.EndObject();
    }
    j.EndArray();
  }
  j.Key("slowest").BeginArray();
  for (size_t i = 0; i < s.slowest.size(); ++i) {
    const analysis::ScopeInstance& x = s.slowest[i];
    const analysis::ThreadModel& t = m.threads[x.ref.thread];
    j.BeginObject();
    j.Key("rank").Uint(i + 1);
    j.Key("thread").String(t.name);
    j.Key("tid").Int(t.tid);
    j.Key("start_ns").Int(x.begin_ns);
    j.Key("offset_ns").Int(x.begin_ns - m.start_ns);
    j.Key("duration_ns").Int(x.duration_ns);
    j.Key("cut").Bool(x.cut);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
}

}  // namespace tracelane::cli
