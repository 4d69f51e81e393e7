// Range statistics (the viewer's range selection): a planted trace with known
// answers, and a brute-force oracle on random traces.
#include "viewer/analysis/range_stats.h"

#include <algorithm>
#include <random>
#include <tuple>

#include "gtest/gtest.h"
#include "tests/analysis/random_trace.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::analysis {
namespace {

using testing::MustLoad;
using testing::SyntheticTrace;
using testing::ThreadIndex;

constexpr int64_t kMs = 1000000;
constexpr uint64_t kDb = 7, kCache = 8, kLog = 9;

// Selected range [25, 40) ms of a capture [1, 101) ms.
//   A (10): outer [10,50) > inner [20,30) > outer [22,28) > tick [25,25); inner [35,45);
//           early [2,5); late [40,60); waits on db [38,45).
//   B (11): outer [30,60); waits on cache [10,20) and on db [20,32).
//   C (12): waits on log [3,70).
//   D (13): exits at 30 ms.  E (14): starts at 50 ms, scope [55,56).
std::string PlantedTrace() {
  SyntheticTrace tr(1 * kMs, 101 * kMs);
  tr.Property("scheduler_source", "perf");
  tr.NameObject(format::ObjectKind::kLock, kDb, "db");
  tr.NameObject(format::ObjectKind::kLock, kLog, "log");
  const int a = tr.Thread(10, "a");
  const int b = tr.Thread(11, "b");
  const int c = tr.Thread(12, "c");
  tr.Thread(13, "d", 0, 30 * kMs);
  const int e = tr.Thread(14, "e", 50 * kMs);
  tr.Scope(a, "early", 2 * kMs, 5 * kMs);
  tr.Scope(a, "outer", 10 * kMs, 50 * kMs);
  tr.Scope(a, "inner", 20 * kMs, 30 * kMs);
  tr.Scope(a, "outer", 22 * kMs, 28 * kMs);
  tr.Scope(a, "tick", 25 * kMs, 25 * kMs);
  tr.Scope(a, "inner", 35 * kMs, 45 * kMs);
  tr.Scope(a, "late", 50 * kMs, 60 * kMs);
  tr.WaitHold(a, kDb, 38 * kMs, 45 * kMs, 46 * kMs, 11);
  tr.Scope(b, "outer", 30 * kMs, 60 * kMs);
  tr.WaitHold(b, kCache, 10 * kMs, 20 * kMs, 20 * kMs, 0);
  tr.WaitHold(b, kDb, 20 * kMs, 32 * kMs, 33 * kMs, 10);
  tr.WaitHold(c, kLog, 3 * kMs, 70 * kMs, 71 * kMs, 0);
  tr.Scope(e, "late", 55 * kMs, 56 * kMs);
  return tr.Encode();
}

using ScopeRow = std::tuple<std::string, uint64_t, int64_t>;          // name, instances, inside
using LockRow = std::tuple<std::string, uint64_t, int64_t, int64_t>;  // name, waits, inside, max

std::vector<ScopeRow> Scopes(const RangeStats& r) {
  std::vector<ScopeRow> v;
  for (const RangeScope& s : r.scopes) v.emplace_back(s.name, s.instances, s.inside_ns);
  return v;
}

std::vector<LockRow> Locks(const RangeStats& r) {
  std::vector<LockRow> v;
  for (const RangeLock& l : r.locks) v.emplace_back(l.name, l.waits, l.inside_ns, l.max_wait_ns);
  return v;
}

TEST(RangeStatsTest, PlantedTraceAllThreads) {
  const Model m = MustLoad(PlantedTrace());
  const RangeStats r = ComputeRangeStats(m, 25 * kMs, 40 * kMs);
  EXPECT_EQ(r.from_ns, 25 * kMs);
  EXPECT_EQ(r.to_ns, 40 * kMs);
  EXPECT_EQ(r.threads, 4u);  // a, b, c whole range; d until it exits; e not yet started
  EXPECT_EQ(Sum(r.states), 3 * 15 * kMs + 5 * kMs);
  // Lock wait: b 25..32, a 38..40, c 25..40.
  EXPECT_EQ(Get(r.states, ThreadState::kLockWait), 24 * kMs);
  EXPECT_EQ(Get(r.states, ThreadState::kRunning), 26 * kMs);
  // outer: a's [10,50) counts 15 ms (its nested outer [22,28) not again), b's 10 ms.
  EXPECT_EQ(Scopes(r), (std::vector<ScopeRow>{
                           {"outer", 3, 25 * kMs}, {"inner", 2, 10 * kMs}, {"tick", 1, 0}}));
  // log: one wait from before the range to after it; db: crossing each edge.
  EXPECT_EQ(Locks(r),
            (std::vector<LockRow>{{"log", 1, 15 * kMs, 67 * kMs}, {"db", 2, 9 * kMs, 12 * kMs}}));
  EXPECT_EQ(r.locks[1].lock_id, kDb);
}

TEST(RangeStatsTest, PlantedTraceSelectedThreads) {
  const Model m = MustLoad(PlantedTrace());
  const uint32_t a = ThreadIndex(m, 10);
  for (const std::vector<uint32_t>& sel :
       {std::vector<uint32_t>{a}, std::vector<uint32_t>{a, a, 999}}) {
    const RangeStats r = ComputeRangeStats(m, 25 * kMs, 40 * kMs, sel);
    EXPECT_EQ(r.threads, 1u);
    EXPECT_EQ(Sum(r.states), 15 * kMs);
    EXPECT_EQ(Get(r.states, ThreadState::kLockWait), 2 * kMs);
    EXPECT_EQ(Scopes(r), (std::vector<ScopeRow>{
                             {"outer", 2, 15 * kMs}, {"inner", 2, 10 * kMs}, {"tick", 1, 0}}));
    EXPECT_EQ(Locks(r), (std::vector<LockRow>{{"db", 1, 2 * kMs, 7 * kMs}}));
  }
  // A thread that is not alive in the range contributes nothing.
  const RangeStats e = ComputeRangeStats(m, 25 * kMs, 40 * kMs, {ThreadIndex(m, 14)});
  EXPECT_EQ(e.threads, 0u);
  EXPECT_EQ(Sum(e.states), 0);
  EXPECT_TRUE(e.scopes.empty());
}

TEST(RangeStatsTest, RangeEdgesAndEmptyRanges) {
  const Model m = MustLoad(PlantedTrace());
  // A range that starts exactly where a scope ends and ends where one begins.
  const RangeStats r = ComputeRangeStats(m, 45 * kMs, 50 * kMs, {ThreadIndex(m, 10)});
  EXPECT_EQ(Scopes(r), (std::vector<ScopeRow>{{"outer", 1, 5 * kMs}}));
  EXPECT_TRUE(r.locks.empty());  // db wait ended at 45
  for (const auto& [from, to] :
       {std::pair<int64_t, int64_t>{30 * kMs, 30 * kMs}, {40 * kMs, 30 * kMs}}) {
    const RangeStats e = ComputeRangeStats(m, from, to);
    EXPECT_EQ(e.threads, 0u);
    EXPECT_EQ(Sum(e.states), 0);
    EXPECT_TRUE(e.scopes.empty());
    EXPECT_TRUE(e.locks.empty());
  }
  // Outside the capture.
  EXPECT_EQ(ComputeRangeStats(m, 200 * kMs, 300 * kMs).threads, 0u);
  // The whole domain: the states of every thread's life.
  const RangeStats all = ComputeRangeStats(m, m.start_ns, m.end_ns);
  EXPECT_EQ(all.states, TotalStates(m));
  EXPECT_EQ(all.threads, 5u);
}

// Brute force: every state span, scope and wait of every selected thread; a
// location's inside time is the measure of the union of its clipped instances.
RangeStats Oracle(const Model& m, int64_t from, int64_t to, std::vector<uint32_t> sel) {
  RangeStats r;
  r.from_ns = from;
  r.to_ns = to;
  if (from >= to) return r;
  if (sel.empty()) {
    for (uint32_t i = 0; i < m.threads.size(); ++i) sel.push_back(i);
  }
  std::sort(sel.begin(), sel.end());
  sel.erase(std::unique(sel.begin(), sel.end()), sel.end());
  const auto overlaps = [&](int64_t b, int64_t e) { return b < to && (e > from || b >= from); };
  std::map<uint32_t, RangeScope> scopes;
  std::map<uint64_t, RangeLock> locks;
  for (uint32_t ti : sel) {
    if (ti >= m.threads.size()) continue;
    const ThreadModel& t = m.threads[ti];
    if (t.life_start_ns < to && t.life_end_ns > from) ++r.threads;
    for (size_t i = 0; i < t.states.size(); ++i) {
      const int64_t a = std::max(from, t.states[i].start_ns), b = std::min(to, t.StateEnd(i));
      if (b > a) r.states[static_cast<int>(t.states[i].state)] += b - a;
    }
    std::map<uint32_t, std::vector<std::pair<int64_t, int64_t>>> clipped;
    for (const Scope& s : t.scopes) {
      if (!overlaps(s.begin_ns, s.end_ns)) continue;
      RangeScope& x =
          scopes.try_emplace(s.location, RangeScope{s.location, "", 0, 0}).first->second;
      ++x.instances;
      clipped[s.location].emplace_back(std::max(from, s.begin_ns), std::min(to, s.end_ns));
    }
    for (auto& [loc, v] : clipped) {
      std::sort(v.begin(), v.end());
      int64_t covered = INT64_MIN;
      for (const auto& [a, b] : v) {
        const int64_t lo = std::max(a, covered);
        if (b > lo) scopes[loc].inside_ns += b - lo;
        covered = std::max(covered, b);
      }
    }
    for (const LockWait& w : t.lock_waits) {
      if (!overlaps(w.start_ns, w.end_ns)) continue;
      RangeLock& l =
          locks.try_emplace(w.lock_id, RangeLock{w.lock_id, "", 0, 0, 0, 0}).first->second;
      ++l.waits;
      l.inside_ns += std::max<int64_t>(0, std::min(to, w.end_ns) - std::max(from, w.start_ns));
      if (w.outcome == WaitOutcome::kOpen || w.outcome == WaitOutcome::kLost) {
        ++l.cut_waits;
      } else {
        l.max_wait_ns = std::max(l.max_wait_ns, w.end_ns - w.start_ns);
      }
    }
  }
  for (auto& [loc, s] : scopes) {
    s.name = m.LocationName(loc);
    r.scopes.push_back(s);
  }
  for (auto& [id, l] : locks) {
    l.name = m.LockName(id);
    r.locks.push_back(l);
  }
  std::sort(r.scopes.begin(), r.scopes.end(), [](const RangeScope& a, const RangeScope& b) {
    if (a.inside_ns != b.inside_ns) return a.inside_ns > b.inside_ns;
    if (a.instances != b.instances) return a.instances > b.instances;
    return a.name != b.name ? a.name < b.name : a.location < b.location;
  });
  std::sort(r.locks.begin(), r.locks.end(), [](const RangeLock& a, const RangeLock& b) {
    if (a.inside_ns != b.inside_ns) return a.inside_ns > b.inside_ns;
    return a.waits != b.waits ? a.waits > b.waits : a.lock_id < b.lock_id;
  });
  return r;
}

std::string Diff(const RangeStats& got, const RangeStats& want) {
  if (got.threads != want.threads) return "threads";
  if (got.states != want.states) return "states";
  if (got.scopes.size() != want.scopes.size()) return "number of scopes";
  for (size_t i = 0; i < got.scopes.size(); ++i) {
    const RangeScope &g = got.scopes[i], &w = want.scopes[i];
    if (std::tie(g.location, g.name, g.instances, g.inside_ns) !=
        std::tie(w.location, w.name, w.instances, w.inside_ns)) {
      return "scope " + w.name;
    }
  }
  if (got.locks.size() != want.locks.size()) return "number of locks";
  for (size_t i = 0; i < got.locks.size(); ++i) {
    const RangeLock &g = got.locks[i], &w = want.locks[i];
    if (std::tie(g.lock_id, g.name, g.waits, g.inside_ns, g.max_wait_ns, g.cut_waits) !=
        std::tie(w.lock_id, w.name, w.waits, w.inside_ns, w.max_wait_ns, w.cut_waits)) {
      return "lock " + w.name;
    }
  }
  return "";
}

TEST(RangeStatsTest, MatchesBruteForceOnRandomTraces) {
  int compared = 0, with_scopes = 0, with_locks = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    testing::RandomTraceOptions o;
    o.schedstat = seed % 4 == 0;
    const Model m = MustLoad(testing::RandomTrace(seed, o));
    std::mt19937_64 rng(seed * 7919);
    // Range ends on the items' own edges as well as anywhere.
    std::vector<int64_t> edges = {m.start_ns, m.end_ns};
    for (const ThreadModel& t : m.threads) {
      for (const Scope& s : t.scopes) edges.insert(edges.end(), {s.begin_ns, s.end_ns});
      for (const LockWait& w : t.lock_waits) edges.insert(edges.end(), {w.start_ns, w.end_ns});
    }
    const auto pick = [&]() -> int64_t {
      if (rng() % 2) return edges[rng() % edges.size()];
      return m.start_ns - 100000 + static_cast<int64_t>(rng() % (m.duration_ns() + 200000));
    };
    for (int k = 0; k < 60; ++k) {
      int64_t from = pick(), to = pick();
      if (from > to && k % 10 != 0) std::swap(from, to);
      std::vector<uint32_t> sel;
      if (k % 3 == 1) {
        for (uint32_t i = 0; i < m.threads.size(); ++i) {
          if (rng() % 2) sel.push_back(i);
        }
      }
      const RangeStats got = ComputeRangeStats(m, from, to, sel);
      const RangeStats want = Oracle(m, from, to, sel);
      ASSERT_EQ(Diff(got, want), "")
          << "seed " << seed << " range [" << from << ", " << to << ") threads " << sel.size();
      ++compared;
      with_scopes += !got.scopes.empty();
      with_locks += !got.locks.empty();
    }
  }
  // The comparisons were not vacuous.
  EXPECT_EQ(compared, 40 * 60);
  EXPECT_GT(with_scopes, 1000);
  EXPECT_GT(with_locks, 500);
}

}  // namespace
}  // namespace tracelane::analysis
