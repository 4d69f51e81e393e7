// Thread states: precedence, capture cuts, scheduler sources and the property
// that every thread's states partition its life (sum to wall time).
#include "viewer/analysis/states.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/analysis/random_trace.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/explain.h"
#include "viewer/analysis/mmu.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::analysis {
namespace {

using format::BlockKind;
using format::EventType;
using testing::MustLoad;
using testing::SyntheticTrace;
using testing::ThreadIndex;
using S = ThreadState;

constexpr int64_t kMs = 1000000;

int64_t In(const ThreadModel& t, S s) { return Get(ThreadTotals(t), s); }

// Every structural invariant of a thread; returns "" or the first violation.
std::string CheckThread(const ThreadModel& t) {
  if (t.life_end_ns < t.life_start_ns) return "life ends before it starts";
  if (t.wall_ns() == 0) return t.states.empty() ? "" : "states in an empty life";
  if (t.states.empty()) return "no states";
  if (t.states.front().start_ns != t.life_start_ns) return "states do not start at the life start";
  for (size_t i = 0; i < t.states.size(); ++i) {
    if (t.StateEnd(i) <= t.states[i].start_ns) return "empty or backwards state span";
    if (i > 0 && t.states[i].state == t.states[i - 1].state) return "unmerged equal neighbours";
  }
  if (Sum(ThreadTotals(t)) != t.wall_ns()) return "states do not sum to wall time";
  for (uint32_t i = 0; i < t.scopes.size(); ++i) {
    const Scope& s = t.scopes[i];
    if (s.end_ns < s.begin_ns) return "scope ends before it begins";
    if (s.begin_ns < t.life_start_ns || s.end_ns > t.life_end_ns) return "scope outside life";
    if (i > 0 && s.begin_ns < t.scopes[i - 1].begin_ns) return "scopes not sorted by begin";
    if (s.parent != kNone) {
      if (s.parent >= i) return "parent after child";
      const Scope& p = t.scopes[s.parent];
      if (s.begin_ns < p.begin_ns || s.end_ns > p.end_ns) return "child outside parent";
    }
    if (t.InnermostScopeAt(s.begin_ns) == kNone && s.end_ns > s.begin_ns) {
      return "scope not found at its begin";
    }
  }
  size_t by_depth = 0;
  for (size_t d = 0; d < t.scopes_by_depth.size(); ++d) {
    for (size_t k = 0; k < t.scopes_by_depth[d].size(); ++k) {
      const uint32_t i = t.scopes_by_depth[d][k];
      if (i >= t.scopes.size()) return "scopes_by_depth has an index past the scopes";
      if (t.Depth(i) != static_cast<int>(d)) return "scopes_by_depth has a wrong depth";
      if (k > 0 && i <= t.scopes_by_depth[d][k - 1]) return "scopes_by_depth not by index";
    }
    by_depth += t.scopes_by_depth[d].size();
  }
  if (by_depth != t.scopes.size()) return "scopes_by_depth misses scopes";
  for (const LockWait& w : t.lock_waits) {
    if (w.end_ns < w.start_ns) return "lock wait ends before it starts";
  }
  return "";
}

TEST(StateTrackerTest, PrecedenceOrder) {
  StateTracker t;
  EXPECT_EQ(t.Current(), S::kRunning);
  t.SetOffCpu(StateTracker::OffCpu::kVoluntary);
  EXPECT_EQ(t.Current(), S::kUnknown);
  t.SetOffCpu(StateTracker::OffCpu::kPreempted);
  EXPECT_EQ(t.Current(), S::kRunnable);
  t.Add(StateTracker::kUserBlock, 1);
  EXPECT_EQ(t.Current(), S::kRunnable);  // runnable outranks unknown
  t.Add(StateTracker::kSyscall, 1);
  EXPECT_EQ(t.Current(), S::kSyscall);
  t.Add(StateTracker::kSleep, 1);
  EXPECT_EQ(t.Current(), S::kSleep);
  t.Add(StateTracker::kIo, 1);
  EXPECT_EQ(t.Current(), S::kIoWait);
  t.Add(StateTracker::kCondvar, 1);
  EXPECT_EQ(t.Current(), S::kCondvarWait);
  t.Add(StateTracker::kLock, 1);
  EXPECT_EQ(t.Current(), S::kLockWait);
  t.Add(StateTracker::kPause, 1);
  EXPECT_EQ(t.Current(), S::kPaused);
  t.Add(StateTracker::kPause, -1);
  EXPECT_EQ(t.Current(), S::kLockWait);
}

TEST(OverlayTest, HigherPrecedenceWinsAndPartitionIsKept) {
  const PodVector<StateSpan> base = {{0, S::kRunning}, {10, S::kLockWait}, {20, S::kRunning}};
  const PodVector<StateSpan> out = Overlay(base, 30, {{5, 15, S::kPaused}, {18, 25, S::kRunnable}});
  const std::vector<std::pair<int64_t, S>> want = {
      {0, S::kRunning}, {5, S::kPaused}, {15, S::kLockWait}, {20, S::kRunnable}, {25, S::kRunning}};
  ASSERT_EQ(out.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(out[i].start_ns, want[i].first) << i;
    EXPECT_EQ(out[i].state, want[i].second) << i;
  }
}

TEST(SchedSampleTest, SpreadsWaitAndOffCpuOverRunningGaps) {
  // [0,100): running; samples at 100 say run 40, wait 30 -> 30 unexplained off-CPU.
  PodVector<StateSpan> base = {{0, S::kRunning}};
  PodVector<StateSpan> out = SpreadSchedSamples(base, 100, {{100, 40, 30}});
  int64_t sums[kNumStates] = {};
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t end = i + 1 < out.size() ? out[i + 1].start_ns : 100;
    sums[static_cast<int>(out[i].state)] += end - out[i].start_ns;
  }
  EXPECT_EQ(sums[static_cast<int>(S::kRunning)], 40);
  EXPECT_EQ(sums[static_cast<int>(S::kRunnable)], 30);
  EXPECT_EQ(sums[static_cast<int>(S::kUnknown)], 30);
}

TEST(ThreadStatesTest, PlantedStatesHaveExactDurations) {
  SyntheticTrace tr(1 * kMs, 101 * kMs);
  tr.Property("scheduler_source", "perf");
  const int a = tr.Thread(10, "a");
  const int b = tr.Thread(11, "b");
  tr.Scope(a, "work", 1 * kMs, 100 * kMs);
  tr.WaitHold(a, 7, 10 * kMs, 15 * kMs, 16 * kMs, 11);      // 5 ms lock wait
  tr.Block(a, "read", BlockKind::kIo, 20 * kMs, 23 * kMs);  // 3 ms io
  tr.Block(a, "nap", BlockKind::kSleep, 30 * kMs, 32 * kMs);
  tr.Block(a, "sys", BlockKind::kSyscall, 40 * kMs, 41 * kMs);
  tr.Pause(a, "alloc", 50 * kMs, 54 * kMs);  // 4 ms paused
  tr.SchedOut(a, 60 * kMs, true);
  tr.SchedIn(a, 62 * kMs);  // 2 ms runnable
  tr.SchedOut(a, 70 * kMs, false);
  tr.SchedIn(a, 77 * kMs);  // 7 ms unknown
  tr.RawArg(a, 80 * kMs, EventType::kCondWait, 3, 0);
  tr.RawArg(a, 86 * kMs, EventType::kCondWake, 3, 11);  // 6 ms condvar
  tr.Hold(b, 7, 5 * kMs, 15 * kMs, true);
  tr.Stw(b, "gc", 90 * kMs, 91 * kMs);  // 1 ms paused on every thread
  const Model m = MustLoad(tr.Encode());
  ASSERT_EQ(m.threads.size(), 2u);
  const ThreadModel& ta = m.threads[ThreadIndex(m, 10)];
  EXPECT_EQ(CheckThread(ta), "");
  EXPECT_EQ(ta.wall_ns(), 100 * kMs);
  EXPECT_EQ(In(ta, S::kLockWait), 5 * kMs);
  EXPECT_EQ(In(ta, S::kIoWait), 3 * kMs);
  EXPECT_EQ(In(ta, S::kSleep), 2 * kMs);
  EXPECT_EQ(In(ta, S::kSyscall), 1 * kMs);
  EXPECT_EQ(In(ta, S::kPaused), 5 * kMs);  // 4 own + 1 stop-the-world
  EXPECT_EQ(In(ta, S::kRunnable), 2 * kMs);
  EXPECT_EQ(In(ta, S::kUnknown), 7 * kMs);
  EXPECT_EQ(In(ta, S::kCondvarWait), 6 * kMs);
  EXPECT_EQ(In(ta, S::kRunning), 100 * kMs - 31 * kMs);
  const ThreadModel& tb = m.threads[ThreadIndex(m, 11)];
  EXPECT_EQ(In(tb, S::kPaused), 1 * kMs);
  // The lock wait knows its holder and the holder's hold.
  ASSERT_EQ(ta.lock_waits.size(), 1u);
  EXPECT_EQ(ta.lock_waits[0].holder_thread, ThreadIndex(m, 11));
  EXPECT_EQ(m.locks.at(7).acquisitions, 2u);
  EXPECT_EQ(m.locks.at(7).contended, 1u);
}

TEST(ThreadStatesTest, PausedOutranksLockWaitAndStwCoversEveryThread) {
  SyntheticTrace tr(1 * kMs, 21 * kMs);
  const int a = tr.Thread(10, "a");
  const int b = tr.Thread(11, "b");
  tr.WaitHold(a, 1, 2 * kMs, 12 * kMs, 13 * kMs, 11);
  tr.Stw(b, "gc", 5 * kMs, 8 * kMs);
  const Model m = MustLoad(tr.Encode());
  const ThreadModel& ta = m.threads[ThreadIndex(m, 10)];
  EXPECT_EQ(In(ta, S::kLockWait), 7 * kMs);
  EXPECT_EQ(In(ta, S::kPaused), 3 * kMs);
  EXPECT_EQ(In(m.threads[ThreadIndex(m, 11)], S::kPaused), 3 * kMs);
  EXPECT_EQ(ta.states[ta.StateIndexAt(6 * kMs)].state, S::kPaused);
}

TEST(ThreadStatesTest, CaptureCutsStartAtLifeStartAndEndAtLifeEnd) {
  SyntheticTrace tr(10 * kMs, 50 * kMs);
  const int a = tr.Thread(10, "a");
  // The capture starts inside "outer" > "inner", a block and a lock wait.
  tr.At(a, 12 * kMs, EventType::kScopeEnd, "inner");
  tr.At(a, 13 * kMs, EventType::kBlockEnd, "recv");        // kind from the begin below
  tr.RawArg(a, 14 * kMs, EventType::kLockAcquired, 4, 0);  // uncontended: no wait
  tr.Scope(a, "child", 20 * kMs, 25 * kMs);
  tr.At(a, 30 * kMs, EventType::kScopeEnd, "outer");
  tr.AtArg(a, 35 * kMs, EventType::kBlockBegin, "recv", static_cast<int64_t>(BlockKind::kNetwork));
  tr.At(a, 36 * kMs, EventType::kBlockEnd, "recv");
  tr.At(a, 40 * kMs, EventType::kScopeBegin, "open");  // cut by the capture end
  const Model m = MustLoad(tr.Encode());
  const ThreadModel& t = m.threads[0];
  EXPECT_EQ(CheckThread(t), "");
  EXPECT_EQ(t.life_start_ns, 10 * kMs);
  EXPECT_EQ(t.life_end_ns, 50 * kMs);
  ASSERT_EQ(t.scopes.size(), 4u);
  // outer [10, 30) encloses inner [10, 12) and child [20, 25); open [40, 50).
  EXPECT_EQ(m.LocationName(t.scopes[0].location), "outer");
  EXPECT_EQ(t.scopes[0].begin_ns, 10 * kMs);
  EXPECT_EQ(t.scopes[0].end_ns, 30 * kMs);
  EXPECT_EQ(m.LocationName(t.scopes[1].location), "inner");
  EXPECT_EQ(t.scopes[1].parent, 0u);
  EXPECT_EQ(m.LocationName(t.scopes[2].location), "child");
  EXPECT_EQ(t.scopes[2].parent, 0u);
  EXPECT_EQ(m.LocationName(t.scopes[3].location), "open");
  EXPECT_EQ(t.scopes[3].end_ns, 50 * kMs);
  EXPECT_TRUE(t.IsCut(0));
  EXPECT_TRUE(t.IsCut(1));
  EXPECT_FALSE(t.IsCut(2));
  EXPECT_TRUE(t.IsCut(3));
  EXPECT_EQ(In(t, S::kIoWait), 3 * kMs + 1 * kMs);  // cut [10,13) + [35,36)
  EXPECT_EQ(m.locks.at(4).contended, 0u);
}

TEST(ThreadStatesTest, LifeIsClippedToStartAndExit) {
  SyntheticTrace tr(10 * kMs, 50 * kMs);
  const int early = tr.Thread(1, "early", 2 * kMs, 0);  // started before the capture
  const int late = tr.Thread(2, "late", 20 * kMs, 30 * kMs);
  const int gone = tr.Thread(3, "gone", 1 * kMs, 5 * kMs);  // exited before the capture
  tr.Scope(early, "x", 11 * kMs, 12 * kMs);
  tr.Scope(late, "y", 21 * kMs, 22 * kMs);
  (void)gone;
  const Model m = MustLoad(tr.Encode());
  EXPECT_EQ(m.threads[ThreadIndex(m, 1)].wall_ns(), 40 * kMs);
  EXPECT_EQ(m.threads[ThreadIndex(m, 2)].life_start_ns, 20 * kMs);
  EXPECT_EQ(m.threads[ThreadIndex(m, 2)].wall_ns(), 10 * kMs);
  EXPECT_EQ(m.threads[ThreadIndex(m, 3)].wall_ns(), 0);
  for (const ThreadModel& t : m.threads) EXPECT_EQ(CheckThread(t), "") << t.name;
}

TEST(ThreadStatesTest, SchedstatDeltasAreSpreadOverTheSampleInterval) {
  SyntheticTrace tr(10 * kMs, 30 * kMs);
  tr.Property("scheduler_source", "schedstat");
  const int a = tr.Thread(1, "a");
  // [10, 20): ran 4 ms, waited 3 ms -> 3 ms runnable, 3 ms unknown off-CPU.
  tr.RawArg(a, 20 * kMs, EventType::kSchedStat, 4 * kMs, 3 * kMs);
  // [20, 30): a 6 ms sleep explains the off-CPU time; 1 ms runnable.
  tr.Block(a, "nap", BlockKind::kSleep, 21 * kMs, 27 * kMs);
  tr.RawArg(a, 30 * kMs, EventType::kSchedStat, 3 * kMs, 1 * kMs);
  const Model m = MustLoad(tr.Encode());
  EXPECT_EQ(m.scheduler, SchedulerSource::kSchedStat);
  const ThreadModel& t = m.threads[0];
  EXPECT_EQ(CheckThread(t), "");
  EXPECT_EQ(In(t, S::kRunnable), 4 * kMs);
  EXPECT_EQ(In(t, S::kUnknown), 3 * kMs);
  EXPECT_EQ(In(t, S::kSleep), 6 * kMs);
  EXPECT_EQ(In(t, S::kRunning), 7 * kMs);
}

TEST(ThreadStatesTest, SchedstatTailWithoutSamplesIsOffCpu) {
  SyntheticTrace tr(10 * kMs, 30 * kMs);
  tr.Property("scheduler_source", "schedstat");
  const int a = tr.Thread(1, "a");
  tr.RawArg(a, 20 * kMs, EventType::kSchedStat, 10 * kMs, 0);  // ran all of [10, 20)
  tr.Block(a, "read", BlockKind::kIo, 22 * kMs, 24 * kMs);
  const Model m = MustLoad(tr.Encode());
  const ThreadModel& t = m.threads[0];
  EXPECT_EQ(CheckThread(t), "");
  EXPECT_EQ(In(t, S::kRunning), 10 * kMs);
  EXPECT_EQ(In(t, S::kIoWait), 2 * kMs);
  EXPECT_EQ(In(t, S::kUnknown), 8 * kMs);  // no sample after 20 ms: it did not run
}

TEST(ThreadStatesTest, ByNameGroupsSum) {
  SyntheticTrace tr(1 * kMs, 11 * kMs);
  const int a = tr.Thread(1, "pool");
  const int b = tr.Thread(2, "pool");
  tr.Thread(3, "main");
  tr.Pause(a, "p", 2 * kMs, 3 * kMs);
  tr.Pause(b, "p", 4 * kMs, 6 * kMs);
  const Model m = MustLoad(tr.Encode());
  const auto groups = ThreadStatesByName(m);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].name, "pool");
  EXPECT_EQ(groups[1].threads, 2u);
  EXPECT_EQ(groups[1].wall_ns, 20 * kMs);
  EXPECT_EQ(Get(groups[1].ns, S::kPaused), 3 * kMs);
  EXPECT_EQ(Sum(TotalStates(m)), 30 * kMs);
  // The viewer groups the per-thread rows it already holds: same rows.
  const auto regrouped = GroupByName(ThreadStates(m));
  ASSERT_EQ(regrouped.size(), groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    EXPECT_EQ(regrouped[i].name, groups[i].name);
    EXPECT_EQ(regrouped[i].threads, groups[i].threads);
    EXPECT_EQ(regrouped[i].wall_ns, groups[i].wall_ns);
    EXPECT_EQ(regrouped[i].ns, groups[i].ns);
    EXPECT_EQ(regrouped[i].thread, kNone);
    EXPECT_EQ(regrouped[i].tid, 0);
  }
  // Grouping groups again changes nothing (counts add up, not rows).
  EXPECT_EQ(GroupByName(groups)[1].threads, 2u);
  const ThreadStatesRow total = SumRows(ThreadStates(m), "all threads");
  EXPECT_EQ(total.name, "all threads");
  EXPECT_EQ(total.threads, 3u);
  EXPECT_EQ(total.wall_ns, 30 * kMs);
  EXPECT_EQ(total.ns, TotalStates(m));
  EXPECT_EQ(SumRows(groups, "x").ns, TotalStates(m));
  EXPECT_EQ(SumRows({}, "none").wall_ns, 0);
}

TEST(LoadModelTest, StreamingFromAFileEqualsBuildingFromAReadTrace) {
  const std::string bytes = testing::RandomTrace(11);
  const std::string path =
      absl::StrCat(::testing::TempDir(), "tracelane_states_", getpid(), "_stream.tlt");
  std::ofstream(path, std::ios::binary) << bytes;
  LoadOptions o;
  // One worker hands blocks over one at a time, so progress comes once per block
  // (with more, a worker may decode several before they are handed over together:
  // how many calls then depends on scheduling; parallel_load_test covers them).
  o.workers = 1;
  uint64_t last_done = 0, calls = 0, size = 0;
  o.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    size = total;
    ++calls;
  };
  absl::StatusOr<Model> streamed = LoadModel(path, o);
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  EXPECT_GT(calls, 3u);
  EXPECT_EQ(last_done, bytes.size());
  EXPECT_EQ(size, bytes.size());
  absl::StatusOr<reader::Trace> read = reader::ReadTrace(path);
  ASSERT_TRUE(read.ok());
  const Model built = BuildModel(*std::move(read));
  std::remove(path.c_str());
  EXPECT_EQ(streamed->events, built.events);
  EXPECT_EQ(streamed->info.event_count, built.events);
  ASSERT_EQ(streamed->threads.size(), built.threads.size());
  for (size_t i = 0; i < built.threads.size(); ++i) {
    const ThreadModel& a = streamed->threads[i];
    const ThreadModel& b = built.threads[i];
    ASSERT_EQ(a.states.size(), b.states.size());
    for (size_t k = 0; k < a.states.size(); ++k) {
      EXPECT_EQ(a.states[k].start_ns, b.states[k].start_ns);
      EXPECT_EQ(a.states[k].state, b.states[k].state);
    }
    EXPECT_EQ(a.scopes.size(), b.scopes.size());
    EXPECT_EQ(a.lock_waits.size(), b.lock_waits.size());
    EXPECT_TRUE(b.states.empty() || !a.states.empty());
  }
  EXPECT_FALSE(LoadModel(path + ".missing").ok());
}

// The property: for many random traces, every thread's states partition its life.
class RandomTraceTest : public ::testing::TestWithParam<int> {};

TEST_P(RandomTraceTest, StatesSumToWallTimeAndStructureHolds) {
  const int seed = GetParam();
  testing::RandomTraceOptions o;
  o.schedstat = seed % 3 == 0;
  o.drop = seed % 2 ? 0.03 : 0.0;
  const Model m = MustLoad(testing::RandomTrace(seed, o));
  ASSERT_EQ(m.threads.size(), 5u);
  std::mt19937_64 rng(seed);
  for (uint32_t ti = 0; ti < m.threads.size(); ++ti) {
    const ThreadModel& t = m.threads[ti];
    ASSERT_EQ(CheckThread(t), "") << "seed " << seed << " thread " << t.name;
    EXPECT_GE(t.life_start_ns, m.start_ns);
    EXPECT_LE(t.life_end_ns, m.end_ns);
    // Any window: its states sum to the window clipped to the life.
    for (int k = 0; k < 20; ++k) {
      const int64_t a = m.start_ns + static_cast<int64_t>(rng() % (m.duration_ns() + 1));
      const int64_t b = a + static_cast<int64_t>(rng() % 2000000);
      const int64_t want =
          std::max<int64_t>(0, std::min(b, t.life_end_ns) - std::max(a, t.life_start_ns));
      EXPECT_EQ(Sum(StatesIn(t, a, b)), want);
    }
    // Explaining any scope: states sum to its wall; causes + running too.
    for (uint32_t i = 0; i < t.scopes.size(); i += 7) {
      const Explanation ex = Explain(m, InstanceOf(m, ScopeRef{ti, i}));
      const int64_t wall = t.scopes[i].end_ns - t.scopes[i].begin_ns;
      EXPECT_EQ(Sum(ex.states), wall);
      int64_t caused = Get(ex.states, S::kRunning);
      for (const Cause& c : ex.causes) caused += c.duration_ns;
      EXPECT_EQ(caused, wall);
    }
  }
  // System utilization covers the domain with values in [0, 1].
  const Utilization u = SystemUtilization(m);
  ASSERT_FALSE(u.bounds.empty());
  EXPECT_EQ(u.start_ns(), m.start_ns);
  EXPECT_EQ(u.end_ns(), m.end_ns);
  for (double v : u.values) {
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 1.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomTraceTest, ::testing::Range(1, 41));

}  // namespace
}  // namespace tracelane::analysis
