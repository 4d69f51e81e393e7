#include "viewer/analysis/range_stats.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/saturating.h"

namespace tracelane::analysis {
namespace {

struct ScopeAcc {
  uint64_t instances = 0;
  int64_t inside_ns = 0;
  uint32_t open = 0;  // instances of this location on the open stack (one thread)
};

// Adds the scopes of `t` that overlap [from, to) to `acc`. They are the scopes
// containing `from` that began before it (the innermost one at `from` and its
// ancestors) followed by the scopes that begin in [from, to): together a
// preorder walk, so a stack of the enclosing instances tells whether an
// instance is nested in another of its own location.
void AddScopes(const ThreadModel& t, int64_t from, int64_t to,
               absl::flat_hash_map<uint32_t, ScopeAcc>& acc, std::vector<uint32_t>& chain,
               std::vector<uint32_t>& open) {
  const PodVector<Scope>& s = t.scopes;
  chain.clear();
  for (uint32_t i = t.InnermostScopeAt(from); i != kNone; i = s[i].parent) {
    if (s[i].begin_ns < from) chain.push_back(i);
  }
  open.clear();
  // Scopes nest properly, so the stack's entries that end after x begins enclose x.
  const auto enter = [&](uint32_t i) {
    const Scope& x = s[i];
    while (!open.empty() && s[open.back()].end_ns <= x.begin_ns) {
      --acc[s[open.back()].location].open;
      open.pop_back();
    }
    ScopeAcc& a = acc[x.location];
    ++a.instances;
    if (a.open == 0) AddTo(&a.inside_ns, TimeInside(x.begin_ns, x.end_ns, from, to));
    ++a.open;
    open.push_back(i);
  };
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) enter(*it);
  auto first = std::lower_bound(s.begin(), s.end(), from,
                                [](const Scope& x, int64_t v) { return x.begin_ns < v; });
  for (auto i = static_cast<uint32_t>(first - s.begin()); i < s.size() && s[i].begin_ns < to; ++i) {
    enter(i);
  }
  for (uint32_t i : open) --acc[s[i].location].open;
}

// Adds the lock waits of `t` that overlap [from, to) to `acc`. A wait that
// overlaps `from` began at most max_lock_wait_ns before it.
void AddLockWaits(const ThreadModel& t, int64_t from, int64_t to,
                  absl::flat_hash_map<uint64_t, RangeLock>& acc) {
  const PodVector<LockWait>& w = t.lock_waits;
  const int64_t lo = from > INT64_MIN + t.max_lock_wait_ns ? from - t.max_lock_wait_ns : INT64_MIN;
  auto it = std::lower_bound(w.begin(), w.end(), lo,
                             [](const LockWait& x, int64_t v) { return x.start_ns < v; });
  for (; it != w.end() && it->start_ns < to; ++it) {
    if (!RangeOverlaps(it->start_ns, it->end_ns, from, to)) continue;
    RangeLock& r =
        acc.try_emplace(it->lock_id, RangeLock{it->lock_id, "", 0, 0, 0, 0}).first->second;
    ++r.waits;
    AddTo(&r.inside_ns, TimeInside(it->start_ns, it->end_ns, from, to));
    if (it->outcome == WaitOutcome::kOpen || it->outcome == WaitOutcome::kLost) {
      ++r.cut_waits;  // its length is a lower bound: never the longest
    } else {
      r.max_wait_ns = std::max(r.max_wait_ns, it->end_ns - it->start_ns);
    }
  }
}

}  // namespace

std::vector<uint32_t> SelectedThreads(const Model& m, const std::vector<uint32_t>& threads) {
  std::vector<uint32_t> selected;
  if (threads.empty()) {
    selected.resize(m.threads.size());
    for (uint32_t i = 0; i < selected.size(); ++i) selected[i] = i;
    return selected;
  }
  for (uint32_t i : threads) {
    if (i < m.threads.size()) selected.push_back(i);
  }
  std::sort(selected.begin(), selected.end());
  selected.erase(std::unique(selected.begin(), selected.end()), selected.end());
  return selected;
}

RangeStats ComputeRangeStats(const Model& m, int64_t from_ns, int64_t to_ns,
                             const std::vector<uint32_t>& threads) {
  RangeStats r;
  r.from_ns = from_ns;
  r.to_ns = to_ns;
  if (from_ns >= to_ns) return r;
  const std::vector<uint32_t> selected = SelectedThreads(m, threads);
  absl::flat_hash_map<uint32_t, ScopeAcc> scopes;
  absl::flat_hash_map<uint64_t, RangeLock> locks;
  std::vector<uint32_t> chain, open;
  for (uint32_t ti : selected) {
    const ThreadModel& t = m.threads[ti];
    if (t.life_start_ns < to_ns && t.life_end_ns > from_ns) {
      ++r.threads;
      const StateDurations d = StatesIn(t, from_ns, to_ns);
      AddTo(&r.states, d);
    }
    AddScopes(t, from_ns, to_ns, scopes, chain, open);
    AddLockWaits(t, from_ns, to_ns, locks);
  }
  r.scopes.reserve(scopes.size());
  for (const auto& [location, a] : scopes) {
    r.scopes.push_back(RangeScope{location, m.LocationName(location), a.instances, a.inside_ns});
  }
  std::sort(r.scopes.begin(), r.scopes.end(), [](const RangeScope& a, const RangeScope& b) {
    return std::tie(b.inside_ns, b.instances, a.name, a.location) <
           std::tie(a.inside_ns, a.instances, b.name, b.location);
  });
  r.locks.reserve(locks.size());
  for (auto& [id, l] : locks) {
    l.name = m.LockName(id);
    r.locks.push_back(std::move(l));
  }
  std::sort(r.locks.begin(), r.locks.end(), [](const RangeLock& a, const RangeLock& b) {
    return std::tie(b.inside_ns, b.waits, a.lock_id) < std::tie(a.inside_ns, a.waits, b.lock_id);
  });
  return r;
}

}  // namespace tracelane::analysis
