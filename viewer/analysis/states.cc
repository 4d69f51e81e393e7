#include "viewer/analysis/states.h"

#include <algorithm>

namespace tracelane::analysis {

const char* StateKey(ThreadState s) {
  switch (s) {
    case ThreadState::kRunning:
      return "running";
    case ThreadState::kRunnable:
      return "runnable";
    case ThreadState::kLockWait:
      return "lock_wait";
    case ThreadState::kCondvarWait:
      return "condvar_wait";
    case ThreadState::kIoWait:
      return "io_wait";
    case ThreadState::kSleep:
      return "sleep";
    case ThreadState::kSyscall:
      return "syscall";
    case ThreadState::kPaused:
      return "paused";
    case ThreadState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

const char* StateLabel(ThreadState s) {
  switch (s) {
    case ThreadState::kRunning:
      return "running";
    case ThreadState::kRunnable:
      return "runnable";
    case ThreadState::kLockWait:
      return "lock wait";
    case ThreadState::kCondvarWait:
      return "condvar wait";
    case ThreadState::kIoWait:
      return "io wait";
    case ThreadState::kSleep:
      return "sleep";
    case ThreadState::kSyscall:
      return "syscall";
    case ThreadState::kPaused:
      return "paused";
    case ThreadState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

ThreadState StateOfBlock(format::BlockKind kind) {
  switch (kind) {
    case format::BlockKind::kIo:
    case format::BlockKind::kNetwork:
      return ThreadState::kIoWait;
    case format::BlockKind::kSleep:
      return ThreadState::kSleep;
    case format::BlockKind::kSyscall:
      return ThreadState::kSyscall;
    case format::BlockKind::kCondvar:
      return ThreadState::kCondvarWait;
    case format::BlockKind::kUser:
      return ThreadState::kUnknown;
  }
  return ThreadState::kUnknown;
}

int StatePrecedence(ThreadState s) {
  switch (s) {
    case ThreadState::kPaused:
      return 8;
    case ThreadState::kLockWait:
      return 7;
    case ThreadState::kCondvarWait:
      return 6;
    case ThreadState::kIoWait:
      return 5;
    case ThreadState::kSleep:
      return 4;
    case ThreadState::kSyscall:
      return 3;
    case ThreadState::kRunnable:
      return 2;
    case ThreadState::kUnknown:
      return 1;
    case ThreadState::kRunning:
      return 0;
  }
  return 0;
}

ThreadState StateTracker::Current() const {
  if (counts_[kPause] > 0) return ThreadState::kPaused;
  if (counts_[kLock] > 0) return ThreadState::kLockWait;
  if (counts_[kCondvar] > 0) return ThreadState::kCondvarWait;
  if (counts_[kIo] > 0) return ThreadState::kIoWait;
  if (counts_[kSleep] > 0) return ThreadState::kSleep;
  if (counts_[kSyscall] > 0) return ThreadState::kSyscall;
  if (off_cpu_ == OffCpu::kPreempted) return ThreadState::kRunnable;
  if (counts_[kUserBlock] > 0 || off_cpu_ == OffCpu::kVoluntary) return ThreadState::kUnknown;
  return ThreadState::kRunning;
}

void AppendState(PodVector<StateSpan>* spans, int64_t t, ThreadState state) {
  if (!spans->empty()) {
    StateSpan& last = spans->back();
    if (last.state == state) return;
    if (last.start_ns >= t) {  // zero-length last span: replace it
      last.state = state;
      if (spans->size() >= 2 && (*spans)[spans->size() - 2].state == state) spans->pop_back();
      return;
    }
  }
  spans->push_back(StateSpan{t, state});
}

PodVector<StateSpan> Overlay(const PodVector<StateSpan>& base, int64_t end_ns,
                             std::vector<StateOverlay> overlays) {
  if (base.empty()) return base;
  const int64_t begin_ns = base.front().start_ns;
  struct Point {
    int64_t t;
    ThreadState state;
    int delta;
  };
  std::vector<Point> points;
  points.reserve(overlays.size() * 2);
  for (const StateOverlay& o : overlays) {
    const int64_t a = std::max(o.start_ns, begin_ns), b = std::min(o.end_ns, end_ns);
    if (a >= b) continue;
    points.push_back({a, o.state, +1});
    points.push_back({b, o.state, -1});
  }
  if (points.empty()) return base;
  std::sort(points.begin(), points.end(), [](const Point& x, const Point& y) { return x.t < y.t; });

  std::array<int, kNumStates> active{};
  const auto best_overlay = [&]() {
    int best = -1;
    ThreadState s = ThreadState::kRunning;
    for (int i = 0; i < kNumStates; ++i) {
      const auto st = static_cast<ThreadState>(i);
      if (active[i] > 0 && StatePrecedence(st) > best) {
        best = StatePrecedence(st);
        s = st;
      }
    }
    return std::make_pair(best, s);
  };
  PodVector<StateSpan> out;
  out.reserve(base.size() + points.size());
  size_t i = 0, p = 0;
  int64_t t = begin_ns;
  std::pair<int, ThreadState> over{-1, ThreadState::kRunning};
  while (t < end_ns) {
    while (p < points.size() && points[p].t <= t) {
      active[static_cast<int>(points[p].state)] += points[p].delta;
      ++p;
      over = best_overlay();
    }
    while (i + 1 < base.size() && base[i + 1].start_ns <= t) ++i;
    int64_t next = i + 1 < base.size() ? base[i + 1].start_ns : end_ns;
    if (p < points.size()) next = std::min(next, points[p].t);
    const ThreadState b = base[i].state;
    AppendState(&out, t, over.first > StatePrecedence(b) ? over.second : b);
    t = next;
  }
  return out;
}

PodVector<StateSpan> SpreadSchedSamples(const PodVector<StateSpan>& base, int64_t end_ns,
                                        const PodVector<SchedSample>& samples) {
  if (base.empty() || samples.empty()) return base;
  const int64_t begin_ns = base.front().start_ns;
  PodVector<StateSpan> out;
  out.reserve(base.size() + samples.size() * 6);
  size_t i = 0;  // base span containing the cursor
  const auto span_end = [&](size_t k) {
    return k + 1 < base.size() ? base[k + 1].start_ns : end_ns;
  };
  // Copies base spans over [from, to) unchanged.
  const auto copy = [&](int64_t from, int64_t to) {
    while (from < to) {
      while (span_end(i) <= from) ++i;
      AppendState(&out, from, base[i].state);
      from = std::min(to, span_end(i));
    }
  };
  int64_t prev = begin_ns;
  for (const SchedSample& s : samples) {
    const int64_t a = std::max(prev, begin_ns), c = std::min(s.ts_ns, end_ns);
    prev = std::max(prev, s.ts_ns);
    if (a >= c) continue;
    // Running time F inside [a, c).
    int64_t running = 0;
    {
      size_t k = i;
      while (span_end(k) <= a) ++k;
      for (; k < base.size() && base[k].start_ns < c; ++k) {
        if (base[k].state != ThreadState::kRunning) continue;
        running += std::min(c, span_end(k)) - std::max(a, base[k].start_ns);
      }
    }
    const int64_t len = c - a;
    const int64_t explicit_ns = len - running;
    double run = std::max<int64_t>(0, s.run_ns), wait = std::max<int64_t>(0, s.wait_ns);
    if (run + wait > static_cast<double>(len)) {
      const double scale = static_cast<double>(len) / (run + wait);
      run *= scale;
      wait *= scale;
    }
    const int64_t r_total = std::min<int64_t>(running, static_cast<int64_t>(wait + 0.5));
    const int64_t off = std::max<int64_t>(
        0, static_cast<int64_t>(static_cast<double>(len) - run - wait + 0.5) - explicit_ns);
    const int64_t u_total = std::min<int64_t>(off, running - r_total);
    if (running == 0 || (r_total == 0 && u_total == 0)) {
      copy(a, c);
      continue;
    }
    int64_t x = 0;  // Running time consumed so far in this interval
    const auto share = [&](int64_t total, int64_t at) {
      return static_cast<int64_t>(static_cast<__int128>(total) * at / running);
    };
    int64_t t = a;
    while (t < c) {
      while (span_end(i) <= t) ++i;
      const int64_t e = std::min(c, span_end(i));
      if (base[i].state != ThreadState::kRunning) {
        AppendState(&out, t, base[i].state);
      } else {
        const int64_t gap = e - t;
        const int64_t r = share(r_total, x + gap) - share(r_total, x);
        const int64_t u = std::min(gap - r, share(u_total, x + gap) - share(u_total, x));
        const int64_t run_part = gap - r - u;
        if (run_part > 0) AppendState(&out, t, ThreadState::kRunning);
        if (r > 0) AppendState(&out, t + run_part, ThreadState::kRunnable);
        if (u > 0) AppendState(&out, t + run_part + r, ThreadState::kUnknown);
        x += gap;
      }
      t = e;
    }
  }
  if (prev < end_ns) copy(std::max(prev, begin_ns), end_ns);
  return out;
}

}  // namespace tracelane::analysis
