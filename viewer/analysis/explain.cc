#include "viewer/analysis/explain.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace tracelane::analysis {
namespace {

// The latest span of `v` (sorted by start) with start <= x < end that satisfies
// `pred`, looking back at most 256 spans; nullptr if none.
template <typename T, typename Pred>
const T* Covering(const std::vector<T>& v, int64_t x, Pred pred) {
  auto it =
      std::upper_bound(v.begin(), v.end(), x, [](int64_t t, const T& s) { return t < s.start_ns; });
  for (int n = 0; it != v.begin() && n < 256; ++n) {
    --it;
    if (it->end_ns > x && pred(*it)) return &*it;
  }
  return nullptr;
}

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
    default:
      return CauseKind::kUnknown;
  }
}

}  // namespace

const char* CauseKindKey(CauseKind k) {
  switch (k) {
    case CauseKind::kLockWait:
      return "lock_wait";
    case CauseKind::kCondvarWait:
      return "condvar_wait";
    case CauseKind::kIoWait:
      return "io_wait";
    case CauseKind::kSleep:
      return "sleep";
    case CauseKind::kSyscall:
      return "syscall";
    case CauseKind::kPause:
      return "pause";
    case CauseKind::kStopTheWorld:
      return "stop_the_world";
    case CauseKind::kRunnable:
      return "runnable";
    case CauseKind::kUnknown:
      return "unknown";
    case CauseKind::kDataLost:
      return "data_lost";
  }
  return "unknown";
}

Cause CauseAt(const Model& m, uint32_t thread, ThreadState st, int64_t x) {
  const ThreadModel& t = m.threads[thread];
  Cause c{KindOf(st), "", 0, kNone, "", 0, 0, 0};
  switch (st) {
    case ThreadState::kLockWait:
      if (const LockWait* w = Covering(t.lock_waits, x, [](const LockWait&) { return true; })) {
        c.what = m.LockName(w->lock_id);
        c.object_id = w->lock_id;
        c.other_thread = w->holder_thread;
        if (w->holder_thread != kNone)
          c.other_scope = m.ScopeName(w->holder_thread, w->holder_scope);
      }
      break;
    case ThreadState::kCondvarWait:
      if (const CondWait* w = Covering(t.cond_waits, x, [](const CondWait&) { return true; })) {
        c.what = m.CondName(w->cond_id);
        c.object_id = w->cond_id;
        c.other_thread = w->notifier_thread;
      } else if (const Block* k = Covering(t.blocks, x, [](const Block& k) {
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
      if (const Block* k =
              Covering(t.blocks, x, [st](const Block& k) { return StateOfBlock(k.kind) == st; })) {
        c.what = m.LocationName(k->location);
      }
      break;
    case ThreadState::kPaused:
      if (const StwSpan* s = Covering(m.stw, x, [](const StwSpan&) { return true; })) {
        c.kind = CauseKind::kStopTheWorld;
        c.what = m.LocationName(s->location);
        c.other_thread = s->thread;
      } else if (const Pause* p = Covering(t.pauses, x, [](const Pause&) { return true; })) {
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
  using Key = std::tuple<int, std::string, uint64_t, uint32_t, std::string>;
  std::map<Key, Cause> causes;
  if (t.states.empty() || b >= e) return ex;
  for (size_t i = t.StateIndexAt(b); i < t.states.size() && t.states[i].start_ns < e; ++i) {
    const ThreadState st = t.states[i].state;
    const int64_t x = std::max(b, t.states[i].start_ns), y = std::min(e, t.StateEnd(i));
    if (y <= x || st == ThreadState::kRunning) continue;
    Cause c = CauseAt(m, instance.ref.thread, st, x);
    c.first_ns = x;
    Key key{static_cast<int>(c.kind), c.what, c.object_id, c.other_thread, c.other_scope};
    auto [it, inserted] = causes.try_emplace(key, c);
    it->second.duration_ns += y - x;
    ++it->second.count;
  }
  for (auto& [k, c] : causes) ex.causes.push_back(std::move(c));
  std::stable_sort(ex.causes.begin(), ex.causes.end(), [](const Cause& a, const Cause& c) {
    if (a.duration_ns != c.duration_ns) return a.duration_ns > c.duration_ns;
    return a.first_ns < c.first_ns;
  });
  return ex;
}

std::string CauseLabel(const Cause& c) {
  std::string label;
  switch (c.kind) {
    case CauseKind::kLockWait:
      label = "lock wait";
      break;
    case CauseKind::kCondvarWait:
      label = "condvar wait";
      break;
    case CauseKind::kIoWait:
      label = "io wait";
      break;
    case CauseKind::kSleep:
      label = "sleep";
      break;
    case CauseKind::kSyscall:
      label = "syscall";
      break;
    case CauseKind::kPause:
      label = "pause";
      break;
    case CauseKind::kStopTheWorld:
      label = "stop-the-world";
      break;
    case CauseKind::kRunnable:
      return "runnable";
    case CauseKind::kUnknown:
      label = "unknown";
      break;
    case CauseKind::kDataLost:
      return "data lost";
  }
  return c.what.empty() ? label : absl::StrCat(label, ": ", c.what);
}

std::string DescribeCause(const Model& m, const Cause& c) {
  const auto quoted = [](const std::string& s) { return absl::StrCat("\"", s, "\""); };
  switch (c.kind) {
    case CauseKind::kLockWait:
      return absl::StrCat("lock wait on ", quoted(c.what.empty() ? "unknown lock" : c.what),
                          c.other_thread == kNone
                              ? std::string(", holder unknown")
                              : absl::StrCat(" held by ", m.ThreadLabel(c.other_thread), " in ",
                                             quoted(c.other_scope)));
    case CauseKind::kCondvarWait:
      return absl::StrCat("condvar wait on ", quoted(c.what.empty() ? "unknown condvar" : c.what),
                          c.other_thread == kNone
                              ? std::string()
                              : absl::StrCat(", notified by ", m.ThreadLabel(c.other_thread)));
    case CauseKind::kIoWait:
      return absl::StrCat("io wait in ", quoted(c.what));
    case CauseKind::kSleep:
      return absl::StrCat("sleep in ", quoted(c.what));
    case CauseKind::kSyscall:
      return absl::StrCat("syscall in ", quoted(c.what));
    case CauseKind::kPause:
      return absl::StrCat("pause ", quoted(c.what.empty() ? "unknown" : c.what));
    case CauseKind::kStopTheWorld:
      return absl::StrCat("stop-the-world ", quoted(c.what), " by ", m.ThreadLabel(c.other_thread));
    case CauseKind::kRunnable:
      return absl::StrCat("scheduler wait (runnable), ", c.count,
                          c.count == 1 ? " time" : " times");
    case CauseKind::kUnknown:
      return c.what.empty() ? std::string("off-CPU, reason unknown")
                            : absl::StrCat("blocked in ", quoted(c.what));
    case CauseKind::kDataLost:
      return c.object_id == 0 ? std::string("events lost (nothing is known about this time)")
                              : absl::StrCat("events lost (", c.object_id,
                                             " events; nothing is known about this time)");
  }
  return "unknown";
}

}  // namespace tracelane::analysis
