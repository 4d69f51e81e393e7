#include "viewer/analysis/lock_contention.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

namespace tracelane::analysis {
namespace {

constexpr uint32_t kUnknownHolder = kNone - 1;

struct Acc {
  LockReport r;
  absl::flat_hash_map<uint32_t, CallSite> waiting, holding, holders;
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

std::vector<LockReport> LockContention(const Model& m) {
  absl::flat_hash_map<uint64_t, Acc> acc;
  for (const auto& [id, c] : m.locks) {
    Acc& a = acc[id];
    a.r.acquisitions = c.acquisitions;
    a.r.contended = c.contended;
    a.r.try_failed = c.try_failed;
    a.r.releases_with_waiters = c.releases_with_waiters;
  }
  const auto site = [&](absl::flat_hash_map<uint32_t, CallSite>& sites, uint32_t key,
                        const std::string& name, int64_t d) {
    CallSite& s = sites[key];
    if (s.waits == 0) {
      s.location = key >= kUnknownHolder ? kNone : key;
      s.name = name;
    }
    ++s.waits;
    s.wait_ns += d;
  };
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    const ThreadModel& t = m.threads[ti];
    for (const LockWait& w : t.lock_waits) {
      Acc& a = acc[w.lock_id];
      const int64_t d = w.end_ns - w.start_ns;
      ++a.r.waits;
      a.r.total_wait_ns += d;
      if (w.outcome == WaitOutcome::kOpen || w.outcome == WaitOutcome::kLost) {
        ++a.r.cut_waits;  // a lower bound: never the longest
      } else {
        a.r.max_wait_ns = std::max(a.r.max_wait_ns, d);
      }
      const uint32_t wloc = w.scope == kNone ? kNone : t.scopes[w.scope].location;
      site(a.waiting, wloc, m.LocationName(wloc), d);
      if (w.holder_thread == kNone) {
        site(a.holding, kUnknownHolder, "(unknown holder)", d);
        site(a.holders, kUnknownHolder, "(unknown holder)", d);
      } else {
        const ThreadModel& h = m.threads[w.holder_thread];
        const uint32_t hloc = w.holder_scope == kNone ? kNone : h.scopes[w.holder_scope].location;
        site(a.holding, hloc, m.LocationName(hloc), d);
        site(a.holders, w.holder_thread, m.ThreadLabel(w.holder_thread), d);
      }
    }
  }
  std::vector<LockReport> out;
  out.reserve(acc.size());
  for (auto& [id, a] : acc) {
    a.r.lock_id = id;
    a.r.name = m.LockName(id);
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
    return a.lock_id < b.lock_id;
  });
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
