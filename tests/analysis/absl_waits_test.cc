// absl::Mutex waits inferred from abseil's release hook and perf scheduler data
// (issue 12, item 4): the planted waiter is found, decoys are not, the wait
// becomes Lock wait with the releaser as holder and explain names it.
#include "viewer/analysis/absl_waits.h"

#include <bit>
#include <string>

#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/explain.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::analysis {
namespace {

using format::EventType;
using testing::MustLoad;
using testing::SyntheticTrace;
using testing::ThreadIndex;

constexpr int64_t kUs = 1000, kMs = 1000000, kT0 = 1000000000;
constexpr uint64_t kMu = 0x77;

int64_t At(int64_t ms) { return kT0 + ms * kMs; }

// The releaser reports a 30 ms wait at +50 ms; the worker blocked at +20.05 ms
// (after 50 us of spinning) and ran again at +50.2 ms. Two decoys were also
// blocked at the release: one since +5 ms, one since +30 ms that even ran first.
std::string AbslTrace(const std::string& scheduler, bool with_counter) {
  SyntheticTrace tr(kT0, At(200));
  tr.Property("scheduler_source", scheduler);
  tr.NameObject(format::ObjectKind::kLock, kMu, "cache_mu");
  const int h = tr.Thread(1, "cache-writer");
  const int w = tr.Thread(2, "worker");
  const int d1 = tr.Thread(3, "idle");
  const int d2 = tr.Thread(4, "poller");
  tr.Scope(h, "refresh", At(10), At(60));
  tr.RawArg(h, At(50), EventType::kLockReleased, kMu, 1);
  if (with_counter) {
    tr.AtArg(h, At(50) + 2 * kUs, EventType::kCounter, kAbslWaitCounterName,
             std::bit_cast<int64_t>(30000.0));
  }
  tr.Scope(w, "request", At(19), At(55));
  tr.SchedOut(w, At(20) + 50 * kUs, false);
  tr.SchedIn(w, At(50) + 200 * kUs);
  tr.SchedOut(d1, At(5), false);
  tr.SchedIn(d1, At(51));
  tr.SchedOut(d2, At(30), false);
  tr.SchedIn(d2, At(50) + 100 * kUs);
  return tr.Encode();
}

TEST(AbslWaitsTest, InfersTheWaiterFromTheReportedWaitAndTheSwitchIn) {
  // Loading applies the inference (ModelBuilder::Finish).
  Model m = MustLoad(AbslTrace("perf", true));
  const uint32_t wi = ThreadIndex(m, 2);
  const ThreadModel& t = m.threads[wi];
  ASSERT_EQ(t.lock_waits.size(), 1u);
  const LockWait& lw = t.lock_waits[0];
  EXPECT_EQ(lw.start_ns, At(20));  // r - W: the spin before the block included
  EXPECT_EQ(lw.end_ns, At(50) + 200 * kUs);
  EXPECT_EQ(lw.holder_thread, ThreadIndex(m, 1));
  EXPECT_EQ(m.ScopeName(ThreadIndex(m, 1), lw.holder_scope), "refresh");
  EXPECT_EQ(lw.confidence, 90);
  // No decoy got a wait; the worker's Unknown time became Lock wait.
  EXPECT_TRUE(m.threads[ThreadIndex(m, 3)].lock_waits.empty());
  EXPECT_TRUE(m.threads[ThreadIndex(m, 4)].lock_waits.empty());
  const StateDurations d = StatesIn(t, At(19), At(55));
  EXPECT_EQ(Get(d, ThreadState::kUnknown), 0);
  EXPECT_EQ(Get(d, ThreadState::kLockWait), 30 * kMs + 200 * kUs);
  EXPECT_EQ(Sum(d), 36 * kMs);
  // explain names the lock, the holder and the confidence.
  const std::optional<ScopeInstance> inst = NthSlowest(m, "request", 1);
  ASSERT_TRUE(inst.has_value());
  const Explanation ex = Explain(m, *inst);
  const Cause& c = ex.parts.front();
  EXPECT_EQ(c.kind, CauseKind::kLockWait);
  EXPECT_EQ(c.what, "cache_mu");
  EXPECT_EQ(c.other_thread, ThreadIndex(m, 1));
  EXPECT_EQ(c.other_scope, "refresh");
  EXPECT_EQ(c.duration_ns, 30 * kMs);  // held by the writer until its release
  EXPECT_EQ(c.confidence, 90);
  const std::string text = DescribeCause(m, c);
  EXPECT_NE(text.find("lock wait on \"cache_mu\" (inferred, 90% confidence) held by "
                      "cache-writer [1] in \"refresh\""),
            std::string::npos)
      << text;
  // Running it again changes nothing: the release's waiter is no longer Unknown
  // (and the worker's 30.15 ms off CPU were Unknown before: all Lock wait now).
  const AbslWaitStats again = AttributeAbslWaits(m);
  EXPECT_EQ(again.releases, 1u);
  EXPECT_EQ(again.inferred, 0u);
  EXPECT_EQ(m.threads[wi].lock_waits.size(), 1u);
  // The lock table counts the inferred wait as a contended acquisition, says it
  // was inferred and with what confidence, and that the others are not recorded
  // (not "0 of 0 acquisitions").
  const std::vector<LockReport> locks = LockContention(m);
  ASSERT_EQ(locks.size(), 1u);
  const LockReport& r = locks[0];
  EXPECT_EQ(r.name, "cache_mu");
  EXPECT_EQ(r.waits, 1u);
  EXPECT_EQ(r.contended, 1u);
  EXPECT_EQ(r.inferred, 1u);
  EXPECT_EQ(r.inferred_confidence, 90);
  EXPECT_FALSE(r.acquisitions_recorded);
  EXPECT_GE(r.acquisitions, r.contended);
  EXPECT_EQ(r.releases_with_waiters, 1u);
  EXPECT_EQ(r.total_wait_ns, lw.end_ns - lw.start_ns);
  ASSERT_EQ(r.holding_sites.size(), 1u);
  EXPECT_EQ(r.holding_sites[0].name, "refresh");
  // A time range counts the same inferred wait.
  const std::vector<LockReport> in = LockContentionIn(m, At(0), At(200));
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].inferred, 1u);
  EXPECT_EQ(in[0].inferred_confidence, 90);
}

TEST(AbslWaitsTest, UnmatchedReleasesLeaveTheCountersAtZeroInferred) {
  // Without perf data nothing is inferred: the lock has a contended release and
  // no known acquisition, and the table says so instead of inventing a count.
  Model m = MustLoad(AbslTrace("schedstat", true));
  const std::vector<LockReport> locks = LockContention(m);
  ASSERT_EQ(locks.size(), 1u);
  EXPECT_EQ(locks[0].contended, 0u);
  EXPECT_EQ(locks[0].inferred, 0u);
  EXPECT_FALSE(locks[0].acquisitions_recorded);
  EXPECT_EQ(locks[0].releases_with_waiters, 1u);
}

TEST(AbslWaitsTest, WithoutTheReportedWaitTheFirstSwitchInIsALowConfidenceGuess) {
  Model m = MustLoad(AbslTrace("perf", false));
  // The poller ran first after the release: with nothing to check it against,
  // it is the guess, with low confidence.
  const ThreadModel& p = m.threads[ThreadIndex(m, 4)];
  ASSERT_EQ(p.lock_waits.size(), 1u);
  EXPECT_EQ(p.lock_waits[0].confidence, 40);
}

TEST(AbslWaitsTest, NothingIsInferredWithoutPerfSchedulerData) {
  Model m = MustLoad(AbslTrace("schedstat", true));
  EXPECT_EQ(AttributeAbslWaits(m).inferred, 0u);
  for (const ThreadModel& t : m.threads) EXPECT_TRUE(t.lock_waits.empty());
}

}  // namespace
}  // namespace tracelane::analysis
