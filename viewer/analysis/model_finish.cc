// ModelBuilder, part 2: finalization once every block is in (model_builder.h):
// life ends and open spans, scope chains and renumbering, overlays, ordering,
// lock holders, the location index and counters.
#include <algorithm>
#include <cmath>

#include "viewer/analysis/absl_waits.h"
#include "viewer/analysis/blame.h"
#include "viewer/analysis/holds_by_lock.h"
#include "viewer/analysis/model_builder.h"
#include "viewer/lib/parallel.h"

namespace tracelane::analysis::internal {
namespace {

template <typename T>
void SortByStart(PodVector<T>& v) {
  const auto less = [](const T& a, const T& b) { return a.start_ns < b.start_ns; };
  if (!std::is_sorted(v.begin(), v.end(), less)) std::stable_sort(v.begin(), v.end(), less);
}

// Calls fn(i, depth) for the scopes [from, to) in order, given that every
// parent of one of them is one of them (or kNone). In preorder a scope's parent
// is the innermost scope still open, so a stack of open scopes gives each
// depth. O(to - from).
template <typename Fn>
void WalkDepths(const PodVector<Scope>& scopes, uint32_t from, uint32_t to, Fn fn) {
  std::vector<uint32_t> open;
  for (uint32_t i = from; i < to; ++i) {
    const uint32_t p = scopes[i].parent;
    while (!open.empty() && open.back() != p) open.pop_back();
    if (p != kNone && open.empty()) {
      // The parent is not an open scope (not expected in preorder): the stack
      // becomes the parent's ancestors, from the parent links (parents come
      // before their children, so the walk ends).
      for (uint32_t a = p; a != kNone && open.size() <= i; a = scopes[a].parent) open.push_back(a);
      std::reverse(open.begin(), open.end());
    }
    fn(i, open.size());
    open.push_back(i);
  }
}

// Merges `adds` (sorted) into `list` (sorted), in place from the back. O(size).
void MergeInto(PodVector<uint32_t>& list, const std::vector<uint32_t>& adds) {
  size_t i = list.size(), j = adds.size();
  list.resize_uninitialized(i + j);
  for (size_t k = list.size(); j > 0;) {
    list[--k] = i > 0 && list[i - 1] > adds[j - 1] ? list[--i] : adds[--j];
  }
}

}  // namespace

void ModelBuilder::FinishScopes(ThreadBuilder& b) {
  ThreadModel& m = b.m;
  if (!b.cut_ends.empty()) {
    // Per segment, the scopes whose begin was not recorded form a chain from the
    // segment's anchor that encloses everything of the segment that ended before
    // them; they go in front of the segment's scopes, outermost first, and every
    // index is renumbered (scopes, parents, cut lists, waiting sites, the depth
    // index). In place: the scopes move up by the chains inserted before them,
    // last segment first, so the thread's scopes are never copied whole.
    const size_t segments = b.segment_first.size() + 1;
    const auto n = static_cast<uint32_t>(m.scopes.size());
    std::vector<uint32_t> before(segments + 1, 0);  // chain scopes in segments < s
    for (const CutEnd& c : b.cut_ends) ++before[c.segment + 1];
    for (size_t seg = 0; seg < segments; ++seg) before[seg + 1] += before[seg];
    const auto first_of = [&](size_t seg) { return seg == 0 ? 0 : b.segment_first[seg - 1]; };
    const auto last_of = [&](size_t seg) { return seg + 1 < segments ? b.segment_first[seg] : n; };
    // Old index -> new index: shifted by the chains of its segment and those before.
    const auto renumber = [&](uint32_t old) {
      const size_t seg = std::upper_bound(b.segment_first.begin(), b.segment_first.end(), old) -
                         b.segment_first.begin();
      return old + before[seg + 1];
    };
    m.scopes.resize(n + b.cut_ends.size());
    std::vector<uint32_t> chain_cut, chain_lost;
    for (size_t seg = segments; seg-- > 0;) {
      const uint32_t first = first_of(seg), last = last_of(seg);
      const uint32_t shift = before[seg + 1];
      for (uint32_t i = last; i-- > first;) m.scopes[i + shift] = m.scopes[i];
      const uint32_t chain = first + before[seg];
      const uint32_t k = before[seg + 1] - before[seg];
      const int64_t anchor = seg == 0 ? m.life_start_ns : b.m.gaps[seg - 1].end_ns;
      for (uint32_t i = 0; i < k; ++i) {  // the last end to arrive is the outermost
        const CutEnd& c = b.cut_ends[before[seg + 1] - 1 - i];
        m.scopes[chain + i] = Scope{anchor, c.end, c.location, i == 0 ? kNone : chain + i - 1};
        chain_cut.push_back(chain + i);
        if (seg > 0) chain_lost.push_back(chain + i);
      }
    }
    // New indices [from, to) whose depths the chains change: a chain and the
    // scopes of its segment up to the first top-level one it does not enclose.
    struct Range {
      uint32_t from, to;
    };
    std::vector<Range> changed;
    for (size_t seg = 0; seg < segments; ++seg) {
      const uint32_t shift = before[seg + 1];
      const uint32_t chain = first_of(seg) + before[seg];
      int64_t cut = static_cast<int64_t>(shift - before[seg]) - 1;  // innermost chain scope
      uint32_t enclosed_end = last_of(seg) + shift;
      for (uint32_t i = first_of(seg) + shift; i < last_of(seg) + shift; ++i) {
        Scope& s = m.scopes[i];
        if (s.parent != kNone) {
          s.parent += shift;  // parents never cross a gap: same segment
        } else {
          while (cut >= 0 && m.scopes[chain + cut].end_ns < s.end_ns) --cut;
          s.parent = cut >= 0 ? chain + static_cast<uint32_t>(cut) : kNone;
          if (cut < 0 && enclosed_end == last_of(seg) + shift) enclosed_end = i;
        }
      }
      if (shift != before[seg]) changed.push_back(Range{chain, enclosed_end});
    }
    for (uint32_t& c : m.cut_scopes) c = renumber(c);
    for (uint32_t& c : m.lost_scopes) c = renumber(c);
    for (LockWait& w : m.lock_waits) {
      if (w.scope != kNone) w.scope = renumber(w.scope);
    }
    m.cut_scopes.insert(m.cut_scopes.end(), chain_cut.begin(), chain_cut.end());
    m.lost_scopes.insert(m.lost_scopes.end(), chain_lost.begin(), chain_lost.end());
    // The depth index (built while reading, by old index): every entry is
    // renumbered, those in the changed ranges are dropped, and the changed
    // ranges' scopes are walked and merged back in by index.
    std::vector<std::vector<uint32_t>> adds;
    for (const Range& r : changed) {
      WalkDepths(m.scopes, r.from, r.to, [&](uint32_t i, size_t d) {
        if (d >= adds.size()) adds.resize(d + 1);
        adds[d].push_back(i);
      });
    }
    if (adds.size() > m.scopes_by_depth.size()) m.scopes_by_depth.resize(adds.size());
    for (size_t d = 0; d < m.scopes_by_depth.size(); ++d) {
      PodVector<uint32_t>& list = m.scopes_by_depth[d];
      size_t kept = 0, seg = 0, range = 0;
      for (const uint32_t old : list) {
        while (seg < b.segment_first.size() && b.segment_first[seg] <= old) ++seg;
        const uint32_t now = old + before[seg + 1];
        while (range < changed.size() && changed[range].to <= now) ++range;
        if (range < changed.size() && changed[range].from <= now) continue;
        list[kept++] = now;
      }
      list.resize(kept);
      if (d < adds.size()) MergeInto(list, adds[d]);
    }
  }
  std::sort(m.cut_scopes.begin(), m.cut_scopes.end());
  std::sort(m.lost_scopes.begin(), m.lost_scopes.end());
}

void ModelBuilder::ResolveHolders(Model& model, int workers) {
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
  // Holds of locks whose waits lack a releaser, those overlapping such a wait:
  // (released, thread), per lock, by release (CollectHoldsByLock).
  struct Release {
    int64_t released_ns;
    uint32_t thread;
    bool operator<(const Release& o) const {
      return released_ns != o.released_ns ? released_ns < o.released_ns : thread < o.thread;
    }
  };
  WaitTimes waits;
  for (uint32_t ti = 0; ti < model.threads.size(); ++ti) {
    const ThreadModel& t = model.threads[ti];
    for (size_t i = 0; i < t.lock_waits.size(); ++i) {
      const LockWait& w = t.lock_waits[i];
      if (threads_[ti].lock_wait_holder_tids[i] == 0 && w.outcome == WaitOutcome::kAcquired) {
        waits[w.lock_id].emplace_back(w.start_ns, w.end_ns);
      }
    }
  }
  absl::flat_hash_map<uint64_t, std::vector<Release>> releases;
  CollectHoldsByLock(
      model, std::move(waits), releases,
      [](const LockHold& h, uint32_t ti) {
        return Release{h.released_ns, ti};
      },
      [](const Release& a, const Release& b) { return a < b; });
  // Each thread's waits are resolved on their own; other threads are only read.
  reader::ParallelFor(workers, model.threads.size(), [&](size_t tii) {
    const auto ti = static_cast<uint32_t>(tii);
    ThreadModel& t = model.threads[ti];
    for (size_t i = 0; i < t.lock_waits.size(); ++i) {
      LockWait& w = t.lock_waits[i];
      const int64_t tid = threads_[ti].lock_wait_holder_tids[i];
      if (tid != 0) {
        w.holder_thread = thread_of(tid, w.end_ns);
      } else if (w.outcome == WaitOutcome::kAcquired) {
        // No releaser recorded: the last other thread to release it during the wait.
        const auto& v = releases.find(w.lock_id)->second;  // listed above for such waits
        auto it = std::upper_bound(v.begin(), v.end(), Release{w.end_ns, kNone});
        while (it != v.begin()) {
          --it;
          if (it->released_ns < w.start_ns) break;
          if (it->thread != ti) {
            w.holder_thread = it->thread;
            break;
          }
        }
      }
      if (w.holder_thread == kNone) continue;
      // The holder's scope over the part of the wait it held the lock (not at
      // the release: a hold may outlive its scope by a little).
      w.holder_scope = HolderScopeOverWait(model, w);
    }
    for (size_t i = 0; i < t.cond_waits.size(); ++i) {
      CondWait& c = t.cond_waits[i];
      c.notifier_thread = thread_of(threads_[ti].cond_notifier_tids[i], c.end_ns);
    }
  });
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

void ModelBuilder::FinishThreadEvents(const reader::Thread& t, uint32_t i) {
  ThreadBuilder& b = threads_[i];
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
}

void ModelBuilder::MergeThreads() {
  // Spans recorded while reading come first, then those open at the threads' ends,
  // each in thread order: for files whose threads' blocks follow each other (the
  // reference writer's), the order in which the serial reader met them.
  for (ThreadBuilder& b : threads_) stw_.insert(stw_.end(), b.stw.begin(), b.stw.end());
  for (ThreadBuilder& b : threads_) {
    stw_.insert(stw_.end(), b.stw_at_end.begin(), b.stw_at_end.end());
    b.stw = {};
    b.stw_at_end = {};
  }
  std::sort(stw_.begin(), stw_.end(),
            [](const StwSpan& a, const StwSpan& b) { return a.start_ns < b.start_ns; });
  for (ThreadBuilder& b : threads_) {
    for (const auto& [location, kind] : b.block_kinds) block_kinds_.try_emplace(location, kind);
    for (const auto& [id, c] : b.locks) {
      LockCounters& to = locks_[id];
      to.acquisitions += c.acquisitions;
      to.contended += c.contended;
      to.try_failed += c.try_failed;
      to.releases_with_waiters += c.releases_with_waiters;
      to.inferred += c.inferred;
      to.inferred_confidence_sum += c.inferred_confidence_sum;
    }
    for (auto& [location, points] : b.counters) {
      std::vector<CounterPoint>& to = counters_[location];
      if (to.empty()) {
        to = std::move(points);
      } else {
        to.insert(to.end(), points.begin(), points.end());
      }
    }
    unmatched_ += b.unmatched;
    b.block_kinds = {};
    b.locks = {};
    b.counters = {};
  }
}

void ModelBuilder::FinishThreadStates(ThreadBuilder& b, SchedulerSource scheduler) {
  ThreadModel& m = b.m;
  for (const CutBlockEnd& c : b.cut_block_ends) {
    auto it = block_kinds_.find(c.location);
    const format::BlockKind kind = it != block_kinds_.end() ? it->second : format::BlockKind::kUser;
    m.blocks.push_back(Block{c.start, c.end, c.location, kind, /*cut=*/true});
    b.retro.push_back(StateOverlay{c.start, c.end, StateOfBlock(kind)});
  }
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
      if (scheduler == SchedulerSource::kSchedStat && b.samples.back().ts_ns < m.life_end_ns) {
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
  const auto order_waits = [](auto& waits, PodVector<int64_t>& tids) {
    using W = typename std::decay_t<decltype(waits)>::value_type;
    const auto less = [](const W& a, const W& c) { return a.start_ns < c.start_ns; };
    if (std::is_sorted(waits.begin(), waits.end(), less)) return;
    std::vector<uint32_t> idx(waits.size());
    for (uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(),
                     [&](uint32_t a, uint32_t c) { return less(waits[a], waits[c]); });
    std::decay_t<decltype(waits)> w2;
    PodVector<int64_t> t2;
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
}

namespace {

// Model::scopes_by_location on every worker: each share of a thread's scopes
// counts its locations, prefix sums give every share its place in each list,
// and the shares fill their places concurrently (each faulting in the pages it
// writes). The lists are by thread, then index, whatever `workers`. O(scopes
// + shares x locations).
void BuildScopesByLocation(Model& model, size_t n_locations, int workers) {
  struct Share {
    uint32_t thread, begin, end;
  };
  std::vector<Share> shares;
  uint32_t per_share = 1u << 18;
  uint64_t total = 0;
  for (const ThreadModel& t : model.threads) total += t.scopes.size();
  // Bound the count table (shares x locations) to 16M entries.
  while (per_share < (1u << 31) &&
         (total / per_share + model.threads.size()) * n_locations > (uint64_t{1} << 24)) {
    per_share *= 2;
  }
  for (uint32_t ti = 0; ti < model.threads.size(); ++ti) {
    const auto n = static_cast<uint32_t>(model.threads[ti].scopes.size());
    for (uint32_t b = 0; b < n; b = b + std::min(per_share, n - b)) {
      shares.push_back(Share{ti, b, b + std::min(per_share, n - b)});
    }
  }
  // at[s * n_locations + loc]: where share s's first scope of loc goes.
  std::vector<uint32_t> at(shares.size() * n_locations);
  reader::ParallelFor(workers, shares.size(), [&](size_t si) {
    const Share& sh = shares[si];
    uint32_t* counts = &at[si * n_locations];
    const PodVector<Scope>& scopes = model.threads[sh.thread].scopes;
    for (uint32_t i = sh.begin; i < sh.end; ++i) {
      if (scopes[i].location < n_locations) ++counts[scopes[i].location];
    }
  });
  model.scopes_by_location.resize(n_locations);
  for (size_t loc = 0; loc < n_locations; ++loc) {
    uint32_t sum = 0;
    for (size_t si = 0; si < shares.size(); ++si) {
      const uint32_t c = at[si * n_locations + loc];
      at[si * n_locations + loc] = sum;
      sum += c;
    }
    model.scopes_by_location[loc].resize_uninitialized(sum);
  }
  reader::ParallelFor(workers, shares.size(), [&](size_t si) {
    const Share& sh = shares[si];
    uint32_t* next = &at[si * n_locations];
    const PodVector<Scope>& scopes = model.threads[sh.thread].scopes;
    for (uint32_t i = sh.begin; i < sh.end; ++i) {
      const uint32_t loc = scopes[i].location;
      if (loc < n_locations) model.scopes_by_location[loc][next[loc]++] = ScopeRef{sh.thread, i};
    }
  });
}

}  // namespace

Model ModelBuilder::Finish(reader::Trace info, int workers) {
  capture_start_ = info.capture_start_ns;
  capture_end_ = info.capture_end_ns;
  threads_.resize(info.threads.size());
  reader::ParallelFor(workers, threads_.size(), [&](size_t i) {
    FinishThreadEvents(info.threads[i], static_cast<uint32_t>(i));
  });
  MergeThreads();

  Model model;
  model.scheduler = info.Property("scheduler_source") == "perf"        ? SchedulerSource::kPerf
                    : info.Property("scheduler_source") == "schedstat" ? SchedulerSource::kSchedStat
                                                                       : SchedulerSource::kNone;
  reader::ParallelFor(workers, threads_.size(),
                      [&](size_t i) { FinishThreadStates(threads_[i], model.scheduler); });
  model.start_ns = capture_start_;
  model.end_ns = capture_end_;
  model.threads.reserve(threads_.size());
  for (ThreadBuilder& b : threads_) {
    ThreadModel& m = b.m;
    model.start_ns = std::min(model.start_ns, m.life_start_ns);
    model.end_ns = std::max(model.end_ns, m.life_end_ns);
    model.events += m.events;
    model.threads.push_back(std::move(m));
  }
  ResolveHolders(model, workers);
  model.stw = std::move(stw_);
  model.locks = std::move(locks_);
  model.unmatched_events = unmatched_;
  BuildScopesByLocation(model, info.locations.size(), workers);
  for (const reader::Object& o : info.objects) {
    model.object_names[(static_cast<uint64_t>(o.kind) << 56) ^ o.id] = o.name;
  }
  model.info = std::move(info);
  FinishCounters(model);      // after info: sorts by location name
  AttributeAbslWaits(model);  // absl::Mutex waiters: abseil's release hook + perf switches
  threads_.clear();
  return model;
}

}  // namespace tracelane::analysis::internal
