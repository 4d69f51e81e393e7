#include "viewer/analysis/lock_contention.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/range_stats.h"

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

// Accumulates lock reports wait by wait.
class Accumulator {
 public:
  explicit Accumulator(const Model& m) : m_(m) {}

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

  // Adds wait `w` of thread `ti`, accounting `d` ns of wait time to it.
  void Add(uint32_t ti, const LockWait& w, int64_t d) {
    const ThreadModel& t = m_.threads[ti];
    Acc& a = acc_[w.lock_id];
    ++a.r.waits;
    a.r.total_wait_ns += d;
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
    if (w.holder_thread == kNone) {
      Site(a.holding, kUnknownHolder, "(unknown holder)", d);
      Site(a.holders, kUnknownHolder, "(unknown holder)", d);
    } else {
      const ThreadModel& h = m_.threads[w.holder_thread];
      const uint32_t hloc = w.holder_scope == kNone ? kNone : h.scopes[w.holder_scope].location;
      Site(a.holding, hloc, m_.LocationName(hloc), d);
      Site(a.holders, w.holder_thread, m_.ThreadLabel(w.holder_thread), d);
    }
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
  static void Site(absl::flat_hash_map<uint32_t, CallSite>& sites, uint32_t key,
                   const std::string& name, int64_t d) {
    CallSite& s = sites[key];
    if (s.waits == 0) {
      s.location = key >= kUnknownHolder ? kNone : key;
      s.name = name;
    }
    ++s.waits;
    s.wait_ns += d;
  }

  const Model& m_;
  absl::flat_hash_map<uint64_t, Acc> acc_;
};

}  // namespace

std::vector<LockReport> LockContention(const Model& m) {
  Accumulator acc(m);
  acc.Counters();
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    for (const LockWait& w : m.threads[ti].lock_waits) acc.Add(ti, w, w.end_ns - w.start_ns);
  }
  return acc.Take(/*counters_known=*/true);
}

std::vector<LockReport> LockContentionIn(const Model& m, int64_t from_ns, int64_t to_ns,
                                         const std::vector<uint32_t>& threads) {
  Accumulator acc(m);
  if (from_ns >= to_ns) return acc.Take(false);
  for (uint32_t ti : SelectedThreads(m, threads)) {
    const ThreadModel& t = m.threads[ti];
    const std::vector<LockWait>& w = t.lock_waits;
    const int64_t lo =
        from_ns > INT64_MIN + t.max_lock_wait_ns ? from_ns - t.max_lock_wait_ns : INT64_MIN;
    auto it = std::lower_bound(w.begin(), w.end(), lo,
                               [](const LockWait& x, int64_t v) { return x.start_ns < v; });
    for (; it != w.end() && it->start_ns < to_ns; ++it) {
      if (!RangeOverlaps(it->start_ns, it->end_ns, from_ns, to_ns)) continue;
      acc.Add(ti, *it, TimeInside(it->start_ns, it->end_ns, from_ns, to_ns));
    }
  }
  return acc.Take(/*counters_known=*/false);
}

absl::flat_hash_map<uint64_t, std::vector<LockWaitRef>> WaitsByLock(const Model& m) {
  absl::flat_hash_map<uint64_t, std::vector<LockWaitRef>> out;
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    const std::vector<LockWait>& w = m.threads[ti].lock_waits;
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
    for (const LockWait& w : t.lock_waits) total += w.end_ns - w.start_ns;
  }
  return total;
}

}  // namespace tracelane::analysis
