#include "viewer/analysis/blame.h"

#include <algorithm>
#include <limits>

namespace tracelane::analysis {
namespace {

// The hold of `lock` on `t` with acquired <= x < released (the latest such), or
// nullptr. Looks back at most 4096 holds.
const LockHold* HoldAt(const ThreadModel& t, uint64_t lock, int64_t x) {
  auto it = std::upper_bound(t.lock_holds.begin(), t.lock_holds.end(), x,
                             [](int64_t v, const LockHold& h) { return v < h.acquired_ns; });
  for (int n = 0; it != t.lock_holds.begin() && n < 4096; ++n) {
    --it;
    if (it->lock_id == lock && it->released_ns > x) return &*it;
  }
  return nullptr;
}

// The first hold of `lock` on `t` acquired in (x, limit], or nullptr. Looks ahead
// at most 4096 holds.
const LockHold* NextHold(const ThreadModel& t, uint64_t lock, int64_t x, int64_t limit) {
  auto it = std::upper_bound(t.lock_holds.begin(), t.lock_holds.end(), x,
                             [](int64_t v, const LockHold& h) { return v < h.acquired_ns; });
  for (int n = 0; it != t.lock_holds.end() && it->acquired_ns <= limit && n < 4096; ++n, ++it) {
    if (it->lock_id == lock) return &*it;
  }
  return nullptr;
}

class Walker {
 public:
  Walker(const Model& m, int64_t* budget, std::vector<BlameSegment>* out)
      : m_(m), budget_(budget), out_(out) {}

  // `waiter` (on path_) waited for `lw`'s lock over [a, b).
  void Lock(uint32_t waiter, const LockWait& lw, int64_t a, int64_t b) {
    uint32_t prev = kNone, prev_scope = kNone;
    for (const HolderSpan& hs : LockHolders(m_, lw.lock_id, waiter, a, b, lw.holder_thread)) {
      if (hs.thread == kNone) {
        // Not held by anyone known: after a release it is the wake-up of the
        // next holder (the hand-off), named after the last holder and its scope.
        hops_.push_back(BlameHopRaw{false, lw.lock_id, prev, prev_scope, false, lw.confidence});
        Emit(hs.start_ns, hs.end_ns, kNone, ThreadState::kLockWait, hs.start_ns,
             prev == kNone ? BlameEnd::kUnknownHolder : BlameEnd::kHandoff);
        hops_.pop_back();
        continue;
      }
      prev = hs.thread;
      prev_scope = ScopeOver(m_.threads[hs.thread], hs.start_ns, hs.end_ns);
      hops_.push_back(
          BlameHopRaw{false, lw.lock_id, hs.thread, prev_scope, hs.hold_cut, lw.confidence});
      Visit(hs.thread, hs.start_ns, hs.end_ns);
      hops_.pop_back();
    }
  }

  // `cw` (with a known notifier) was waited for over [a, b).
  void Cond(const CondWait& cw, int64_t a, int64_t b) {
    const uint32_t n = cw.notifier_thread;
    hops_.push_back(BlameHopRaw{true, cw.cond_id, n, ScopeOver(m_.threads[n], a, b), false, 100});
    Visit(n, a, b);
    hops_.pop_back();
  }

  std::vector<uint32_t>& path() { return path_; }

 private:
  // What `h` (the last hop) did over [a, b); recurses into its waits.
  void Visit(uint32_t h, int64_t a, int64_t b) {
    if (std::find(path_.begin(), path_.end(), h) != path_.end()) {
      const ThreadModel& t = m_.threads[h];
      const ThreadState st =
          t.states.empty() ? ThreadState::kUnknown : t.states[t.StateIndexAt(a)].state;
      Emit(a, b, h, st, a, BlameEnd::kCycle);
      return;
    }
    path_.push_back(h);
    const ThreadModel& t = m_.threads[h];
    const int64_t life_a = std::max(a, t.life_start_ns), life_b = std::min(b, t.life_end_ns);
    if (t.states.empty() || life_a >= life_b) {
      Emit(a, b, h, ThreadState::kUnknown, a, BlameEnd::kRoot);  // outside its life
      path_.pop_back();
      return;
    }
    if (a < life_a) Emit(a, life_a, h, ThreadState::kUnknown, a, BlameEnd::kRoot);
    for (size_t i = t.StateIndexAt(life_a); i < t.states.size() && t.states[i].start_ns < life_b;
         ++i) {
      const int64_t x = std::max(life_a, t.states[i].start_ns);
      const int64_t y = std::min(life_b, t.StateEnd(i));
      if (y <= x) continue;
      --*budget_;
      const ThreadState st = t.states[i].state;
      const bool waits = st == ThreadState::kLockWait || st == ThreadState::kCondvarWait;
      if (waits && (hops_.size() >= static_cast<size_t>(kMaxBlameDepth) || *budget_ <= 0)) {
        Emit(x, y, h, st, x, BlameEnd::kDepthLimit);
        continue;
      }
      if (st == ThreadState::kLockWait) {
        if (const LockWait* w =
                LatestCovering(t.lock_waits, x, [](const LockWait&) { return true; })) {
          Lock(h, *w, x, y);
          continue;
        }
      } else if (st == ThreadState::kCondvarWait) {
        if (const CondWait* w = LatestCovering(
                t.cond_waits, x, [](const CondWait& c) { return c.notifier_thread != kNone; })) {
          Cond(*w, x, y);
          continue;
        }
      }
      Emit(x, y, h, st, x, BlameEnd::kRoot);
    }
    if (life_b < b) Emit(life_b, b, h, ThreadState::kUnknown, life_b, BlameEnd::kRoot);
    path_.pop_back();
  }

  void Emit(int64_t a, int64_t b, uint32_t root, ThreadState st, int64_t at, BlameEnd end) {
    if (b <= a) return;
    out_->push_back(BlameSegment{a, b, hops_, root, st, at, end});
  }

  const Model& m_;
  int64_t* budget_;
  std::vector<BlameSegment>* out_;
  std::vector<BlameHopRaw> hops_;
  std::vector<uint32_t> path_;
};

}  // namespace

uint32_t ScopeOver(const ThreadModel& t, int64_t a, int64_t b) {
  if (b <= a) return t.InnermostScopeAt(a);
  const int64_t len = b - a;
  // A scope covering more than half of [a, b) contains its midpoint; ancestors
  // cover at least as much, so the first from the innermost up is the deepest.
  for (uint32_t s = t.InnermostScopeAt(a + len / 2); s != kNone; s = t.scopes[s].parent) {
    const Scope& sc = t.scopes[s];
    const int64_t overlap = std::min(b, sc.end_ns) - std::max(a, sc.begin_ns);
    if (overlap > len - overlap) return s;
  }
  return kNone;
}

uint32_t HolderScopeOverWait(const Model& m, const LockWait& w) {
  if (w.holder_thread == kNone || w.holder_thread >= m.threads.size()) return kNone;
  const ThreadModel& h = m.threads[w.holder_thread];
  auto it = std::upper_bound(h.lock_holds.begin(), h.lock_holds.end(), w.end_ns,
                             [](int64_t v, const LockHold& l) { return v < l.acquired_ns; });
  int64_t from = w.start_ns, to = w.end_ns, last = w.start_ns;
  for (int n = 0; it != h.lock_holds.begin() && n < 256; ++n) {
    --it;
    if (it->lock_id != w.lock_id) continue;
    if (it->released_ns > it->acquired_ns) from = std::max(from, it->acquired_ns);
    to = std::min(to, it->released_ns);  // a release-only hold: held since before
    last = std::max(it->acquired_ns, std::min(it->released_ns, w.end_ns) - 1);
    break;
  }
  if (to > from) return ScopeOver(h, from, to);
  return h.InnermostScopeAt(last);
}

std::vector<HolderSpan> LockHolders(const Model& m, uint64_t lock, uint32_t waiter, int64_t a,
                                    int64_t b, uint32_t fallback) {
  std::vector<HolderSpan> out;
  bool any = false;
  for (int64_t t = a; t < b;) {
    // A recorded hold covering t: the one released last (shared holds overlap).
    uint32_t best = kNone;
    int64_t best_end = 0;
    for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
      if (ti == waiter) continue;
      const LockHold* h = HoldAt(m.threads[ti], lock, t);
      if (h != nullptr && h->released_ns > best_end) {
        best = ti;
        best_end = h->released_ns;
      }
    }
    if (best != kNone) {
      const int64_t end = std::min(b, best_end);
      out.push_back(HolderSpan{t, end, best, false});
      any = true;
      t = end;
      continue;
    }
    // None: the next hold to begin (a release without its acquisition is a
    // zero-length hold: that thread held it since before, from an unknown time).
    uint32_t next = kNone;
    const LockHold* nh = nullptr;
    for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
      if (ti == waiter) continue;
      const LockHold* h = NextHold(m.threads[ti], lock, t, b);
      if (h != nullptr &&
          (nh == nullptr || h->acquired_ns < nh->acquired_ns ||
           (h->acquired_ns == nh->acquired_ns && h->released_ns == h->acquired_ns))) {
        nh = h;
        next = ti;
      }
    }
    if (nh != nullptr && nh->released_ns == nh->acquired_ns) {
      const int64_t end = std::min(b, nh->released_ns);
      out.push_back(HolderSpan{t, end, next, true});
      any = true;
      t = end;
      continue;
    }
    const int64_t end = nh == nullptr ? b : std::min(b, nh->acquired_ns);
    out.push_back(HolderSpan{t, end, kNone, false});
    t = end;
  }
  if (!any && fallback != kNone && fallback != waiter) return {HolderSpan{a, b, fallback, true}};
  return out;
}

bool FollowWait(const Model& m, uint32_t waiter, ThreadState state, int64_t a, int64_t b,
                int64_t* budget, std::vector<BlameSegment>* out) {
  const ThreadModel& t = m.threads[waiter];
  Walker w(m, budget, out);
  w.path().push_back(waiter);
  if (state == ThreadState::kLockWait) {
    const LockWait* lw = LatestCovering(t.lock_waits, a, [](const LockWait&) { return true; });
    if (lw == nullptr) return false;
    w.Lock(waiter, *lw, a, b);
    return true;
  }
  if (state == ThreadState::kCondvarWait) {
    const CondWait* cw = LatestCovering(
        t.cond_waits, a, [](const CondWait& c) { return c.notifier_thread != kNone; });
    if (cw == nullptr) return false;
    w.Cond(*cw, a, b);
    return true;
  }
  return false;
}

}  // namespace tracelane::analysis
