#include "viewer/analysis/lock_contention.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/blame.h"
#include "viewer/analysis/holds_by_lock.h"
#include "viewer/analysis/range_stats.h"
#include "viewer/analysis/saturating.h"
#include "viewer/lib/parallel.h"

namespace tracelane::analysis {
namespace {

constexpr uint32_t kUnknownHolder = kNone - 1;

struct Acc {
  LockReport r;
  absl::flat_hash_map<uint32_t, CallSite> waiting, holding, holders;
  uint64_t inferred = 0;        // inferred waits added
  uint64_t confidence_sum = 0;  // their confidences
};

std::vector<CallSite> Ranked(absl::flat_hash_map<uint32_t, CallSite>& sites) {
  std::vector<CallSite> out;
  out.reserve(sites.size());
  for (auto& [k, v] : sites) out.push_back(std::move(v));
  std::sort(out.begin(), out.end(), [](const CallSite& a, const CallSite& b) {
    if (a.wait_ns != b.wait_ns) return a.wait_ns > b.wait_ns;
    return a.name < b.name;
  });
  return out;
}

}  // namespace

namespace {

// One recorded hold of a lock, on thread `thread`.
struct HoldRef {
  int64_t acquired_ns;
  int64_t released_ns;  // == acquired_ns: a release without its acquisition (held since before)
  uint32_t thread;
};

// A lock's holds by acquisition, with the running maximum of their releases
// (so the first hold that may still be held at x is a binary search).
struct HoldIndex {
  std::vector<HoldRef> holds;
  std::vector<int64_t> max_released;
};

// The holds of every lock that overlap its waits, by acquisition then thread
// (CollectHoldsByLock; Holding() looks at no other). O(holds + waits log waits +
// kept holds x log threads); 32 bytes per kept hold.
absl::flat_hash_map<uint64_t, HoldIndex> IndexHolds(const Model& m) {
  internal::WaitTimes waits;
  for (const ThreadModel& t : m.threads) {
    for (const LockWait& w : t.lock_waits) waits[w.lock_id].emplace_back(w.start_ns, w.end_ns);
  }
  absl::flat_hash_map<uint64_t, std::vector<HoldRef>> lists;
  internal::CollectHoldsByLock(
      m, std::move(waits), lists,
      [](const LockHold& h, uint32_t ti) {
        return HoldRef{h.acquired_ns, h.released_ns, ti};
      },
      [](const HoldRef& a, const HoldRef& b) { return a.acquired_ns < b.acquired_ns; });
  absl::flat_hash_map<uint64_t, HoldIndex> out;
  for (auto& [id, holds] : lists) {
    HoldIndex& x = out[id];
    x.holds = std::move(holds);
    x.max_released.reserve(x.holds.size());
    int64_t mx = INT64_MIN;
    for (const HoldRef& h : x.holds) {
      mx = std::max(mx, h.released_ns);
      x.max_released.push_back(mx);
    }
  }
  return out;
}

// Accumulates lock reports wait by wait.
class Accumulator {
 public:
  // `holds`: IndexHolds(m), shared by the accumulators of one computation.
  Accumulator(const Model& m, const absl::flat_hash_map<uint64_t, HoldIndex>& holds)
      : m_(m), holds_(holds) {}

  // Adds what another accumulator of the same computation gathered (other waits).
  void Merge(Accumulator&& o) {
    for (auto& [id, x] : o.acc_) {
      Acc& a = acc_[id];
      a.r.waits += x.r.waits;
      AddTo(&a.r.total_wait_ns, x.r.total_wait_ns);
      a.r.cut_waits += x.r.cut_waits;
      a.r.max_wait_ns = std::max(a.r.max_wait_ns, x.r.max_wait_ns);
      a.inferred += x.inferred;
      a.confidence_sum += x.confidence_sum;
      MergeSites(a.waiting, x.waiting);
      MergeSites(a.holding, x.holding);
      MergeSites(a.holders, x.holders);
    }
  }

  void Counters() {
    for (const auto& [id, c] : m_.locks) {
      Acc& a = acc_[id];
      a.r.acquisitions = c.acquisitions;
      a.r.contended = c.contended;
      a.r.try_failed = c.try_failed;
      a.r.releases_with_waiters = c.releases_with_waiters;
      a.r.acquisitions_recorded = !c.acquisitions_unrecorded();
    }
  }

  // Adds wait `w` of thread `ti`, accounting its part [a, b) to it.
  void Add(uint32_t ti, const LockWait& w, int64_t a_ns, int64_t b_ns) {
    const int64_t d = b_ns - a_ns;
    const ThreadModel& t = m_.threads[ti];
    Acc& a = acc_[w.lock_id];
    ++a.r.waits;
    AddTo(&a.r.total_wait_ns, d);
    if (w.confidence < 100) {
      ++a.inferred;
      a.confidence_sum += w.confidence;
    }
    if (w.outcome == WaitOutcome::kOpen || w.outcome == WaitOutcome::kLost) {
      ++a.r.cut_waits;  // a lower bound: never the longest
    } else {
      a.r.max_wait_ns = std::max(a.r.max_wait_ns, w.end_ns - w.start_ns);
    }
    const uint32_t wloc = w.scope == kNone ? kNone : t.scopes[w.scope].location;
    Site(a.waiting, wloc, m_.LocationName(wloc), d);
    Holding(a, ti, w, a_ns, b_ns);
  }

  std::vector<LockReport> Take(bool counters_known) {
    std::vector<LockReport> out;
    out.reserve(acc_.size());
    for (auto& [id, a] : acc_) {
      a.r.lock_id = id;
      a.r.name = m_.LockName(id);
      a.r.counters_known = counters_known;
      // The inferred waits, as counted wait by wait (equal to LockCounters::inferred
      // over the whole capture: every inferred wait is one contended acquisition).
      a.r.inferred = a.inferred;
      if (a.inferred > 0) {
        a.r.inferred_confidence =
            static_cast<int>((a.confidence_sum + a.inferred / 2) / a.inferred);
      }
      a.r.waiting_sites = Ranked(a.waiting);
      a.r.holding_sites = Ranked(a.holding);
      a.r.holder_threads = Ranked(a.holders);
      for (CallSite& c : a.r.holder_threads) c.location = kNone;
      out.push_back(std::move(a.r));
    }
    std::sort(out.begin(), out.end(), [](const LockReport& a, const LockReport& b) {
      if (a.total_wait_ns != b.total_wait_ns) return a.total_wait_ns > b.total_wait_ns;
      if (a.acquisitions != b.acquisitions) return a.acquisitions > b.acquisitions;
      if (a.releases_with_waiters != b.releases_with_waiters) {
        return a.releases_with_waiters > b.releases_with_waiters;
      }
      if (a.waits != b.waits) return a.waits > b.waits;
      return a.lock_id < b.lock_id;
    });
    return out;
  }

 private:
  // Splits [a, b) of waiter `ti`'s wait `w` by who held the lock at each moment
  // (as blame.h's LockHolders: not only the thread that handed it over, so a
  // convoy behind a long hold is charged to that hold), each piece charged to
  // that holder and its scope over the piece (ScopeOver). After a release the
  // lock is free until the waiter runs (the hand-off): charged to the last
  // holder. Without any recorded hold in [a, b), all of it goes to the recorded
  // releaser (w.holder_thread, w.holder_scope), else to "(unknown holder)".
  // A wait counts once per site it is charged to.
  void Holding(Acc& acc, uint32_t ti, const LockWait& w, int64_t a, int64_t b) {
    touched_sites_.clear();
    touched_threads_.clear();
    const auto charge = [&](uint32_t thread, uint32_t scope, int64_t ns) {
      if (ns <= 0) return;
      if (thread == kNone) {
        Site(acc.holding, kUnknownHolder, "(unknown holder)", ns,
             Once(touched_sites_, kUnknownHolder));
        Site(acc.holders, kUnknownHolder, "(unknown holder)", ns,
             Once(touched_threads_, kUnknownHolder));
        return;
      }
      const ThreadModel& h = m_.threads[thread];
      const uint32_t loc = scope == kNone ? kNone : h.scopes[scope].location;
      Site(acc.holding, loc, m_.LocationName(loc), ns, Once(touched_sites_, loc));
      Site(acc.holders, thread, m_.ThreadLabel(thread), ns, Once(touched_threads_, thread));
    };
    int64_t t = a;
    uint32_t prev = kNone, prev_scope = kNone;
    auto found = holds_.find(w.lock_id);
    if (found != holds_.end()) {
      const HoldIndex& x = found->second;
      size_t i =
          static_cast<size_t>(std::upper_bound(x.max_released.begin(), x.max_released.end(), a) -
                              x.max_released.begin());
      for (; i < x.holds.size() && t < b && x.holds[i].acquired_ns < b; ++i) {
        const HoldRef& h = x.holds[i];
        if (h.thread == ti) continue;
        const bool since_before = h.acquired_ns == h.released_ns;
        const int64_t hs = since_before ? t : std::max(h.acquired_ns, t);
        const int64_t he = std::min(h.released_ns, b);
        if (he <= t) continue;  // over already (a shared hold that ended earlier)
        if (hs > t) charge(prev, prev_scope, hs - t);  // free: the hand-off after prev
        prev = h.thread;
        prev_scope = ScopeOver(m_.threads[h.thread], hs, he);
        charge(prev, prev_scope, he - hs);
        t = he;
      }
    }
    if (prev == kNone) {
      charge(w.holder_thread, w.holder_scope, b - a);  // no recorded hold: the releaser
      return;
    }
    charge(prev, prev_scope, b - t);
  }

  // True the first time `key` is seen in `seen`.
  static bool Once(std::vector<uint32_t>& seen, uint32_t key) {
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) return false;
    seen.push_back(key);
    return true;
  }

  static void Site(absl::flat_hash_map<uint32_t, CallSite>& sites, uint32_t key,
                   const std::string& name, int64_t d, bool count_wait = true) {
    CallSite& s = sites[key];
    if (s.waits == 0 && s.wait_ns == 0) {
      s.location = key >= kUnknownHolder ? kNone : key;
      s.name = name;
    }
    s.waits += count_wait ? 1 : 0;
    AddTo(&s.wait_ns, d);
  }

  static void MergeSites(absl::flat_hash_map<uint32_t, CallSite>& to,
                         absl::flat_hash_map<uint32_t, CallSite>& from) {
    for (auto& [key, site] : from) {
      auto [it, inserted] = to.try_emplace(key, std::move(site));
      if (inserted) continue;
      it->second.waits += site.waits;
      AddTo(&it->second.wait_ns, site.wait_ns);
    }
  }

  const Model& m_;
  const absl::flat_hash_map<uint64_t, HoldIndex>& holds_;
  absl::flat_hash_map<uint64_t, Acc> acc_;
  std::vector<uint32_t> touched_sites_, touched_threads_;
};

}  // namespace

std::vector<LockReport> LockContention(const Model& m) {
  const absl::flat_hash_map<uint64_t, HoldIndex> holds = IndexHolds(m);
  // Shares of every thread's waits, on every core; each worker accumulates its
  // own reports, merged at the end (sums, maxima: the result does not depend
  // on the split).
  struct Share {
    uint32_t thread;
    size_t begin, end;
  };
  constexpr size_t kPerShare = 1 << 16;
  std::vector<Share> shares;
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    const size_t n = m.threads[ti].lock_waits.size();
    for (size_t b = 0; b < n; b += kPerShare) shares.push_back({ti, b, std::min(n, b + kPerShare)});
  }
  const int workers = std::min<int>(reader::ResolveWorkers(0),
                                    static_cast<int>(std::max<size_t>(1, shares.size())));
  std::vector<Accumulator> accs;
  accs.reserve(static_cast<size_t>(workers));
  for (int k = 0; k < workers; ++k) accs.emplace_back(m, holds);
  reader::ParallelForWorker(workers, shares.size(), [&](int worker, size_t i) {
    Accumulator& acc = accs[static_cast<size_t>(worker)];
    const Share& sh = shares[i];
    const PodVector<LockWait>& w = m.threads[sh.thread].lock_waits;
    for (size_t j = sh.begin; j < sh.end; ++j) acc.Add(sh.thread, w[j], w[j].start_ns, w[j].end_ns);
  });
  for (size_t k = 1; k < accs.size(); ++k) accs[0].Merge(std::move(accs[k]));
  accs[0].Counters();
  return accs[0].Take(/*counters_known=*/true);
}

std::vector<LockReport> LockContentionIn(const Model& m, int64_t from_ns, int64_t to_ns,
                                         const std::vector<uint32_t>& threads) {
  const absl::flat_hash_map<uint64_t, HoldIndex> holds = IndexHolds(m);
  Accumulator acc(m, holds);
  if (from_ns >= to_ns) return acc.Take(false);
  for (uint32_t ti : SelectedThreads(m, threads)) {
    const ThreadModel& t = m.threads[ti];
    const PodVector<LockWait>& w = t.lock_waits;
    const int64_t lo =
        from_ns > INT64_MIN + t.max_lock_wait_ns ? from_ns - t.max_lock_wait_ns : INT64_MIN;
    auto it = std::lower_bound(w.begin(), w.end(), lo,
                               [](const LockWait& x, int64_t v) { return x.start_ns < v; });
    for (; it != w.end() && it->start_ns < to_ns; ++it) {
      if (!RangeOverlaps(it->start_ns, it->end_ns, from_ns, to_ns)) continue;
      acc.Add(ti, *it, std::max(it->start_ns, from_ns), std::min(it->end_ns, to_ns));
    }
  }
  return acc.Take(/*counters_known=*/false);
}

absl::flat_hash_map<uint64_t, std::vector<LockWaitRef>> WaitsByLock(const Model& m) {
  absl::flat_hash_map<uint64_t, std::vector<LockWaitRef>> out;
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    const PodVector<LockWait>& w = m.threads[ti].lock_waits;
    for (uint32_t i = 0; i < w.size(); ++i) out[w[i].lock_id].push_back(LockWaitRef{ti, i});
  }
  for (auto& [id, list] : out) {
    std::sort(list.begin(), list.end(), [&m](const LockWaitRef& a, const LockWaitRef& b) {
      const int64_t x = m.threads[a.thread].lock_waits[a.index].start_ns;
      const int64_t y = m.threads[b.thread].lock_waits[b.index].start_ns;
      if (x != y) return x < y;
      return a.thread != b.thread ? a.thread < b.thread : a.index < b.index;
    });
  }
  return out;
}

int64_t TotalLockWait(const Model& m) {
  int64_t total = 0;
  for (const ThreadModel& t : m.threads) {
    for (const LockWait& w : t.lock_waits) AddTo(&total, w.end_ns - w.start_ns);
  }
  return total;
}

}  // namespace tracelane::analysis
