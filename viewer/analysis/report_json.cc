#include "viewer/analysis/report_json.h"

#include "absl/strings/str_cat.h"

namespace tracelane::analysis {
namespace {

void Sites(JsonWriter& j, const char* key, const std::vector<CallSite>& sites, int n) {
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

std::string CutNote(uint64_t cut, uint64_t by_loss) {
  if (by_loss == 0) return absl::StrCat(cut, " cut by the capture window, not ranked");
  if (by_loss == cut) return absl::StrCat(cut, " cut by lost data, not ranked");
  return absl::StrCat(cut, " cut (", by_loss, " by lost data, ", cut - by_loss,
                      " by the capture window), not ranked");
}

void StateKeys(JsonWriter& j, const StateDurations& d) {
  for (int s = 0; s < kNumStates; ++s) {
    j.Key(absl::StrCat(StateKey(static_cast<ThreadState>(s)), "_ns")).Int(d[s]);
  }
}

void ThreadRowJson(JsonWriter& j, const ThreadStatesRow& r, bool group) {
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

void LockJson(JsonWriter& j, const LockReport& r, int sites) {
  j.BeginObject();
  j.Key("name").String(r.name);
  j.Key("id").Uint(r.lock_id);
  if (r.counters_known) {
    j.Key("acquisitions").Uint(r.acquisitions);
    j.Key("contended").Uint(r.contended);
    j.Key("try_failed").Uint(r.try_failed);
    j.Key("releases_with_waiters").Uint(r.releases_with_waiters);
    j.Key("acquisitions_recorded").Bool(r.acquisitions_recorded);
  }
  j.Key("inferred").Uint(r.inferred);
  if (r.inferred > 0) j.Key("inferred_confidence").Int(r.inferred_confidence);
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

void ScopeJson(JsonWriter& j, const Model& m, const ScopeStats& s, bool histogram) {
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
    for (const HistogramBucket& b : s.histogram) {
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
    const ScopeInstance& x = s.slowest[i];
    const ThreadModel& t = m.threads[x.ref.thread];
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

void MmuCurveJson(JsonWriter& j, const std::vector<MmuPoint>& curve) {
  j.BeginObject().Key("points").BeginArray();
  for (const MmuPoint& p : curve) {
    j.BeginObject().Key("window_ns").Int(p.window_ns).Key("mmu").Double(p.mmu).EndObject();
  }
  j.EndArray().EndObject();
}

void RangeStatsJson(JsonWriter& j, const Model& m, const RangeStats& r, int64_t top) {
  j.BeginObject();
  j.Key("from_ns").Int(r.from_ns);
  j.Key("to_ns").Int(r.to_ns);
  j.Key("offset_ns").Int(r.from_ns - m.start_ns);
  j.Key("duration_ns").Int(r.to_ns - r.from_ns);
  j.Key("threads").Uint(r.threads);
  j.Key("states").BeginObject();
  StateKeys(j, r.states);
  j.EndObject();
  j.Key("scopes").BeginArray();
  for (size_t i = 0; i < r.scopes.size() && static_cast<int64_t>(i) < top; ++i) {
    j.BeginObject();
    j.Key("name").String(r.scopes[i].name);
    j.Key("instances").Uint(r.scopes[i].instances);
    j.Key("inside_ns").Int(r.scopes[i].inside_ns);
    j.EndObject();
  }
  j.EndArray();
  j.Key("locks").BeginArray();
  for (size_t i = 0; i < r.locks.size() && static_cast<int64_t>(i) < top; ++i) {
    j.BeginObject();
    j.Key("name").String(r.locks[i].name);
    j.Key("id").Uint(r.locks[i].lock_id);
    j.Key("waits").Uint(r.locks[i].waits);
    j.Key("inside_ns").Int(r.locks[i].inside_ns);
    j.Key("max_wait_ns").Int(r.locks[i].max_wait_ns);
    j.Key("cut_waits").Uint(r.locks[i].cut_waits);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
}

}  // namespace tracelane::analysis
