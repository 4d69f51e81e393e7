// ModelBuilder, part 1: the per-thread state machine that takes events as they
// are decoded (model_builder.h). Part 2, finalization, is model_finish.cc.
#include "viewer/analysis/model_builder.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "absl/strings/numbers.h"

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

bool IsSchedulerRecord(EventType t) {
  return t == EventType::kSchedOut || t == EventType::kSchedIn || t == EventType::kSchedStat;
}

}  // namespace

void ModelBuilder::Begin(const reader::Trace& tables) {
  capture_start_ = tables.capture_start_ns;
  capture_end_ = tables.capture_end_ns;
  lifetime_counts_ = tables.Property("loss_counts") != "window";
  horizon_known_ = absl::SimpleAtoi(tables.Property("overwrite_horizon_ns"), &overwrite_horizon_);
  threads_.resize(tables.threads.size());
}

void ModelBuilder::AddBlock(const reader::Trace& tables, uint32_t thread,
                            const std::vector<reader::Event>& events) {
  if (events.empty()) return;
  ThreadBuilder& b = threads_[thread];
  const auto earlier = [](const reader::Event& x, const reader::Event& y) {
    return x.ts_ns < y.ts_ns;
  };
  // A writer may place an event out of order (FORMAT.md 6.6); the serial reader
  // stable-sorts each thread's events, so do the same within the block, or a
  // streaming load would clamp that event's time (found by fuzz/trace_reader).
  const std::vector<reader::Event>* in = &events;
  std::vector<reader::Event> sorted;
  if (!std::is_sorted(events.begin(), events.end(), earlier)) {
    sorted = events;
    std::stable_sort(sorted.begin(), sorted.end(), earlier);
    in = &sorted;
  }
  if (!b.started) {
    Start(b, tables.threads[thread], in->front().ts_ns);
    if (in->front().type != EventType::kDataLost) {
      LeadingLoss(b, thread, tables.threads[thread], in->front().ts_ns);
    }
  }
  for (const reader::Event& e : *in) OnEvent(b, thread, e);
}

void ModelBuilder::Start(ThreadBuilder& b, const reader::Thread& t, int64_t first_ts) {
  const int64_t nominal = t.start_ns > 0 ? std::max(capture_start_, t.start_ns) : capture_start_;
  b.m.life_start_ns = std::min(nominal, first_ts);
  b.m.states.push_back(StateSpan{b.m.life_start_ns, ThreadState::kRunning});
  b.last_ts = b.m.life_start_ns;
  b.last_own_ts = b.m.life_start_ns;
  b.anchor = b.m.life_start_ns;
  b.started = true;
}

void ModelBuilder::LeadingLoss(ThreadBuilder& b, uint32_t thread, const reader::Thread& t,
                               int64_t first_ts) {
  // Only where the file may leave such a loss unrecorded (FORMAT.md 8.1): counts
  // over the thread's lifetime (last-N, whole-buffer and crash captures), some of
  // them overwritten (the flight recorder reused the thread's oldest chunks), and
  // its first event after its life start.
  if (!lifetime_counts_ || t.overwritten == 0 || first_ts <= b.m.life_start_ns) return;
  int64_t end = first_ts;
  if (horizon_known_) {
    // Nothing was overwritten after the horizon: data after it is whole.
    if (overwrite_horizon_ <= b.m.life_start_ns) return;
    end = std::min(end, overwrite_horizon_);
  }
  const reader::Event e{end, /*payload=*/0, /*arg=*/0, EventType::kDataLost, /*has_arg=*/false};
  b.last_ts = end;
  OnDataLost(b, thread, e, end);
}

void ModelBuilder::OnEvent(ThreadBuilder& b, uint32_t thread, const reader::Event& e) {
  // Per-thread time is monotonic; a rare backwards step (clock glitch) is clamped.
  const int64_t ts = std::max(e.ts_ns, b.last_ts);
  b.last_ts = ts;
  ++b.m.events;
  if (e.type == EventType::kDataLost) {
    OnDataLost(b, thread, e, ts);
    return;
  }
  if (!IsSchedulerRecord(e.type)) b.last_own_ts = ts;
  // Spans whose begin was not recorded (before the capture, or in the latest
  // gap) start here.
  const int64_t anchor = b.anchor;
  ThreadModel& m = b.m;
  switch (e.type) {
    case EventType::kScopeBegin: {
      // The depth index is built here (a scope's depth is the number of scopes
      // open at its begin); FinishScopes only fixes the part that cut chains change.
      const uint32_t parent = b.scope_stack.empty() ? kNone : b.scope_stack.back();
      const size_t depth = b.scope_stack.size();
      const auto index = static_cast<uint32_t>(m.scopes.size());
      b.scope_stack.push_back(index);
      m.scopes.push_back(Scope{ts, INT64_MIN, static_cast<uint32_t>(e.payload), parent});
      if (depth >= m.scopes_by_depth.size()) m.scopes_by_depth.resize(depth + 1);
      m.scopes_by_depth[depth].push_back(index);
      return;
    }
    case EventType::kScopeEnd: {
      const auto loc = static_cast<uint32_t>(e.payload);
      int j = static_cast<int>(b.scope_stack.size()) - 1;
      while (j >= 0 && m.scopes[b.scope_stack[j]].location != loc) --j;
      if (j >= 0) {
        // Scopes above the match lost their end events; they end here too.
        b.unmatched += b.scope_stack.size() - 1 - j;
        while (static_cast<int>(b.scope_stack.size()) > j) {
          m.scopes[b.scope_stack.back()].end_ns = ts;
          b.scope_stack.pop_back();
        }
      } else if (b.scope_stack.empty()) {
        // Began before the capture window or the latest gap.
        b.cut_ends.push_back(CutEnd{ts, loc, static_cast<uint32_t>(b.segment_first.size())});
      } else {
        ++b.unmatched;  // its begin was lost mid-trace: ignore it
      }
      return;
    }
    case EventType::kInstant:
      m.instants.push_back(Instant{ts, static_cast<uint32_t>(e.payload)});
      return;
    case EventType::kCounter:
      b.counters[static_cast<uint32_t>(e.payload)].push_back(
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
      b.block_kinds.try_emplace(static_cast<uint32_t>(e.payload), kind);
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
        b.cut_block_ends.push_back(CutBlockEnd{anchor, ts, static_cast<uint32_t>(e.payload)});
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
        m.pauses.push_back(Pause{anchor, ts, 0, static_cast<uint32_t>(e.payload), /*cut=*/true});
        b.retro.push_back(StateOverlay{anchor, ts, ThreadState::kPaused});
      }
      break;
    }
    case EventType::kStwBegin:
      b.open_stw.push_back(OpenSpan{e.payload, ts, 0});
      return;
    case EventType::kStwEnd: {
      const int i = FindLast(b.open_stw, e.payload);
      int64_t start = anchor;
      if (i >= 0) {
        start = b.open_stw[i].start;
        b.open_stw.erase(b.open_stw.begin() + i);
      }
      b.stw.push_back(StwSpan{start, ts, thread, static_cast<uint32_t>(e.payload), i < 0});
      return;
    }
    case EventType::kLockWait: {
      const uint32_t scope = b.scope_stack.empty() ? kNone : b.scope_stack.back();
      b.open_lock_waits.push_back(OpenWait{e.payload, ts, scope});
      b.tracker.Add(StateTracker::kLock, +1);
      break;
    }
    case EventType::kLockAcquired: {
      LockCounters& c = b.locks[e.payload];
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
      if (e.has_arg && e.arg == 1) ++b.locks[e.payload].releases_with_waiters;
      return;
    }
    case EventType::kLockTryFailed: {
      ++b.locks[e.payload].try_failed;
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
      int64_t start = anchor;
      if (i >= 0) {
        start = b.open_cond_waits[i].start;
        b.open_cond_waits.erase(b.open_cond_waits.begin() + i);
        b.tracker.Add(StateTracker::kCondvar, -1);
      } else {
        b.retro.push_back(StateOverlay{anchor, ts, ThreadState::kCondvarWait});
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
      } else if (!b.saw_sched) {  // switched out before the capture window or the gap
        b.retro.push_back(StateOverlay{anchor, ts, ThreadState::kUnknown});
      }
      b.saw_sched = true;
      break;
    case EventType::kSchedStat:
      b.samples.push_back(SchedSample{ts, static_cast<int64_t>(e.payload), e.has_arg ? e.arg : 0});
      return;
    case EventType::kDataLost:  // handled above
      return;
  }
  AppendState(&m.states, ts, b.tracker.Current());
}

void ModelBuilder::CloseOpen(ThreadBuilder& b, uint32_t thread, int64_t at, WaitOutcome outcome,
                             bool lost) {
  ThreadModel& m = b.m;
  while (!b.scope_stack.empty()) {
    m.scopes[b.scope_stack.back()].end_ns = at;
    m.cut_scopes.push_back(b.scope_stack.back());
    if (lost) m.lost_scopes.push_back(b.scope_stack.back());
    b.scope_stack.pop_back();
  }
  for (const OpenWait& w : b.open_lock_waits) {
    m.lock_waits.push_back(LockWait{w.start, at, w.id, kNone, kNone, w.scope, outcome});
    b.lock_wait_holder_tids.push_back(0);
  }
  for (const OpenSpan& h : b.open_holds) m.lock_holds.push_back(LockHold{h.start, at, h.id});
  for (const OpenWait& w : b.open_cond_waits) {
    m.cond_waits.push_back(CondWait{w.start, at, w.id, kNone, outcome});
    b.cond_notifier_tids.push_back(0);
  }
  for (const OpenSpan& o : b.open_blocks) {
    m.blocks.push_back(Block{o.start, at, static_cast<uint32_t>(o.id),
                             static_cast<format::BlockKind>(o.arg), /*cut=*/true});
  }
  for (const OpenSpan& o : b.open_pauses) {
    m.pauses.push_back(Pause{o.start, at, o.arg, static_cast<uint32_t>(o.id), /*cut=*/true});
  }
  for (const OpenSpan& o : b.open_stw) {
    (lost ? b.stw : b.stw_at_end)
        .push_back(StwSpan{o.start, at, thread, static_cast<uint32_t>(o.id), /*cut=*/true});
  }
  b.open_lock_waits.clear();
  b.open_holds.clear();
  b.open_cond_waits.clear();
  b.open_blocks.clear();
  b.open_pauses.clear();
  b.open_stw.clear();
}

void ModelBuilder::OnDataLost(ThreadBuilder& b, uint32_t thread, const reader::Event& e,
                              int64_t ts) {
  ThreadModel& m = b.m;
  // The gap starts at the thread's last event that is not a scheduler record
  // (docs/FORMAT.md, section 8.1): the last one of its own buffer.
  const int64_t start = std::min(b.last_own_ts, ts);
  CloseOpen(b, thread, start, WaitOutcome::kLost, /*lost=*/true);
  m.gaps.push_back(DataGap{start, ts, e.has_arg && e.arg > 0 ? static_cast<uint64_t>(e.arg) : 0,
                           e.payload, e.has_arg});
  // The gap is Unknown; scheduler records that fell in it no longer count.
  while (m.states.size() > 1 && m.states.back().start_ns > start) m.states.pop_back();
  if (m.states.back().start_ns > start) m.states.back().start_ns = start;
  AppendState(&m.states, start, ThreadState::kUnknown);
  // Nothing known carries over: a new segment starts at the first event after.
  b.tracker = StateTracker();
  b.saw_sched = false;
  b.anchor = ts;
  b.last_own_ts = ts;
  b.segment_first.push_back(static_cast<uint32_t>(m.scopes.size()));
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
  CloseOpen(b, thread, e, WaitOutcome::kOpen, /*lost=*/false);
  // A state change exactly at the end leaves a zero-length last span.
  while (m.states.size() > 1 && m.states.back().start_ns >= e) m.states.pop_back();
  if (!m.states.empty() && m.states.front().start_ns >= e) m.states.clear();
}

}  // namespace tracelane::analysis::internal
