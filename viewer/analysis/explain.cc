#include "viewer/analysis/explain.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tracelane::analysis {
namespace {

// State spans the blame walk may visit for one instance before it stops
// following chains (BlameEnd::kDepthLimit): bounds Explain on pathological traces.
constexpr int64_t kBlameBudget = int64_t{1} << 18;

CauseKind KindOf(ThreadState s) {
  switch (s) {
    case ThreadState::kLockWait:
      return CauseKind::kLockWait;
    case ThreadState::kCondvarWait:
      return CauseKind::kCondvarWait;
    case ThreadState::kIoWait:
      return CauseKind::kIoWait;
    case ThreadState::kSleep:
      return CauseKind::kSleep;
    case ThreadState::kSyscall:
      return CauseKind::kSyscall;
    case ThreadState::kPaused:
      return CauseKind::kPause;
    case ThreadState::kRunnable:
      return CauseKind::kRunnable;
    case ThreadState::kRunning:
      return CauseKind::kRunning;
    default:
      return CauseKind::kUnknown;
  }
}

// Traced threads running or runnable at `x` (with scheduler data). O(threads log n).
int BusyThreads(const Model& m, int64_t x) {
  int n = 0;
  for (const ThreadModel& t : m.threads) {
    if (t.states.empty() || x < t.life_start_ns || x >= t.life_end_ns) continue;
    const ThreadState s = t.states[t.StateIndexAt(x)].state;
    n += s == ThreadState::kRunning || s == ThreadState::kRunnable;
  }
  return n;
}

// Causes being merged, with the weights of their busy-thread samples.
struct Acc {
  Cause c;
  double busy_sum = 0;
  int64_t busy_ns = 0;
};

class Merger {
 public:
  explicit Merger(const Model& m) : m_(m) {}

  void Add(Cause c, int64_t x, int64_t y, bool runnable_root) {
    std::string key = absl::StrCat(static_cast<int>(c.kind), "|", c.what, "|", c.object_id, "|",
                                   c.other_thread, "|", c.other_scope, "|", c.self);
    for (const BlameHop& h : c.chain) {
      absl::StrAppend(&key, "|", static_cast<int>(h.via), ",", h.object_id, ",", h.thread, ",",
                      h.scope, ",", h.hold_cut, ",", h.confidence);
    }
    absl::StrAppend(&key, "|", c.root.thread, ",", static_cast<int>(c.root.state), ",",
                    static_cast<int>(c.root.kind), ",", c.root.what, ",", c.root.scope, ",",
                    static_cast<int>(c.root.end));
    c.first_ns = x;
    auto [it, inserted] = acc_.try_emplace(std::move(key), Acc{std::move(c)});
    Acc& a = it->second;
    a.c.duration_ns += y - x;
    ++a.c.count;
    a.c.first_ns = std::min(a.c.first_ns, x);
    if (runnable_root && m_.scheduler != SchedulerSource::kNone) {
      a.busy_sum += static_cast<double>(BusyThreads(m_, x + (y - x) / 2)) * (y - x);
      a.busy_ns += y - x;
    }
  }

  std::vector<Cause> Take() {
    std::vector<Cause> out;
    out.reserve(acc_.size());
    for (auto& [k, a] : acc_) {
      if (a.busy_ns > 0) a.c.busy_threads = a.busy_sum / a.busy_ns;
      out.push_back(std::move(a.c));
    }
    SortParts(&out);
    return out;
  }

  static void SortParts(std::vector<Cause>* v) {
    std::stable_sort(v->begin(), v->end(), [](const Cause& a, const Cause& c) {
      if (a.duration_ns != c.duration_ns) return a.duration_ns > c.duration_ns;
      return a.first_ns < c.first_ns;
    });
  }

 private:
  const Model& m_;
  std::map<std::string, Acc> acc_;
};

// The cause of one piece of a blame walk.
Cause CauseOfSegment(const Model& m, ThreadState state, const BlameSegment& s) {
  Cause c{KindOf(state), "", 0, kNone, "", 0, 0, 0};
  const BlameHopRaw& h0 = s.hops.front();
  c.what = h0.condvar ? m.CondName(h0.object_id) : m.LockName(h0.object_id);
  c.object_id = h0.object_id;
  c.other_thread = h0.thread;
  if (h0.thread != kNone) c.other_scope = m.ScopeName(h0.thread, h0.scope);
  for (const BlameHopRaw& h : s.hops) {
    if (h.thread == kNone) continue;
    c.chain.push_back(BlameHop{h.condvar ? CauseKind::kCondvarWait : CauseKind::kLockWait,
                               h.condvar ? m.CondName(h.object_id) : m.LockName(h.object_id),
                               h.object_id, h.thread, m.ScopeName(h.thread, h.scope), h.hold_cut,
                               h.confidence});
  }
  c.root.thread = s.root_thread;
  c.root.state = s.root_state;
  c.root.end = s.end;
  if (s.root_thread == kNone) {
    c.root.kind = c.kind;
    return c;
  }
  if (s.root_state == ThreadState::kRunning) {
    c.root.kind = CauseKind::kRunning;
  } else {
    const Cause r = CauseAt(m, s.root_thread, s.root_state, s.root_at);
    c.root.kind = r.kind;
    c.root.what = r.what;
  }
  c.root.scope =
      m.ScopeName(s.root_thread, ScopeOver(m.threads[s.root_thread], s.start_ns, s.end_ns));
  return c;
}

// Running time of the instance split by its innermost scope (self and descendants).
void SplitRunning(const Model& m, const ScopeInstance& inst, Merger* out) {
  const ThreadModel& t = m.threads[inst.ref.thread];
  const uint32_t i = inst.ref.index;
  const int64_t b = inst.begin_ns, e = inst.begin_ns + inst.duration_ns;
  if (i >= t.scopes.size() || t.states.empty() || b >= e) return;
  // Partition [b, e) into runs of the innermost scope (preorder sweep).
  struct Run {
    int64_t a, b;
    uint32_t scope;
  };
  std::vector<Run> runs;
  const auto emit = [&](int64_t x, int64_t y, uint32_t s) {
    if (y > x) runs.push_back(Run{x, y, s});
  };
  std::vector<uint32_t> stack{i};
  int64_t cur = b;
  for (uint32_t k = i + 1; k < t.scopes.size() && t.scopes[k].begin_ns < e; ++k) {
    const int64_t sb = std::max(t.scopes[k].begin_ns, b);
    while (stack.size() > 1 && t.scopes[stack.back()].end_ns <= sb) {
      const int64_t end = std::min(t.scopes[stack.back()].end_ns, e);
      emit(cur, end, stack.back());
      cur = std::max(cur, end);
      stack.pop_back();
    }
    emit(cur, sb, stack.back());
    cur = std::max(cur, sb);
    stack.push_back(k);
  }
  while (!stack.empty()) {
    const int64_t end = stack.size() == 1 ? e : std::min(t.scopes[stack.back()].end_ns, e);
    emit(cur, end, stack.back());
    cur = std::max(cur, end);
    stack.pop_back();
  }
  size_t r = 0;
  for (size_t s = t.StateIndexAt(b); s < t.states.size() && t.states[s].start_ns < e; ++s) {
    if (t.states[s].state != ThreadState::kRunning) continue;
    const int64_t x = std::max(b, t.states[s].start_ns), y = std::min(e, t.StateEnd(s));
    while (r < runs.size() && runs[r].b <= x) ++r;
    for (size_t q = r; q < runs.size() && runs[q].a < y; ++q) {
      const int64_t p = std::max(x, runs[q].a), z = std::min(y, runs[q].b);
      if (z <= p) continue;
      const uint32_t loc = t.scopes[runs[q].scope].location;
      Cause c{CauseKind::kRunning, m.LocationName(loc), loc, kNone, "", 0, 0, 0};
      c.self = runs[q].scope == i;
      out->Add(std::move(c), p, z, false);
    }
  }
}

}  // namespace

int CaptureCpus(const Model& m) {
  int n = 0;
  return absl::SimpleAtoi(m.info.Property("cpus"), &n) && n > 0 ? n : 0;
}

Cause CauseAt(const Model& m, uint32_t thread, ThreadState st, int64_t x) {
  const ThreadModel& t = m.threads[thread];
  Cause c{KindOf(st), "", 0, kNone, "", 0, 0, 0};
  switch (st) {
    case ThreadState::kLockWait:
      if (const LockWait* w =
              LatestCovering(t.lock_waits, x, [](const LockWait&) { return true; })) {
        c.what = m.LockName(w->lock_id);
        c.object_id = w->lock_id;
        c.other_thread = w->holder_thread;
        c.confidence = w->confidence;
        // The holder's scope over its hold's overlap with the wait (HolderScopeOverWait).
        if (w->holder_thread != kNone)
          c.other_scope = m.ScopeName(w->holder_thread, w->holder_scope);
      }
      break;
    case ThreadState::kCondvarWait:
      if (const CondWait* w =
              LatestCovering(t.cond_waits, x, [](const CondWait&) { return true; })) {
        c.what = m.CondName(w->cond_id);
        c.object_id = w->cond_id;
        c.other_thread = w->notifier_thread;
      } else if (const Block* k = LatestCovering(t.blocks, x, [](const Block& k) {
                   return StateOfBlock(k.kind) == ThreadState::kCondvarWait;
                 })) {
        c.what = m.LocationName(k->location);
      }
      break;
    case ThreadState::kUnknown:
      if (const DataGap* g = t.GapAt(x)) {
        c.kind = CauseKind::kDataLost;
        c.object_id = g->events_known ? g->lost_events : 0;
        break;
      }
      [[fallthrough]];
    case ThreadState::kIoWait:
    case ThreadState::kSleep:
    case ThreadState::kSyscall:
      if (const Block* k = LatestCovering(
              t.blocks, x, [st](const Block& k) { return StateOfBlock(k.kind) == st; })) {
        c.what = m.LocationName(k->location);
      }
      break;
    case ThreadState::kPaused:
      if (const StwSpan* s = LatestCovering(m.stw, x, [](const StwSpan&) { return true; })) {
        c.kind = CauseKind::kStopTheWorld;
        c.what = m.LocationName(s->location);
        c.other_thread = s->thread;
      } else if (const Pause* p = LatestCovering(t.pauses, x, [](const Pause&) { return true; })) {
        c.what = m.LocationName(p->location);
      }
      break;
    default:
      break;
  }
  return c;
}

Explanation Explain(const Model& m, const ScopeInstance& instance) {
  Explanation ex;
  ex.instance = instance;
  ex.scope = m.ScopeName(instance.ref.thread, instance.ref.index);
  const ThreadModel& t = m.threads[instance.ref.thread];
  const int64_t b = instance.begin_ns, e = instance.begin_ns + instance.duration_ns;
  ex.states = StatesIn(t, b, e);
  if (t.states.empty() || b >= e) return ex;
  Merger causes(m);
  int64_t budget = kBlameBudget;
  std::vector<BlameSegment> segments;
  for (size_t i = t.StateIndexAt(b); i < t.states.size() && t.states[i].start_ns < e; ++i) {
    const ThreadState st = t.states[i].state;
    const int64_t x = std::max(b, t.states[i].start_ns), y = std::min(e, t.StateEnd(i));
    if (y <= x || st == ThreadState::kRunning) continue;
    segments.clear();
    if ((st == ThreadState::kLockWait || st == ThreadState::kCondvarWait) &&
        FollowWait(m, instance.ref.thread, st, x, y, &budget, &segments)) {
      const Cause own = CauseAt(m, instance.ref.thread, st, x);
      for (const BlameSegment& s : segments) {
        Cause c = CauseOfSegment(m, st, s);
        c.confidence = own.confidence;
        // A runnable root, or a hand-off (the next holder's wake-up): CPU context.
        const bool sched = s.root_state == ThreadState::kRunnable || s.end == BlameEnd::kHandoff;
        causes.Add(std::move(c), s.start_ns, s.end_ns, sched);
      }
      continue;
    }
    Cause c = CauseAt(m, instance.ref.thread, st, x);
    if (st == ThreadState::kRunnable) {
      // Which of the instance's scopes was waiting for a CPU.
      c.what = m.ScopeName(instance.ref.thread, t.InnermostScopeAt(x));
    }
    causes.Add(std::move(c), x, y, st == ThreadState::kRunnable);
  }
  ex.causes = causes.Take();
  Merger running(m);
  SplitRunning(m, instance, &running);
  ex.running = running.Take();
  ex.parts = ex.causes;
  ex.parts.insert(ex.parts.end(), ex.running.begin(), ex.running.end());
  Merger::SortParts(&ex.parts);
  return ex;
}

}  // namespace tracelane::analysis
