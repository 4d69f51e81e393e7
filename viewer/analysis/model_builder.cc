#include "viewer/analysis/model_builder.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tracelane::analysis::internal {
namespace {

using format::EventType;

StateTracker::Counter CounterOf(format::BlockKind kind) {
  switch (kind) {
    case format::BlockKind::kIo:
    case format::BlockKind::kNetwork:
      return StateTracker::kIo;
    case format::BlockKind::kSleep:
      return StateTracker::kSleep;
    case format::BlockKind::kSyscall:
      return StateTracker::kSyscall;
    case format::BlockKind::kCondvar:
      return StateTracker::kCondvar;
    case format::BlockKind::kUser:
      return StateTracker::kUserBlock;
  }
  return StateTracker::kUserBlock;
}

format::BlockKind KindFromArg(const reader::Event& e) {
  if (!e.has_arg || e.arg < 1 || e.arg > 6) return format::BlockKind::kUser;
  return static_cast<format::BlockKind>(e.arg);
}

// Index of the last element of `v` whose key matches, searching from the back; -1 if none.
template <typename T, typename Key>
int FindLast(const std::vector<T>& v, Key key) {
  for (int i = static_cast<int>(v.size()) - 1; i >= 0; --i) {
    if (v[i].id == key) return i;
  }
  return -1;
}

template <typename T>
void SortByStart(std::vector<T>& v) {
  const auto less = [](const T& a, const T& b) { return a.start_ns < b.start_ns; };
  if (!std::is_sorted(v.begin(), v.end(), less)) std::stable_sort(v.begin(), v.end(), less);
}

}  // namespace

void ModelBuilder::AddBlock(const reader::Trace& tables, uint32_t thread,
                            const std::vector<reader::Event>& events) {
  if (!have_tables_) {
    capture_start_ = tables.capture_start_ns;
    capture_end_ = tables.capture_end_ns;
    have_tables_ = true;
  }
  if (threads_.size() < tables.threads.size()) threads_.resize(tables.threads.size());
  if (events.empty()) return;
  ThreadBuilder& b = threads_[thread];
  if (!b.started) Start(b, tables.threads[thread], events.front().ts_ns);
  for (const reader::Event& e : events) OnEvent(b, thread, e);
}

void ModelBuilder::Start(ThreadBuilder& b, const reader::Thread& t, int64_t first_ts) {
  const int64_t nominal = t.start_ns > 0 ? std::max(capture_start_, t.start_ns) : capture_start_;
  b.m.life_start_ns = std::min(nominal, first_ts);
  b.m.states.push_back(StateSpan{b.m.life_start_ns, ThreadState::kRunning});
  b.last_ts = b.m.life_start_ns;
  b.started = true;
}

void ModelBuilder::OnEvent(ThreadBuilder& b, uint32_t thread, const reader::Event& e) {
  // Per-thread time is monotonic; a rare backwards step (clock glitch) is clamped.
  const int64_t ts = std::max(e.ts_ns, b.last_ts);
  b.last_ts = ts;
  ++b.m.events;
  const int64_t life_start = b.m.life_start_ns;
  ThreadModel& m = b.m;
  switch (e.type) {
    case EventType::kScopeBegin: {
      const uint32_t parent = b.scope_stack.empty() ? kNone : b.scope_stack.back();
      b.scope_stack.push_back(static_cast<uint32_t>(m.scopes.size()));
      m.scopes.push_back(Scope{ts, INT64_MIN, static_cast<uint32_t>(e.payload), parent});
      return;
    }
    case EventType::kScopeEnd: {
      const auto loc = static_cast<uint32_t>(e.payload);
      int j = static_cast<int>(b.scope_stack.size()) - 1;
      while (j >= 0 && m.scopes[b.scope_stack[j]].location != loc) --j;
      if (j >= 0) {
        // Scopes above the match lost their end events; they end here too.
        unmatched_ += b.scope_stack.size() - 1 - j;
        while (static_cast<int>(b.scope_stack.size()) > j) {
          m.scopes[b.scope_stack.back()].end_ns = ts;
          b.scope_stack.pop_back();
        }
      } else if (b.scope_stack.empty()) {
        b.cut_ends.emplace_back(ts, loc);  // began before the capture window
      } else {
        ++unmatched_;  // its begin was lost mid-trace: ignore it
      }
      return;
    }
    case EventType::kInstant:
      m.instants.push_back(Instant{ts, static_cast<uint32_t>(e.payload)});
      return;
    case EventType::kCounter:
      counters_[static_cast<uint32_t>(e.payload)].push_back(
          CounterPoint{ts, e.has_arg ? std::bit_cast<double>(e.arg) : 0.0, thread});
      return;
    case EventType::kThreadStart:
      return;
    case EventType::kThreadExit:
      b.exit_event_ns = ts;
      return;
    case EventType::kBlockBegin: {
      const format::BlockKind kind = KindFromArg(e);
      b.open_blocks.push_back(OpenSpan{e.payload, ts, static_cast<int64_t>(kind)});
      block_kinds_.try_emplace(static_cast<uint32_t>(e.payload), kind);
      b.tracker.Add(CounterOf(kind), +1);
      break;
    }
    case EventType::kBlockEnd: {
      const int i = FindLast(b.open_blocks, e.payload);
      if (i >= 0) {
        const OpenSpan o = b.open_blocks[i];
        const auto kind = static_cast<format::BlockKind>(o.arg);
        m.blocks.push_back(Block{o.start, ts, static_cast<uint32_t>(o.id), kind});
        b.tracker.Add(CounterOf(kind), -1);
        b.open_blocks.erase(b.open_blocks.begin() + i);
      } else {
        b.cut_block_ends.emplace_back(ts, static_cast<uint32_t>(e.payload));
      }
      break;
    }
    case EventType::kPauseBegin:
      b.open_pauses.push_back(OpenSpan{e.payload, ts, e.has_arg ? e.arg : 0});
      b.tracker.Add(StateTracker::kPause, +1);
      break;
    case EventType::kPauseEnd: {
      const int i = FindLast(b.open_pauses, e.payload);
      if (i >= 0) {
        const OpenSpan o = b.open_pauses[i];
        m.pauses.push_back(Pause{o.start, ts, o.arg, static_cast<uint32_t>(o.id)});
        b.tracker.Add(StateTracker::kPause, -1);
        b.open_pauses.erase(b.open_pauses.begin() + i);
      } else {
        m.pauses.push_back(Pause{life_start, ts, 0, static_cast<uint32_t>(e.payload)});
        b.retro.push_back(StateOverlay{life_start, ts, ThreadState::kPaused});
      }
      break;
    }
    case EventType::kStwBegin:
      b.open_stw.push_back(OpenSpan{e.payload, ts, 0});
      return;
    case EventType::kStwEnd: {
      const int i = FindLast(b.open_stw, e.payload);
      int64_t start = life_start;
      if (i >= 0) {
        start = b.open_stw[i].start;
        b.open_stw.erase(b.open_stw.begin() + i);
      }
      stw_.push_back(StwSpan{start, ts, thread, static_cast<uint32_t>(e.payload)});
      return;
    }
    case EventType::kLockWait: {
      const uint32_t scope = b.scope_stack.empty() ? kNone : b.scope_stack.back();
      b.open_lock_waits.push_back(OpenWait{e.payload, ts, scope});
      b.tracker.Add(StateTracker::kLock, +1);
      break;
    }
    case EventType::kLockAcquired: {
      LockCounters& c = locks_[e.payload];
      ++c.acquisitions;
      const int i = FindLast(b.open_lock_waits, e.payload);
      if (i >= 0) {
        const OpenWait w = b.open_lock_waits[i];
        m.lock_waits.push_back(
            LockWait{w.start, ts, w.id, kNone, kNone, w.scope, WaitOutcome::kAcquired});
        b.lock_wait_holder_tids.push_back(e.has_arg ? e.arg : 0);
        b.open_lock_waits.erase(b.open_lock_waits.begin() + i);
        b.tracker.Add(StateTracker::kLock, -1);
        ++c.contended;
      }
      b.open_holds.push_back(OpenSpan{e.payload, ts, 0});
      break;
    }
    case EventType::kLockReleased: {
      const int i = FindLast(b.open_holds, e.payload);
      // Without its acquisition (before the capture window, or a source that only
      // reports contended releases, like abseil's hooks) a release is an instant.
      int64_t start = ts;
      if (i >= 0) {
        start = b.open_holds[i].start;
        b.open_holds.erase(b.open_holds.begin() + i);
      }
      m.lock_holds.push_back(LockHold{start, ts, e.payload});
      if (e.has_arg && e.arg == 1) ++locks_[e.payload].releases_with_waiters;
      return;
    }
    case EventType::kLockTryFailed: {
      ++locks_[e.payload].try_failed;
      const int i = FindLast(b.open_lock_waits, e.payload);
      if (i >= 0) {  // a timed wait gave up
        const OpenWait w = b.open_lock_waits[i];
        m.lock_waits.push_back(
            LockWait{w.start, ts, w.id, kNone, kNone, w.scope, WaitOutcome::kFailed});
        b.lock_wait_holder_tids.push_back(0);
        b.open_lock_waits.erase(b.open_lock_waits.begin() + i);
        b.tracker.Add(StateTracker::kLock, -1);
      }
      break;
    }
    case EventType::kCondWait: {
      const uint32_t scope = b.scope_stack.empty() ? kNone : b.scope_stack.back();
      b.open_cond_waits.push_back(OpenWait{e.payload, ts, scope});
      b.tracker.Add(StateTracker::kCondvar, +1);
      break;
    }
    case EventType::kCondWake: {
      const int i = FindLast(b.open_cond_waits, e.payload);
      int64_t start = life_start;
      if (i >= 0) {
        start = b.open_cond_waits[i].start;
        b.open_cond_waits.erase(b.open_cond_waits.begin() + i);
        b.tracker.Add(StateTracker::kCondvar, -1);
      } else {
        b.retro.push_back(StateOverlay{life_start, ts, ThreadState::kCondvarWait});
      }
      m.cond_waits.push_back(CondWait{start, ts, e.payload, kNone, WaitOutcome::kAcquired});
      b.cond_notifier_tids.push_back(e.has_arg ? e.arg : 0);
      break;
    }
    case EventType::kCondNotify:
      m.cond_notifies.push_back(CondNotify{ts, e.payload, e.has_arg && e.arg == 1});
      return;
    case EventType::kSchedOut:
      b.saw_sched = true;
      b.tracker.SetOffCpu((e.payload & format::kSchedPreempted) ? StateTracker::OffCpu::kPreempted
                                                                : StateTracker::OffCpu::kVoluntary);
      break;
    case EventType::kSchedIn:
      if (b.tracker.off_cpu() != StateTracker::OffCpu::kNo) {
        b.tracker.SetOffCpu(StateTracker::OffCpu::kNo);
      } else if (!b.saw_sched) {  // switched out before the capture window
        b.retro.push_back(StateOverlay{life_start, ts, ThreadState::kUnknown});
      }
      b.saw_sched = true;
      break;
    case EventType::kSchedStat:
      b.samples.push_back(SchedSample{ts, static_cast<int64_t>(e.payload), e.has_arg ? e.arg : 0});
      return;
    case EventType::kDataLost:
      return;
  }
  AppendState(&m.states, ts, b.tracker.Current());
}

void ModelBuilder::CloseAtEnd(ThreadBuilder& b, uint32_t thread) {
  ThreadModel& m = b.m;
  // Life end: the capture end, or the exit if earlier; never before the last event.
  int64_t end = capture_end_;
  if (b.exit_event_ns != 0) end = std::min(end, b.exit_event_ns);
  m.life_end_ns = std::max({end, b.last_ts, m.life_start_ns});
  const int64_t e = m.life_end_ns;
  // Whatever is still open closes at the end of the thread's life.
  while (!b.scope_stack.empty()) {
    m.scopes[b.scope_stack.back()].end_ns = e;
    m.cut_scopes.push_back(b.scope_stack.back());
    b.scope_stack.pop_back();
  }
  for (const OpenWait& w : b.open_lock_waits) {
    m.lock_waits.push_back(LockWait{w.start, e, w.id, kNone, kNone, w.scope, WaitOutcome::kOpen});
    b.lock_wait_holder_tids.push_back(0);
  }
  for (const OpenSpan& h : b.open_holds) m.lock_holds.push_back(LockHold{h.start, e, h.id});
  for (const OpenWait& w : b.open_cond_waits) {
    m.cond_waits.push_back(CondWait{w.start, e, w.id, kNone, WaitOutcome::kOpen});
    b.cond_notifier_tids.push_back(0);
  }
  for (const OpenSpan& o : b.open_blocks) {
    m.blocks.push_back(
        Block{o.start, e, static_cast<uint32_t>(o.id), static_cast<format::BlockKind>(o.arg)});
  }
  for (const OpenSpan& o : b.open_pauses) {
    m.pauses.push_back(Pause{o.start, e, o.arg, static_cast<uint32_t>(o.id)});
  }
  for (const OpenSpan& o : b.open_stw) {
    stw_.push_back(StwSpan{o.start, e, thread, static_cast<uint32_t>(o.id)});
  }
  b.open_lock_waits.clear();
  b.open_holds.clear();
  b.open_cond_waits.clear();
  b.open_blocks.clear();
  b.open_pauses.clear();
  b.open_stw.clear();
  // A state change exactly at the end leaves a zero-length last span.
  while (m.states.size() > 1 && m.states.back().start_ns >= e) m.states.pop_back();
  if (!m.states.empty() && m.states.front().start_ns >= e) m.states.clear();
}

void ModelBuilder::FinishScopes(ThreadBuilder& b) {
  ThreadModel& m = b.m;
  const auto k = static_cast<uint32_t>(b.cut_ends.size());
  if (k > 0) {
    // Scopes whose begin preceded the capture: a chain [life_start, end) that
    // encloses everything before its end. Prepend them, outermost first.
    std::vector<Scope> scopes;
    scopes.reserve(m.scopes.size() + k);
    for (uint32_t i = 0; i < k; ++i) {
      const auto& [end, loc] = b.cut_ends[k - 1 - i];
      scopes.push_back(Scope{m.life_start_ns, end, loc, i == 0 ? kNone : i - 1});
    }
    int64_t cut = static_cast<int64_t>(k) - 1;  // innermost cut scope still enclosing
    for (const Scope& s : m.scopes) {
      Scope n = s;
      if (s.parent != kNone) {
        n.parent = s.parent + k;
      } else {
        while (cut >= 0 && scopes[cut].end_ns < s.end_ns) --cut;
        n.parent = cut >= 0 ? static_cast<uint32_t>(cut) : kNone;
      }
      scopes.push_back(n);
    }
    m.scopes.swap(scopes);
    for (uint32_t& c : m.cut_scopes) c += k;
    for (uint32_t i = 0; i < k; ++i) m.cut_scopes.push_back(i);
  }
  std::sort(m.cut_scopes.begin(), m.cut_scopes.end());
  // Depth index.
  std::vector<uint32_t> depth(m.scopes.size());
  size_t max_depth = 0;
  for (size_t i = 0; i < m.scopes.size(); ++i) {
    const uint32_t p = m.scopes[i].parent;
    depth[i] = p == kNone ? 0 : depth[p] + 1;
    max_depth = std::max<size_t>(max_depth, depth[i]);
  }
  if (!m.scopes.empty()) {
    std::vector<uint32_t> counts(max_depth + 1);
    for (uint32_t d : depth) ++counts[d];
    m.scopes_by_depth.resize(max_depth + 1);
    for (size_t d = 0; d <= max_depth; ++d) m.scopes_by_depth[d].reserve(counts[d]);
    for (size_t i = 0; i < m.scopes.size(); ++i) {
      m.scopes_by_depth[depth[i]].push_back(static_cast<uint32_t>(i));
    }
  }
}

void ModelBuilder::ResolveHolders(Model& model) {
  absl::flat_hash_map<int64_t, std::vector<uint32_t>> by_tid;
  for (uint32_t i = 0; i < model.threads.size(); ++i) by_tid[model.threads[i].tid].push_back(i);
  const auto thread_of = [&](int64_t tid, int64_t at) -> uint32_t {
    auto it = by_tid.find(tid);
    if (tid == 0 || it == by_tid.end()) return kNone;
    for (uint32_t i : it->second) {
      const ThreadModel& t = model.threads[i];
      if (t.life_start_ns <= at && at <= t.life_end_ns) return i;
    }
    return it->second.front();
  };
  // Holds of locks whose waits lack a releaser: (released, thread), per lock.
  absl::flat_hash_map<uint64_t, std::vector<std::pair<int64_t, uint32_t>>> releases;
  for (uint32_t ti = 0; ti < model.threads.size(); ++ti) {
    const ThreadModel& t = model.threads[ti];
    for (size_t i = 0; i < t.lock_waits.size(); ++i) {
      if (threads_[ti].lock_wait_holder_tids[i] == 0 &&
          t.lock_waits[i].outcome == WaitOutcome::kAcquired) {
        releases.try_emplace(t.lock_waits[i].lock_id);
      }
    }
  }
  if (!releases.empty()) {
    for (uint32_t ti = 0; ti < model.threads.size(); ++ti) {
      for (const LockHold& h : model.threads[ti].lock_holds) {
        auto it = releases.find(h.lock_id);
        if (it != releases.end()) it->second.emplace_back(h.released_ns, ti);
      }
    }
    for (auto& [id, v] : releases) std::sort(v.begin(), v.end());
  }
  for (uint32_t ti = 0; ti < model.threads.size(); ++ti) {
    ThreadModel& t = model.threads[ti];
    for (size_t i = 0; i < t.lock_waits.size(); ++i) {
      LockWait& w = t.lock_waits[i];
      const int64_t tid = threads_[ti].lock_wait_holder_tids[i];
      if (tid != 0) {
        w.holder_thread = thread_of(tid, w.end_ns);
      } else if (w.outcome == WaitOutcome::kAcquired) {
        // No releaser recorded: the last other thread to release it during the wait.
        const auto& v = releases[w.lock_id];
        auto it = std::upper_bound(v.begin(), v.end(), std::make_pair(w.end_ns, kNone));
        while (it != v.begin()) {
          --it;
          if (it->first < w.start_ns) break;
          if (it->second != ti) {
            w.holder_thread = it->second;
            break;
          }
        }
      }
      if (w.holder_thread == kNone) continue;
      // The holder's scope while it held the lock: its last hold acquired before
      // the wait ended, at the hold's last nanosecond.
      const ThreadModel& h = model.threads[w.holder_thread];
      auto it = std::upper_bound(h.lock_holds.begin(), h.lock_holds.end(), w.end_ns,
                                 [](int64_t t, const LockHold& x) { return t < x.acquired_ns; });
      int64_t at = w.start_ns;
      for (int n = 0; it != h.lock_holds.begin() && n < 256; ++n) {
        --it;
        if (it->lock_id == w.lock_id) {
          at = std::max(it->acquired_ns, std::min(it->released_ns, w.end_ns) - 1);
          break;
        }
      }
      w.holder_scope = h.InnermostScopeAt(at);
    }
    for (size_t i = 0; i < t.cond_waits.size(); ++i) {
      CondWait& c = t.cond_waits[i];
      c.notifier_thread = thread_of(threads_[ti].cond_notifier_tids[i], c.end_ns);
    }
  }
}

void ModelBuilder::FinishCounters(Model& model) {
  model.counters.reserve(counters_.size());
  for (auto& [location, points] : counters_) {
    CounterTrack c;
    c.location = location;
    c.points = std::move(points);
    // Blocks of different threads arrive in any order: merge them by time (then
    // thread), keeping each thread's own order.
    const auto less = [](const CounterPoint& a, const CounterPoint& b) {
      return a.ts_ns != b.ts_ns ? a.ts_ns < b.ts_ns : a.thread < b.thread;
    };
    if (!std::is_sorted(c.points.begin(), c.points.end(), less)) {
      std::stable_sort(c.points.begin(), c.points.end(), less);
    }
    bool first = true;
    for (const CounterPoint& p : c.points) {
      if (std::isnan(p.value)) continue;
      c.min_value = first ? p.value : std::min(c.min_value, p.value);
      c.max_value = first ? p.value : std::max(c.max_value, p.value);
      first = false;
    }
    model.counters.push_back(std::move(c));
  }
  counters_.clear();
  std::sort(model.counters.begin(), model.counters.end(),
            [&](const CounterTrack& a, const CounterTrack& b) {
              const std::string& x = model.LocationName(a.location);
              const std::string& y = model.LocationName(b.location);
              return x != y ? x < y : a.location < b.location;
            });
}

Model ModelBuilder::Finish(reader::Trace info) {
  capture_start_ = info.capture_start_ns;
  capture_end_ = info.capture_end_ns;
  threads_.resize(info.threads.size());
  for (uint32_t i = 0; i < threads_.size(); ++i) {
    ThreadBuilder& b = threads_[i];
    const reader::Thread& t = info.threads[i];
    b.m.tid = t.tid;
    b.m.name = t.name;
    b.m.exited = t.exited;
    b.m.dropped = t.dropped;
    b.m.overwritten = t.overwritten;
    if (!b.started) {
      b.m.life_start_ns = t.start_ns > 0 ? std::max(capture_start_, t.start_ns) : capture_start_;
      b.last_ts = b.m.life_start_ns;
      b.started = true;
      b.m.states.push_back(StateSpan{b.m.life_start_ns, ThreadState::kRunning});
    }
    if (t.exited && t.exit_ns > 0 && (b.exit_event_ns == 0 || t.exit_ns < b.exit_event_ns)) {
      b.exit_event_ns = t.exit_ns;
    }
    CloseAtEnd(b, i);
    FinishScopes(b);
    for (const auto& [end, loc] : b.cut_block_ends) {
      auto it = block_kinds_.find(loc);
      const format::BlockKind kind =
          it != block_kinds_.end() ? it->second : format::BlockKind::kUser;
      b.m.blocks.push_back(Block{b.m.life_start_ns, end, loc, kind});
      b.retro.push_back(StateOverlay{b.m.life_start_ns, end, StateOfBlock(kind)});
    }
  }
  std::sort(stw_.begin(), stw_.end(),
            [](const StwSpan& a, const StwSpan& b) { return a.start_ns < b.start_ns; });

  Model model;
  model.scheduler = info.Property("scheduler_source") == "perf"        ? SchedulerSource::kPerf
                    : info.Property("scheduler_source") == "schedstat" ? SchedulerSource::kSchedStat
                                                                       : SchedulerSource::kNone;
  model.start_ns = capture_start_;
  model.end_ns = capture_end_;
  model.threads.reserve(threads_.size());
  for (ThreadBuilder& b : threads_) {
    ThreadModel& m = b.m;
    if (!m.states.empty()) {
      std::vector<StateOverlay> overlays = std::move(b.retro);
      for (const StwSpan& s : stw_) {
        if (s.start_ns < m.life_end_ns && s.end_ns > m.life_start_ns) {
          overlays.push_back(StateOverlay{s.start_ns, s.end_ns, ThreadState::kPaused});
        }
      }
      if (!overlays.empty()) m.states = Overlay(m.states, m.life_end_ns, std::move(overlays));
      if (!b.samples.empty()) {
        // The schedstat collector samples every thread when the capture is taken
        // (and at thread exit) and records a sample only if the thread ran or
        // waited: no sample after the last one means it did neither.
        if (model.scheduler == SchedulerSource::kSchedStat &&
            b.samples.back().ts_ns < m.life_end_ns) {
          b.samples.push_back(SchedSample{m.life_end_ns, 0, 0});
        }
        m.states = SpreadSchedSamples(m.states, m.life_end_ns, b.samples);
      }
    }
    SortByStart(m.blocks);
    SortByStart(m.pauses);
    if (!std::is_sorted(
            m.lock_holds.begin(), m.lock_holds.end(),
            [](const LockHold& a, const LockHold& c) { return a.acquired_ns < c.acquired_ns; })) {
      std::stable_sort(
          m.lock_holds.begin(), m.lock_holds.end(),
          [](const LockHold& a, const LockHold& c) { return a.acquired_ns < c.acquired_ns; });
    }
    // Waits are recorded when they end; order them (and their parallel tids) by start.
    const auto order_waits = [](auto& waits, std::vector<int64_t>& tids) {
      using W = typename std::decay_t<decltype(waits)>::value_type;
      const auto less = [](const W& a, const W& c) { return a.start_ns < c.start_ns; };
      if (std::is_sorted(waits.begin(), waits.end(), less)) return;
      std::vector<uint32_t> idx(waits.size());
      for (uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::stable_sort(idx.begin(), idx.end(),
                       [&](uint32_t a, uint32_t c) { return less(waits[a], waits[c]); });
      std::decay_t<decltype(waits)> w2;
      std::vector<int64_t> t2;
      w2.reserve(idx.size());
      t2.reserve(idx.size());
      for (uint32_t i : idx) {
        w2.push_back(waits[i]);
        t2.push_back(tids[i]);
      }
      waits.swap(w2);
      tids.swap(t2);
    };
    order_waits(m.lock_waits, b.lock_wait_holder_tids);
    order_waits(m.cond_waits, b.cond_notifier_tids);
    for (const LockWait& w : m.lock_waits) {
      m.max_lock_wait_ns = std::max(m.max_lock_wait_ns, w.end_ns - w.start_ns);
    }
    if (m.states.empty()) m.life_end_ns = std::max(m.life_end_ns, m.life_start_ns);
    model.start_ns = std::min(model.start_ns, m.life_start_ns);
    model.end_ns = std::max(model.end_ns, m.life_end_ns);
    model.events += m.events;
    model.threads.push_back(std::move(m));
  }
  ResolveHolders(model);
  model.stw = std::move(stw_);
  model.locks = std::move(locks_);
  model.unmatched_events = unmatched_;
  // Location index: counts first so every list is allocated once.
  model.scopes_by_location.resize(info.locations.size());
  std::vector<uint32_t> counts(info.locations.size());
  for (const ThreadModel& t : model.threads) {
    for (const Scope& s : t.scopes) {
      if (s.location < counts.size()) ++counts[s.location];
    }
  }
  for (size_t i = 0; i < counts.size(); ++i) model.scopes_by_location[i].reserve(counts[i]);
  for (uint32_t ti = 0; ti < model.threads.size(); ++ti) {
    const auto& scopes = model.threads[ti].scopes;
    for (uint32_t i = 0; i < scopes.size(); ++i) {
      if (scopes[i].location < counts.size()) {
        model.scopes_by_location[scopes[i].location].push_back(ScopeRef{ti, i});
      }
    }
  }
  for (const reader::Object& o : info.objects) {
    model.object_names[(static_cast<uint64_t>(o.kind) << 56) ^ o.id] = o.name;
  }
  model.info = std::move(info);
  FinishCounters(model);  // after info: sorts by location name
  threads_.clear();
  return model;
}

}  // namespace tracelane::analysis::internal
