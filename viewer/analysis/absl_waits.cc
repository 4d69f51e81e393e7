#include "viewer/analysis/absl_waits.h"

#include <algorithm>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "viewer/analysis/blame.h"
#include "viewer/analysis/states.h"

namespace tracelane::analysis {
namespace {

// The counter sample may follow the release by a little (emitted right after it).
constexpr int64_t kCounterSlackNs = 100000;
constexpr int64_t kConsistentMinNs = 200000;

struct Release {
  int64_t at;
  uint32_t thread;
  uint64_t lock;
  int64_t wait_ns;  // reported by abseil, -1 if unknown
};

struct Candidate {
  uint32_t thread;
  size_t span;
  int64_t start, end;
  bool consistent;
};

bool UserBlockAt(const ThreadModel& t, int64_t x) {
  auto it = std::upper_bound(t.blocks.begin(), t.blocks.end(), x,
                             [](int64_t v, const Block& b) { return v < b.start_ns; });
  for (int n = 0; it != t.blocks.begin() && n < 256; ++n) {
    --it;
    if (it->end_ns > x && StateOfBlock(it->kind) == ThreadState::kUnknown) return true;
  }
  return false;
}

// The releases with their reported waits, by time.
std::vector<Release> Releases(const Model& m) {
  absl::flat_hash_set<uint64_t> release_only;
  for (const auto& [id, c] : m.locks) {
    if (c.acquisitions_unrecorded()) release_only.insert(id);
  }
  std::vector<Release> out;
  if (release_only.empty()) return out;
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    for (const LockHold& h : m.threads[ti].lock_holds) {
      if (h.acquired_ns == h.released_ns && release_only.contains(h.lock_id)) {
        out.push_back(Release{h.released_ns, ti, h.lock_id, -1});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Release& a, const Release& b) { return a.at < b.at; });
  const CounterTrack* waits = nullptr;
  for (const CounterTrack& c : m.counters) {
    if (m.LocationName(c.location) == kAbslWaitCounterName) waits = &c;
  }
  if (waits == nullptr) return out;
  for (Release& r : out) {
    auto it = std::lower_bound(waits->points.begin(), waits->points.end(), r.at,
                               [](const CounterPoint& p, int64_t v) { return p.ts_ns < v; });
    for (; it != waits->points.end() && it->ts_ns <= r.at + kCounterSlackNs; ++it) {
      if (it->thread == r.thread && it->value >= 0) {
        r.wait_ns = static_cast<int64_t>(it->value * 1000.0);
        break;
      }
    }
  }
  return out;
}

}  // namespace

AbslWaitStats AttributeAbslWaits(Model& m) {
  AbslWaitStats st;
  if (m.scheduler != SchedulerSource::kPerf) return st;
  const std::vector<Release> releases = Releases(m);
  if (releases.empty()) return st;
  absl::flat_hash_set<std::pair<uint32_t, int64_t>> claimed;
  absl::flat_hash_map<uint32_t, std::vector<StateOverlay>> overlays;
  absl::flat_hash_map<uint32_t, int64_t> last_end;
  std::vector<Candidate> cands;
  for (const Release& r : releases) {
    ++st.releases;
    cands.clear();
    for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
      const ThreadModel& t = m.threads[ti];
      if (ti == r.thread || t.states.empty()) continue;
      if (r.at - 1 < t.life_start_ns || r.at - 1 >= t.life_end_ns) continue;
      const size_t i = t.StateIndexAt(r.at - 1);
      const int64_t s = t.states[i].start_ns, e = t.StateEnd(i);
      if (t.states[i].state != ThreadState::kUnknown || s > r.at - 1 || e < r.at) continue;
      if (e > r.at + kAbslMaxWakeNs || e >= t.life_end_ns) continue;  // not switched in (soon)
      if (t.GapAt(r.at - 1) != nullptr || UserBlockAt(t, r.at - 1)) continue;
      if (claimed.contains(std::make_pair(ti, s))) continue;
      const bool consistent = r.wait_ns >= 0 && std::abs(s - (r.at - r.wait_ns)) <=
                                                    std::max(kConsistentMinNs, r.wait_ns / 10);
      cands.push_back(Candidate{ti, i, s, e, consistent});
    }
    const auto first_in = [](const Candidate& a, const Candidate& b) {
      return a.end != b.end ? a.end < b.end : a.thread < b.thread;
    };
    const Candidate* pick = nullptr;
    int confidence = 0;
    size_t consistent = 0;
    for (const Candidate& c : cands) consistent += c.consistent;
    if (consistent > 0) {
      for (const Candidate& c : cands) {
        if (c.consistent && (pick == nullptr || first_in(c, *pick))) pick = &c;
      }
      confidence = consistent == 1 ? 90 : 70;
    } else if (r.wait_ns < 0 && !cands.empty()) {
      for (const Candidate& c : cands) {
        if (pick == nullptr || first_in(c, *pick)) pick = &c;
      }
      confidence = cands.size() == 1 ? 60 : 40;
    }
    if (pick == nullptr) {
      ++st.unmatched;
      continue;
    }
    st.ambiguous += (consistent > 1) || (consistent == 0 && cands.size() > 1);
    ++st.inferred;
    claimed.insert(std::make_pair(pick->thread, pick->start));
    ThreadModel& t = m.threads[pick->thread];
    // The wait began at r - W: walk back over the spin before the block (only
    // over Running / Runnable, never over another wait).
    int64_t start = pick->start;
    const int64_t lower =
        std::max(r.wait_ns >= 0 ? r.at - r.wait_ns : pick->start,
                 last_end.contains(pick->thread) ? last_end[pick->thread] : t.life_start_ns);
    for (size_t j = pick->span; j > 0 && start > lower; --j) {
      const ThreadState prev = t.states[j - 1].state;
      if (prev != ThreadState::kRunning && prev != ThreadState::kRunnable) break;
      start = std::max(lower, t.states[j - 1].start_ns);
    }
    last_end[pick->thread] = pick->end;
    LockWait w{start,
               pick->end,
               r.lock,
               r.thread,
               kNone,
               t.InnermostScopeAt(start),
               WaitOutcome::kAcquired};
    w.holder_scope = HolderScopeOverWait(m, w);  // over [start, release)
    w.confidence = static_cast<uint8_t>(confidence);
    t.lock_waits.push_back(w);
    // The lock table counts it: a contended acquisition, inferred.
    LockCounters& lc = m.locks[r.lock];
    ++lc.acquisitions;
    ++lc.contended;
    ++lc.inferred;
    lc.inferred_confidence_sum += w.confidence;
    t.max_lock_wait_ns = std::max(t.max_lock_wait_ns, w.end_ns - w.start_ns);
    overlays[pick->thread].push_back(StateOverlay{start, pick->end, ThreadState::kLockWait});
  }
  for (auto& [ti, ov] : overlays) {
    ThreadModel& t = m.threads[ti];
    t.states = Overlay(t.states, t.life_end_ns, std::move(ov));
    std::stable_sort(t.lock_waits.begin(), t.lock_waits.end(),
                     [](const LockWait& a, const LockWait& b) { return a.start_ns < b.start_ns; });
  }
  return st;
}

}  // namespace tracelane::analysis
