#include "viewer/analysis/pprof_export.h"

#include <zlib.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "viewer/analysis/explain.h"
#include "viewer/analysis/saturating.h"
#include "viewer/proto/profile.pb.h"

namespace tracelane::analysis {
namespace {

// Sums of delays over every span of every thread saturate (saturating.h): a
// hostile trace (times up to format::kMaxTimestampNs on many threads) overflowed
// them (found by fuzz/trace_analysis).

namespace pb = ::perftools::profiles;

class ProfileBuilder {
 public:
  ProfileBuilder() { Str(""); }

  int64_t Str(const std::string& s) {
    auto [it, inserted] = strings_.try_emplace(s, static_cast<int64_t>(strings_.size()));
    if (inserted) profile_.add_string_table(s);
    return it->second;
  }

  // Location (and function) for a scope location index.
  uint64_t ScopeFrame(const Model& m, uint32_t location) {
    auto [it, inserted] = scope_frames_.try_emplace(location, 0);
    if (inserted) {
      const reader::Location& l = m.info.locations[location];
      it->second = AddFrame(l.name, l.function, l.file, l.line);
    }
    return it->second;
  }
  // Location for a synthetic leaf frame ("lock wait: db").
  uint64_t LeafFrame(const std::string& label) {
    auto [it, inserted] = leaf_frames_.try_emplace(label, 0);
    if (inserted) it->second = AddFrame(label, label, "", 0);
    return it->second;
  }

  void Add(const std::vector<uint64_t>& stack, uint32_t thread, const ThreadModel& t, int64_t ns) {
    key_.assign(reinterpret_cast<const char*>(stack.data()), stack.size() * sizeof(uint64_t));
    key_.append(reinterpret_cast<const char*>(&thread), sizeof(thread));
    auto [it, inserted] = samples_.try_emplace(key_, profile_.sample_size());
    pb::Sample* s;
    if (inserted) {
      s = profile_.add_sample();
      for (uint64_t id : stack) s->add_location_id(id);
      s->add_value(0);
      s->add_value(0);
      pb::Label* name = s->add_label();
      name->set_key(Str("thread"));
      name->set_str(Str(t.name));
      pb::Label* tid = s->add_label();
      tid->set_key(Str("tid"));
      tid->set_num(t.tid);
    } else {
      s = profile_.mutable_sample(static_cast<int>(it->second));
    }
    s->set_value(0, s->value(0) + 1);
    s->set_value(1, SaturatingAdd(s->value(1), ns));
  }

  pb::Profile& profile() { return profile_; }

 private:
  uint64_t AddFrame(const std::string& name, const std::string& system_name,
                    const std::string& file, uint32_t line) {
    const uint64_t id = static_cast<uint64_t>(profile_.function_size()) + 1;
    pb::Function* f = profile_.add_function();
    f->set_id(id);
    f->set_name(Str(name));
    f->set_system_name(Str(system_name));
    f->set_filename(Str(file));
    f->set_start_line(line);
    pb::Location* l = profile_.add_location();
    l->set_id(id);
    pb::Line* ln = l->add_line();
    ln->set_function_id(id);
    ln->set_line(line);
    return id;
  }

  pb::Profile profile_;
  absl::flat_hash_map<std::string, int64_t> strings_;
  absl::flat_hash_map<uint32_t, uint64_t> scope_frames_;
  absl::flat_hash_map<std::string, uint64_t> leaf_frames_;
  absl::flat_hash_map<std::string, size_t> samples_;
  std::string key_;
};

}  // namespace

absl::StatusOr<PprofKind> ParsePprofKind(std::string_view name) {
  if (name == "sync") return PprofKind::kSync;
  if (name == "sched") return PprofKind::kSched;
  if (name == "pause") return PprofKind::kPause;
  return absl::InvalidArgumentError(absl::StrCat("unknown pprof profile '", std::string(name),
                                                 "' (expected sync, sched or pause)"));
}

std::vector<ThreadState> PprofStates(PprofKind kind) {
  switch (kind) {
    case PprofKind::kSync:
      return {ThreadState::kLockWait, ThreadState::kCondvarWait};
    case PprofKind::kSched:
      return {ThreadState::kRunnable};
    case PprofKind::kPause:
      return {ThreadState::kPaused};
  }
  return {};
}

int64_t PprofTotal(const Model& m, PprofKind kind) {
  const std::vector<ThreadState> want = PprofStates(kind);
  int64_t total = 0;
  for (const ThreadModel& t : m.threads) {
    for (size_t i = 0; i < t.states.size(); ++i) {
      if (std::find(want.begin(), want.end(), t.states[i].state) != want.end()) {
        total = SaturatingAdd(total, t.StateEnd(i) - t.states[i].start_ns);
      }
    }
  }
  return total;
}

std::string BuildPprofProfile(const Model& m, PprofKind kind, PprofStats* stats) {
  ProfileBuilder b;
  pb::Profile& p = b.profile();
  pb::ValueType* count = p.add_sample_type();
  count->set_type(b.Str("contentions"));
  count->set_unit(b.Str("count"));
  pb::ValueType* delay = p.add_sample_type();
  delay->set_type(b.Str("delay"));
  delay->set_unit(b.Str("nanoseconds"));
  p.set_default_sample_type(b.Str("delay"));
  p.mutable_period_type()->set_type(b.Str("delay"));
  p.mutable_period_type()->set_unit(b.Str("nanoseconds"));
  p.set_period(1);
  p.set_time_nanos(m.info.ToRealtime(m.start_ns));
  p.set_duration_nanos(m.duration_ns());
  p.add_comment(b.Str(absl::StrCat("tracelane ",
                                   kind == PprofKind::kSync    ? "sync"
                                   : kind == PprofKind::kSched ? "sched"
                                                               : "pause",
                                   " profile of ", m.info.path)));
  const std::vector<ThreadState> want = PprofStates(kind);
  PprofStats st;
  std::vector<uint64_t> stack;
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    const ThreadModel& t = m.threads[ti];
    for (size_t i = 0; i < t.states.size(); ++i) {
      const ThreadState s = t.states[i].state;
      if (std::find(want.begin(), want.end(), s) == want.end()) continue;
      const int64_t start = t.states[i].start_ns, ns = t.StateEnd(i) - start;
      stack.clear();
      stack.push_back(b.LeafFrame(CauseLabel(CauseAt(m, ti, s, start))));
      for (uint32_t sc = t.InnermostScopeAt(start); sc != kNone; sc = t.scopes[sc].parent) {
        if (t.scopes[sc].location < m.info.locations.size()) {
          stack.push_back(b.ScopeFrame(m, t.scopes[sc].location));
        }
      }
      b.Add(stack, ti, t, ns);
      ++st.spans;
      st.total_ns = SaturatingAdd(st.total_ns, ns);
    }
  }
  st.samples = static_cast<uint64_t>(p.sample_size());
  if (stats != nullptr) *stats = st;
  return p.SerializeAsString();
}

absl::Status WritePprofFile(const Model& m, PprofKind kind, const std::string& path,
                            PprofStats* stats) {
  const std::string bytes = BuildPprofProfile(m, kind, stats);
  gzFile f = gzopen(path.c_str(), "wb");
  if (f == nullptr) return absl::NotFoundError(absl::StrCat(path, ": cannot open for writing"));
  size_t done = 0;
  bool ok = true;
  while (ok && done < bytes.size()) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(bytes.size() - done, 1u << 30));
    ok = gzwrite(f, bytes.data() + done, chunk) == static_cast<int>(chunk);
    done += chunk;
  }
  ok = (gzclose(f) == Z_OK) && ok;
  if (!ok) return absl::DataLossError(absl::StrCat(path, ": write failed"));
  return absl::OkStatus();
}

}  // namespace tracelane::analysis
