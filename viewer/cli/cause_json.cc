#include "viewer/cli/cause_json.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/cli/analysis_support.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

void ThreadKeys(JsonWriter& j, const analysis::Model& m, uint32_t t, const char* name,
                const char* tid) {
  const bool known = t != analysis::kNone && t < m.threads.size();
  j.Key(name).String(known ? m.threads[t].name : "");
  j.Key(tid).Int(known ? m.threads[t].tid : 0);
}

}  // namespace

const char* BlameEndKey(analysis::BlameEnd e) {
  switch (e) {
    case analysis::BlameEnd::kRoot:
      return "root";
    case analysis::BlameEnd::kCycle:
      return "cycle";
    case analysis::BlameEnd::kDepthLimit:
      return "depth_limit";
    case analysis::BlameEnd::kUnknownHolder:
      return "unknown_holder";
    case analysis::BlameEnd::kHandoff:
      return "handoff";
  }
  return "root";
}

void CauseJson(JsonWriter& j, const analysis::Model& m, const analysis::Cause& c, int64_t wall) {
  j.BeginObject();
  j.Key("kind").String(analysis::CauseKindKey(c.kind));
  j.Key("description").String(analysis::DescribeCause(m, c));
  j.Key("what").String(c.what);
  j.Key("object_id").Uint(c.object_id);
  j.Key("duration_ns").Int(c.duration_ns);
  j.Key("fraction").Double(wall > 0 ? static_cast<double>(c.duration_ns) / wall : 0);
  j.Key("count").Uint(c.count);
  j.Key("first_ns").Int(c.first_ns);
  ThreadKeys(j, m, c.other_thread, "other_thread", "other_tid");
  j.Key("other_scope").String(c.other_scope);
  j.Key("self").Bool(c.self);
  j.Key("confidence").Int(c.confidence);
  j.Key("busy_threads").Double(c.busy_threads);
  j.Key("chain").BeginArray();
  for (const analysis::BlameHop& h : c.chain) {
    j.BeginObject();
    j.Key("via").String(analysis::CauseKindKey(h.via));
    j.Key("what").String(h.what);
    j.Key("object_id").Uint(h.object_id);
    ThreadKeys(j, m, h.thread, "thread", "tid");
    j.Key("scope").String(h.scope);
    j.Key("hold_cut").Bool(h.hold_cut);
    j.Key("confidence").Int(h.confidence);
    j.EndObject();
  }
  j.EndArray();
  j.Key("root");
  if (c.chain.empty() && c.root.end == analysis::BlameEnd::kRoot) {
    j.Null();
  } else {
    j.BeginObject();
    ThreadKeys(j, m, c.root.thread, "thread", "tid");
    j.Key("state").String(analysis::StateKey(c.root.state));
    j.Key("kind").String(analysis::CauseKindKey(c.root.kind));
    j.Key("what").String(c.root.what);
    j.Key("scope").String(c.root.scope);
    j.Key("end").String(BlameEndKey(c.root.end));
    j.EndObject();
  }
  j.EndObject();
}

void WhyJson(JsonWriter& j, const analysis::Model& m, const analysis::WhyReport& r,
             const std::string& threshold_label) {
  j.BeginObject();
  j.Key("scope").String(r.scope);
  j.Key("instances").Uint(r.count);
  j.Key("cut_instances").Uint(r.cut);
  j.Key("cut_by_lost_data").Uint(r.cut_by_loss);
  j.Key("threshold").String(threshold_label);
  j.Key("threshold_ns").Int(r.threshold_ns);
  j.Key("above").Uint(r.above);
  j.Key("explained").Uint(r.explained);
  j.Key("total_ns").Int(r.total_ns);
  j.Key("states").BeginObject();
  StateKeys(j, r.states);
  j.EndObject();
  j.Key("causes").BeginArray();
  for (const analysis::WhyCause& w : r.causes) {
    j.BeginObject();
    j.Key("summary").String(w.key);
    j.Key("duration_ns").Int(w.duration_ns);
    j.Key("fraction").Double(w.fraction);
    j.Key("instances").Uint(w.instances);
    j.Key("example");
    CauseJson(j, m, w.sample, w.sample.duration_ns);
    j.Key("roots").BeginArray();
    for (const analysis::WhyRoot& x : w.roots) {
      j.BeginObject().Key("root").String(x.root).Key("duration_ns").Int(x.duration_ns);
      j.Key("fraction")
          .Double(r.total_ns > 0 ? static_cast<double>(x.duration_ns) / r.total_ns : 0);
      j.EndObject();
    }
    j.EndArray();
    j.Key("examples").BeginArray();
    for (const analysis::WhyExample& e : w.examples) {
      const analysis::ThreadModel& t = m.threads[e.instance.ref.thread];
      j.BeginObject();
      j.Key("thread").String(t.name).Key("tid").Int(t.tid);
      j.Key("start_ns").Int(e.instance.begin_ns);
      j.Key("offset_ns").Int(e.instance.begin_ns - m.start_ns);
      j.Key("wall_ns").Int(e.instance.duration_ns);
      j.Key("part_ns").Int(e.part_ns);
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
}

std::string WhyText(const analysis::Model& m, const analysis::WhyReport& r,
                    const std::string& threshold_label, size_t top) {
  std::string s = absl::StrFormat(
      "%s: %d of %d instances at or above %s (%s)%s, total %s\n", r.scope, r.above, r.count,
      threshold_label, FormatDuration(r.threshold_ns),
      r.explained < r.above ? absl::StrCat(", the slowest ", r.explained, " explained") : "",
      FormatDuration(r.total_ns));
  if (r.cut != 0) absl::StrAppend(&s, "  (", CutNote(r.cut, r.cut_by_loss), ")\n");
  for (size_t i = 0; i < r.causes.size() && i < top; ++i) {
    const analysis::WhyCause& w = r.causes[i];
    absl::StrAppend(&s, absl::StrFormat("  %5.1f%%  %11s  %s\n", 100.0 * w.fraction,
                                        FormatDuration(w.duration_ns), w.key));
    if (!w.roots.empty()) {
      std::string roots;
      for (const analysis::WhyRoot& x : w.roots) {
        const double pct = r.total_ns > 0 ? 100.0 * x.duration_ns / r.total_ns : 0.0;
        absl::StrAppend(&roots, roots.empty() ? "" : "; ", absl::StrFormat("%.1f%% ", pct), x.root);
      }
      absl::StrAppend(&s, "          ends: ", roots, "\n");
    }
    std::string ex;
    for (const analysis::WhyExample& e : w.examples) {
      absl::StrAppend(&ex, ex.empty() ? "" : ", ", FormatOffset(e.instance.begin_ns, m.start_ns),
                      " on ", m.ThreadLabel(e.instance.ref.thread), " (", FormatDuration(e.part_ns),
                      " of ", FormatDuration(e.instance.duration_ns), ")");
    }
    absl::StrAppend(&s, absl::StrFormat("          in %d instance%s, e.g. %s\n", w.instances,
                                        w.instances == 1 ? "" : "s", ex));
  }
  if (r.causes.size() > top) {
    int64_t rest = 0;
    for (size_t i = top; i < r.causes.size(); ++i) rest += r.causes[i].duration_ns;
    absl::StrAppend(&s, absl::StrFormat("  %5.1f%%  %11s  %d other causes\n",
                                        r.total_ns > 0 ? 100.0 * rest / r.total_ns : 0.0,
                                        FormatDuration(rest), r.causes.size() - top));
  }
  return s;
}

}  // namespace tracelane::cli
