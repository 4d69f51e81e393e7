#include "viewer/analysis/chrome_export.h"

#include <algorithm>
#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "viewer/analysis/explain.h"
#include "viewer/lib/json_writer.h"

namespace tracelane::analysis {
namespace {

// Synthetic track ids sit above any Linux tid (pid_max <= 2^22).
constexpr int64_t kTrackBase = int64_t{1} << 30;
constexpr int64_t kStwTrack = kTrackBase - 1;

class Writer {
 public:
  Writer(const Model& m, std::ostream& out) : m_(m), out_(out) { buf_.reserve(kFlush + 4096); }

  void Run(ChromeExportStats* stats) {
    pid_ = m_.info.pid;
    buf_ += "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"source\":";
    AppendJsonString(&buf_, m_.info.path);
    buf_ += ",\"scheduler_source\":";
    AppendJsonString(&buf_, m_.info.Property("scheduler_source"));
    buf_ += "},\"traceEvents\":[\n";
    Meta(-1, "process_name", "name", m_.info.Property("process_name"));
    // Track ids: the OS tid for scopes when unique, else a synthetic id.
    absl::flat_hash_map<int64_t, int> tid_count;
    for (const ThreadModel& t : m_.threads) ++tid_count[t.tid];
    scope_track_.resize(m_.threads.size());
    for (uint32_t i = 0; i < m_.threads.size(); ++i) {
      const ThreadModel& t = m_.threads[i];
      scope_track_[i] = tid_count[t.tid] == 1 ? t.tid : kTrackBase + 2 * int64_t{i};
      const std::string label = m_.ThreadLabel(i);
      Meta(scope_track_[i], "thread_name", "name", label);
      MetaInt(scope_track_[i], "thread_sort_index", 2 * int64_t{i});
      Meta(StateTrack(i), "thread_name", "name", absl::StrCat(label, " states"));
      MetaInt(StateTrack(i), "thread_sort_index", 2 * int64_t{i} + 1);
    }
    // Stop-the-world spans may overlap (several initiators): one lane per overlap level.
    std::vector<int64_t> lane_end;
    std::vector<size_t> stw_lane;
    for (const StwSpan& s : m_.stw) {
      size_t lane = 0;
      while (lane < lane_end.size() && lane_end[lane] > s.start_ns) ++lane;
      if (lane == lane_end.size()) {
        lane_end.push_back(0);
        Meta(kStwTrack - static_cast<int64_t>(lane), "thread_name", "name",
             lane == 0 ? std::string("stop-the-world") : absl::StrCat("stop-the-world ", lane + 1));
        MetaInt(kStwTrack - static_cast<int64_t>(lane), "thread_sort_index",
                -1 - static_cast<int64_t>(lane_end.size()));
      }
      lane_end[lane] = s.end_ns;
      stw_lane.push_back(lane);
    }
    for (uint32_t i = 0; i < m_.threads.size(); ++i) {
      Scopes(i);
      States(i);
    }
    for (size_t i = 0; i < m_.stw.size(); ++i) {
      const StwSpan& s = m_.stw[i];
      Begin('X', kStwTrack - static_cast<int64_t>(stw_lane[i]), s.start_ns, "stop_the_world");
      Name(absl::StrCat("stop-the-world: ", m_.LocationName(s.location)));
      Dur(s.end_ns - s.start_ns);
      buf_ += ",\"args\":{\"by\":";
      AppendJsonString(&buf_, m_.ThreadLabel(s.thread));
      buf_ += "}}";
    }
    Flows();
    buf_ += "\n]}\n";
    Flush(true);
    if (stats != nullptr) *stats = stats_;
  }

 private:
  static constexpr size_t kFlush = 1 << 20;

  int64_t StateTrack(uint32_t i) const { return kTrackBase + 2 * int64_t{i} + 1; }

  void Flush(bool force) {
    if (!force && buf_.size() < kFlush) return;
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    stats_.bytes += buf_.size();
    buf_.clear();
  }

  // Microseconds since the trace start with three decimals (exact nanoseconds).
  void Micros(int64_t ns) {
    if (ns < 0) {
      buf_ += '-';
      ns = -ns;
    }
    absl::StrAppend(&buf_, ns / 1000);
    const int frac = static_cast<int>(ns % 1000);
    if (frac != 0) {
      const char digits[4] = {'.', static_cast<char>('0' + frac / 100),
                              static_cast<char>('0' + frac / 10 % 10),
                              static_cast<char>('0' + frac % 10)};
      buf_.append(digits, 4);
    }
  }

  void Begin(char ph, int64_t track, int64_t ts_ns, const char* cat) {
    if (stats_.events++ > 0) buf_ += ",\n";
    absl::StrAppend(&buf_, "{\"ph\":\"", std::string(1, ph), "\",\"pid\":", pid_);
    if (track >= 0) absl::StrAppend(&buf_, ",\"tid\":", track);
    buf_ += ",\"ts\":";
    Micros(ts_ns - m_.start_ns);
    absl::StrAppend(&buf_, ",\"cat\":\"", cat, "\"");
    Flush(false);
  }
  void Name(const std::string& name) {
    buf_ += ",\"name\":";
    AppendJsonString(&buf_, name);
  }
  void Dur(int64_t ns) {
    buf_ += ",\"dur\":";
    Micros(ns);
  }

  void Meta(int64_t track, const char* what, const char* key, const std::string& value) {
    Begin('M', track, m_.start_ns, "__metadata");
    absl::StrAppend(&buf_, ",\"name\":\"", what, "\",\"args\":{\"", key, "\":");
    AppendJsonString(&buf_, value);
    buf_ += "}}";
  }
  void MetaInt(int64_t track, const char* what, int64_t value) {
    Begin('M', track, m_.start_ns, "__metadata");
    absl::StrAppend(&buf_, ",\"name\":\"", what, "\",\"args\":{\"sort_index\":", value, "}}");
  }

  void Scopes(uint32_t ti) {
    const ThreadModel& t = m_.threads[ti];
    for (uint32_t i = 0; i < t.scopes.size(); ++i) {
      const Scope& s = t.scopes[i];
      Begin('X', scope_track_[ti], s.begin_ns, "scope");
      Name(m_.LocationName(s.location));
      Dur(s.end_ns - s.begin_ns);
      if (s.location < m_.info.locations.size()) {
        const reader::Location& l = m_.info.locations[s.location];
        buf_ += ",\"args\":{\"file\":";
        AppendJsonString(&buf_, l.file);
        absl::StrAppend(&buf_, ",\"line\":", l.line);
        if (t.IsCut(i)) {
          buf_ += t.IsCutByLoss(i) ? ",\"cut\":true,\"cut_by\":\"lost_data\""
                                   : ",\"cut\":true,\"cut_by\":\"capture_window\"";
        }
        buf_ += "}";
      }
      buf_ += "}";
    }
  }

  void States(uint32_t ti) {
    const ThreadModel& t = m_.threads[ti];
    for (size_t i = 0; i < t.states.size(); ++i) {
      const ThreadState st = t.states[i].state;
      Begin('X', StateTrack(ti), t.states[i].start_ns, "state");
      if (st == ThreadState::kRunning) {
        Name("running");
        Dur(t.StateEnd(i) - t.states[i].start_ns);
        buf_ += ",\"args\":{\"state\":\"running\"}}";
        continue;
      }
      const Cause c = CauseAt(m_, ti, st, t.states[i].start_ns);
      Name(CauseLabel(c));
      Dur(t.StateEnd(i) - t.states[i].start_ns);
      absl::StrAppend(&buf_, ",\"args\":{\"state\":\"", StateKey(st), "\"");
      if (c.other_thread != kNone) {
        buf_ += c.kind == CauseKind::kLockWait ? ",\"holder\":" : ",\"by\":";
        AppendJsonString(&buf_, m_.ThreadLabel(c.other_thread));
      }
      if (!c.other_scope.empty()) {
        buf_ += ",\"holder_scope\":";
        AppendJsonString(&buf_, c.other_scope);
      }
      buf_ += "}}";
    }
  }

  void Flow(uint32_t from, int64_t from_ns, uint32_t to, int64_t to_ns, const std::string& name) {
    const uint64_t id = ++stats_.flows;
    from_ns = std::clamp(from_ns, m_.threads[from].life_start_ns, m_.threads[from].life_end_ns);
    from_ns = std::min(from_ns, to_ns);
    Begin('s', StateTrack(from), from_ns, "flow");
    buf_ += ",\"name\":";
    AppendJsonString(&buf_, name);
    absl::StrAppend(&buf_, ",\"id\":", id, "}");
    Begin('f', StateTrack(to), to_ns, "flow");
    buf_ += ",\"name\":";
    AppendJsonString(&buf_, name);
    absl::StrAppend(&buf_, ",\"id\":", id, ",\"bp\":\"e\"}");
  }

  void Flows() {
    for (uint32_t ti = 0; ti < m_.threads.size(); ++ti) {
      const ThreadModel& t = m_.threads[ti];
      for (const LockWait& w : t.lock_waits) {
        if (w.holder_thread == kNone || w.outcome != WaitOutcome::kAcquired) continue;
        // Start at the holder's release of this lock (its last hold acquired before).
        const ThreadModel& h = m_.threads[w.holder_thread];
        int64_t from = w.end_ns;
        auto it = std::upper_bound(h.lock_holds.begin(), h.lock_holds.end(), w.end_ns,
                                   [](int64_t x, const LockHold& l) { return x < l.acquired_ns; });
        for (int n = 0; it != h.lock_holds.begin() && n < 256; ++n) {
          --it;
          if (it->lock_id == w.lock_id) {
            from = it->released_ns;
            break;
          }
        }
        // Labelled with the holder's scope over the hold (not at the release).
        Flow(w.holder_thread, from, ti, w.end_ns,
             absl::StrCat("lock handoff: ", m_.LockName(w.lock_id), " (held in ",
                          m_.ScopeName(w.holder_thread, w.holder_scope), ")"));
      }
      for (const CondWait& w : t.cond_waits) {
        if (w.notifier_thread == kNone || w.outcome != WaitOutcome::kAcquired) continue;
        const ThreadModel& n = m_.threads[w.notifier_thread];
        int64_t from = w.end_ns;
        auto it = std::upper_bound(n.cond_notifies.begin(), n.cond_notifies.end(), w.end_ns,
                                   [](int64_t x, const CondNotify& c) { return x < c.ts_ns; });
        for (int k = 0; it != n.cond_notifies.begin() && k < 256; ++k) {
          --it;
          if (it->cond_id == w.cond_id) {
            from = it->ts_ns;
            break;
          }
        }
        Flow(w.notifier_thread, from, ti, w.end_ns,
             absl::StrCat("condvar wake: ", m_.CondName(w.cond_id)));
      }
    }
  }

  const Model& m_;
  std::ostream& out_;
  std::string buf_;
  uint32_t pid_ = 0;
  std::vector<int64_t> scope_track_;
  ChromeExportStats stats_;
};

}  // namespace

absl::Status WriteChromeTrace(const Model& m, std::ostream& out, ChromeExportStats* stats) {
  Writer(m, out).Run(stats);
  out.flush();
  if (!out) return absl::DataLossError("writing the Chrome trace failed (stream error)");
  return absl::OkStatus();
}

absl::Status WriteChromeTraceFile(const Model& m, const std::string& path,
                                  ChromeExportStats* stats) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return absl::NotFoundError(absl::StrCat(path, ": cannot open for writing"));
  absl::Status s = WriteChromeTrace(m, f, stats);
  f.close();
  if (!s.ok() || !f) return absl::DataLossError(absl::StrCat(path, ": write failed"));
  return absl::OkStatus();
}

}  // namespace tracelane::analysis
