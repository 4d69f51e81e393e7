// Blame chains and the running split of `explain` (issue 12), on planted traces
// with known answers: a lock convoy, a two-lock chain whose root sleeps, a holder
// blocked on a condvar, a holder runnable on an oversubscribed machine, a
// CPU-bound request, and `why` over a mix of two planted causes.
#include "viewer/analysis/blame.h"

#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/blame_tree.h"
#include "viewer/analysis/explain.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/why.h"

namespace tracelane::analysis {
namespace {

using format::EventType;
using testing::MustLoad;
using testing::SyntheticTrace;
using testing::ThreadIndex;

constexpr int64_t kMs = 1000000, kSec = 1000000000;
constexpr int64_t kT0 = 1 * kSec;  // capture start
constexpr uint64_t kLockX = 0x10, kTxLog = 0x20, kWal = 0x30, kQueue = 0x40, kCv = 0x50;

int64_t At(int64_t ms) { return kT0 + ms * kMs; }

// The instance of the scope `name` on thread `tid`.
ScopeInstance InstanceOn(const Model& m, int64_t tid, const std::string& name) {
  const uint32_t ti = ThreadIndex(m, tid);
  for (uint32_t i = 0; i < m.threads[ti].scopes.size(); ++i) {
    if (m.ScopeName(ti, i) == name) return InstanceOf(m, ScopeRef{ti, i});
  }
  ADD_FAILURE() << "no " << name << " on " << tid;
  return ScopeInstance{};
}

// Parts sum to the wall time, causes + running too, and running equals the state.
void ExpectAttributedOnce(const Explanation& ex) {
  int64_t parts = 0, causes = 0, running = 0;
  for (const Cause& c : ex.parts) parts += c.duration_ns;
  for (const Cause& c : ex.causes) causes += c.duration_ns;
  for (const Cause& c : ex.running) running += c.duration_ns;
  EXPECT_EQ(parts, ex.instance.duration_ns);
  EXPECT_EQ(causes + running, ex.instance.duration_ns);
  EXPECT_EQ(running, Get(ex.states, ThreadState::kRunning));
}

// L holds X for 100 ms; A, B and C queue behind it. L hands X to B (who came
// second), B to C, C to A: the recorded releasers are L, B and C, but each
// waiter waited for L's long hold.
TEST(BlameTest, ConvoyWaitersNameTheLongHolderNotTheWaiterAhead) {
  SyntheticTrace tr(kT0, At(300));
  tr.Property("scheduler_source", "perf");
  tr.NameObject(format::ObjectKind::kLock, kLockX, "X");
  const int l = tr.Thread(1, "loader");
  const int a = tr.Thread(2, "worker");
  const int b = tr.Thread(3, "worker");
  const int c = tr.Thread(4, "worker");
  tr.Scope(l, "long_hold", At(5), At(115));
  tr.Hold(l, kLockX, At(10), At(110), true);
  tr.Scope(b, "request", At(30), At(112));
  tr.WaitHold(b, kLockX, At(30), At(110), At(111), 1);
  tr.Scope(c, "request", At(40), At(113));
  tr.WaitHold(c, kLockX, At(40), At(111), At(112), 3);
  tr.Scope(a, "request", At(20), At(114));
  tr.WaitHold(a, kLockX, At(20), At(112), At(113), 4);
  const Model m = MustLoad(tr.Encode());
  const uint32_t loader = ThreadIndex(m, 1);
  for (const auto& [tid, wait_start] : {std::pair{2, 20}, {3, 30}, {4, 40}}) {
    SCOPED_TRACE(tid);
    const Explanation ex = Explain(m, InstanceOn(m, tid, "request"));
    ExpectAttributedOnce(ex);
    ASSERT_FALSE(ex.parts.empty());
    const Cause& d = ex.parts.front();
    EXPECT_EQ(d.kind, CauseKind::kLockWait);
    EXPECT_EQ(d.what, "X");
    EXPECT_EQ(d.other_thread, loader);
    EXPECT_EQ(d.other_scope, "long_hold");
    EXPECT_EQ(d.duration_ns, (110 - wait_start) * kMs);  // exactly the overlap with L's hold
    ASSERT_EQ(d.chain.size(), 1u);
    EXPECT_EQ(d.root.thread, loader);
    EXPECT_EQ(d.root.kind, CauseKind::kRunning);
    EXPECT_NE(DescribeCause(m, d).find("held by loader [1] in \"long_hold\""), std::string::npos)
        << DescribeCause(m, d);
  }
  // A's wait after L's release: 1 ms held by B, 1 ms by C (each once).
  const Explanation ex = Explain(m, InstanceOn(m, 2, "request"));
  int64_t by_b = 0, by_c = 0;
  for (const Cause& c : ex.causes) {
    if (c.other_thread == ThreadIndex(m, 3)) by_b += c.duration_ns;
    if (c.other_thread == ThreadIndex(m, 4)) by_c += c.duration_ns;
  }
  EXPECT_EQ(by_b, 1 * kMs);
  EXPECT_EQ(by_c, 1 * kMs);
  // The lock table charges the waits the same way: 240 ms to L's long_hold (3
  // waits), not 163 ms to the workers that handed the lock over.
  const std::vector<LockReport> locks = LockContention(m);
  ASSERT_EQ(locks.size(), 1u);
  EXPECT_EQ(locks[0].total_wait_ns, (80 + 71 + 92) * kMs);
  ASSERT_EQ(locks[0].holding_sites.size(), 2u);
  EXPECT_EQ(locks[0].holding_sites[0].name, "long_hold");
  EXPECT_EQ(locks[0].holding_sites[0].wait_ns, 240 * kMs);
  EXPECT_EQ(locks[0].holding_sites[0].waits, 3u);
  EXPECT_EQ(locks[0].holding_sites[1].name, "request");
  EXPECT_EQ(locks[0].holding_sites[1].wait_ns, 3 * kMs);
  EXPECT_EQ(locks[0].holding_sites[1].waits, 2u);
  ASSERT_EQ(locks[0].holder_threads.size(), 3u);
  EXPECT_EQ(locks[0].holder_threads[0].name, m.ThreadLabel(loader));
  EXPECT_EQ(locks[0].holder_threads[0].wait_ns, 240 * kMs);
  // A range sees the parts inside it: [100, 300) holds 10 + 10 + 10 ms of L's
  // hold and the 3 ms after it.
  const std::vector<LockReport> in = LockContentionIn(m, At(100), At(300));
  ASSERT_EQ(in.size(), 1u);
  ASSERT_EQ(in[0].holding_sites.size(), 2u);
  EXPECT_EQ(in[0].holding_sites[0].name, "long_hold");
  EXPECT_EQ(in[0].holding_sites[0].wait_ns, 30 * kMs);
  EXPECT_EQ(in[0].holding_sites[1].wait_ns, 3 * kMs);
}

// The lock is free between the release and the waiter's acquisition: that part
// is the hand-off (the waiter's wake-up), named after the last holder.
TEST(BlameTest, HandOffAfterTheReleaseIsItsOwnPart) {
  SyntheticTrace tr(kT0, At(300));
  tr.NameObject(format::ObjectKind::kLock, kLockX, "X");
  const int l = tr.Thread(1, "loader");
  const int a = tr.Thread(2, "worker");
  tr.Scope(l, "long_hold", At(5), At(60));
  tr.Hold(l, kLockX, At(10), At(50), true);
  tr.Scope(a, "request", At(20), At(54));
  tr.WaitHold(a, kLockX, At(20), At(53), At(54), 1);  // woke 3 ms after the release
  const Model m = MustLoad(tr.Encode());
  const Explanation ex = Explain(m, InstanceOn(m, 2, "request"));
  ExpectAttributedOnce(ex);
  ASSERT_EQ(ex.causes.size(), 2u);
  EXPECT_EQ(ex.causes[0].duration_ns, 30 * kMs);
  EXPECT_EQ(ex.causes[0].root.end, BlameEnd::kRoot);
  const Cause& h = ex.causes[1];
  EXPECT_EQ(h.duration_ns, 3 * kMs);
  EXPECT_EQ(h.root.end, BlameEnd::kHandoff);
  EXPECT_EQ(h.other_thread, ThreadIndex(m, 1));
  EXPECT_EQ(h.other_scope, "long_hold");
  EXPECT_EQ(SummarizeWait(m, h), SummarizeWait(m, ex.causes[0]));  // one group in `why`
  EXPECT_NE(DescribeCause(m, h).find("already released: the next holder's wake-up"),
            std::string::npos)
      << DescribeCause(m, h);
}

// request waits for "tx-log", held by the committer, which waits for "wal",
// held by the wal-syncer, which sleeps: the root is the sleep.
TEST(BlameTest, TwoLockChainEndsAtTheSleepingRootHolder) {
  SyntheticTrace tr(kT0, At(300));
  tr.Property("scheduler_source", "perf");
  tr.NameObject(format::ObjectKind::kLock, kTxLog, "tx-log");
  tr.NameObject(format::ObjectKind::kLock, kWal, "wal");
  const int s = tr.Thread(1, "wal-syncer");
  const int c = tr.Thread(2, "committer");
  const int r = tr.Thread(3, "worker");
  tr.Scope(s, "sync_wal", At(8), At(102));
  tr.Hold(s, kWal, At(10), At(100), true);
  tr.Block(s, "nap", format::BlockKind::kSleep, At(15), At(95));
  tr.Scope(c, "commit_batch", At(4), At(106));
  tr.RawArg(c, At(5), EventType::kLockAcquired, kTxLog, 0);
  tr.WaitHold(c, kWal, At(20), At(100), At(102), 1);
  tr.RawArg(c, At(105), EventType::kLockReleased, kTxLog, 1);
  tr.Scope(r, "request", At(29), At(107));
  tr.WaitHold(r, kTxLog, At(30), At(105), At(106), 2);
  const Model m = MustLoad(tr.Encode());
  const Explanation ex = Explain(m, InstanceOn(m, 3, "request"));
  ExpectAttributedOnce(ex);
  const uint32_t syncer = ThreadIndex(m, 1), committer = ThreadIndex(m, 2);
  const Cause& d = ex.parts.front();
  EXPECT_EQ(d.kind, CauseKind::kLockWait);
  EXPECT_EQ(d.what, "tx-log");
  EXPECT_EQ(d.other_thread, committer);
  EXPECT_EQ(d.duration_ns, 65 * kMs);  // [30, 95): the syncer's sleep inside the overlap
  ASSERT_EQ(d.chain.size(), 2u);
  EXPECT_EQ(d.chain[0].thread, committer);
  EXPECT_EQ(d.chain[0].scope, "commit_batch");
  EXPECT_EQ(d.chain[1].via, CauseKind::kLockWait);
  EXPECT_EQ(d.chain[1].what, "wal");
  EXPECT_EQ(d.chain[1].thread, syncer);
  EXPECT_EQ(d.chain[1].scope, "sync_wal");
  EXPECT_EQ(d.root.thread, syncer);
  EXPECT_EQ(d.root.kind, CauseKind::kSleep);
  EXPECT_EQ(d.root.what, "nap");
  EXPECT_EQ(d.root.end, BlameEnd::kRoot);
  const std::string text = DescribeCause(m, d);
  EXPECT_NE(text.find("lock wait on \"tx-log\" held by committer [2] in \"commit_batch\", itself "
                      "waiting on lock \"wal\" held by wal-syncer [1] in \"sync_wal\", sleeping "
                      "in \"nap\""),
            std::string::npos)
      << text;
  // The rest of the lock wait, attributed once: the syncer running [95, 100),
  // the committer running with the lock [100, 105).
  int64_t lock_total = 0, syncer_running = 0, committer_running = 0;
  for (const Cause& c : ex.causes) {
    if (c.kind != CauseKind::kLockWait) continue;
    lock_total += c.duration_ns;
    if (c.root.kind == CauseKind::kRunning && c.root.thread == syncer) {
      syncer_running += c.duration_ns;
    }
    if (c.root.kind == CauseKind::kRunning && c.root.thread == committer) {
      committer_running += c.duration_ns;
    }
  }
  EXPECT_EQ(lock_total, 75 * kMs);
  EXPECT_EQ(syncer_running, 5 * kMs);
  EXPECT_EQ(committer_running, 5 * kMs);
}

// The same chain as a tree, hop by hop (the viewer's Explain panel): the
// tx-log hop carries the whole 75 ms wait, the wal hop under it the 70 ms the
// committer waited for the syncer, and the roots under each say where it ended.
TEST(BlameTest, BlameTreeGroupsTheChainsHopByHop) {
  SyntheticTrace tr(kT0, At(300));
  tr.Property("scheduler_source", "perf");
  tr.NameObject(format::ObjectKind::kLock, kTxLog, "tx-log");
  tr.NameObject(format::ObjectKind::kLock, kWal, "wal");
  const int s = tr.Thread(1, "wal-syncer");
  const int c = tr.Thread(2, "committer");
  const int r = tr.Thread(3, "worker");
  tr.Scope(s, "sync_wal", At(8), At(102));
  tr.Hold(s, kWal, At(10), At(100), true);
  tr.Block(s, "nap", format::BlockKind::kSleep, At(15), At(95));
  tr.Scope(c, "commit_batch", At(4), At(106));
  tr.RawArg(c, At(5), EventType::kLockAcquired, kTxLog, 0);
  tr.WaitHold(c, kWal, At(20), At(100), At(102), 1);
  tr.RawArg(c, At(105), EventType::kLockReleased, kTxLog, 1);
  tr.Scope(r, "request", At(29), At(107));
  tr.WaitHold(r, kTxLog, At(30), At(105), At(106), 2);
  const Model m = MustLoad(tr.Encode());
  const Explanation ex = Explain(m, InstanceOn(m, 3, "request"));
  const std::vector<BlameTreeNode> tree = BuildBlameTree(m, ex);
  const uint32_t syncer = ThreadIndex(m, 1), committer = ThreadIndex(m, 2);
  ASSERT_EQ(tree.size(), 5u);
  EXPECT_FALSE(tree[0].root);
  EXPECT_EQ(tree[0].depth, 0);
  EXPECT_EQ(tree[0].hop.what, "tx-log");
  EXPECT_EQ(tree[0].thread, committer);
  EXPECT_EQ(tree[0].hop.scope, "commit_batch");
  EXPECT_EQ(tree[0].duration_ns, 75 * kMs);
  EXPECT_EQ(tree[0].first_ns, At(30));
  EXPECT_FALSE(tree[1].root);
  EXPECT_EQ(tree[1].depth, 1);
  EXPECT_EQ(tree[1].hop.what, "wal");
  EXPECT_EQ(tree[1].thread, syncer);
  EXPECT_EQ(tree[1].duration_ns, 70 * kMs);
  EXPECT_TRUE(tree[2].root);
  EXPECT_EQ(tree[2].depth, 2);
  EXPECT_EQ(tree[2].thread, syncer);
  EXPECT_EQ(tree[2].label, "sleeping in \"nap\"");
  EXPECT_EQ(tree[2].duration_ns, 65 * kMs);
  EXPECT_TRUE(tree[3].root);
  EXPECT_EQ(tree[3].label, "running");
  EXPECT_EQ(tree[3].duration_ns, 5 * kMs);
  EXPECT_TRUE(tree[4].root);
  EXPECT_EQ(tree[4].depth, 1);
  EXPECT_EQ(tree[4].thread, committer);
  EXPECT_EQ(tree[4].label, "running");
  EXPECT_EQ(tree[4].duration_ns, 5 * kMs);
  // Each nanosecond once: the roots sum to the lock wait.
  int64_t roots = 0;
  for (const BlameTreeNode& n : tree) roots += n.root ? n.duration_ns : 0;
  EXPECT_EQ(roots, 75 * kMs);
}

// The holder of "queue" waits on a condvar inside its critical section; the
// producer that notifies it is the root.
TEST(BlameTest, HolderBlockedOnCondvarFollowsTheNotifier) {
  SyntheticTrace tr(kT0, At(300));
  tr.Property("scheduler_source", "perf");
  tr.NameObject(format::ObjectKind::kLock, kQueue, "queue");
  tr.NameObject(format::ObjectKind::kCondVar, kCv, "not_empty");
  const int h = tr.Thread(1, "drainer");
  const int n = tr.Thread(2, "producer");
  const int r = tr.Thread(3, "worker");
  tr.Scope(h, "drain", At(5), At(105));
  tr.Hold(h, kQueue, At(10), At(100), true);
  tr.RawArg(h, At(20), EventType::kCondWait, kCv, 0);
  tr.RawArg(h, At(90), EventType::kCondWake, kCv, 2);
  tr.Scope(n, "produce", At(0) + 1, At(95));
  tr.RawArg(n, At(90), EventType::kCondNotify, kCv, 0);
  tr.Scope(r, "request", At(14), At(101));
  tr.WaitHold(r, kQueue, At(15), At(100), At(101), 1);
  const Model m = MustLoad(tr.Encode());
  const Explanation ex = Explain(m, InstanceOn(m, 3, "request"));
  ExpectAttributedOnce(ex);
  const Cause& d = ex.parts.front();
  EXPECT_EQ(d.kind, CauseKind::kLockWait);
  EXPECT_EQ(d.other_thread, ThreadIndex(m, 1));
  EXPECT_EQ(d.duration_ns, 70 * kMs);  // the condvar wait [20, 90)
  ASSERT_EQ(d.chain.size(), 2u);
  EXPECT_EQ(d.chain[1].via, CauseKind::kCondvarWait);
  EXPECT_EQ(d.chain[1].what, "not_empty");
  EXPECT_EQ(d.chain[1].thread, ThreadIndex(m, 2));
  EXPECT_EQ(d.chain[1].scope, "produce");
  EXPECT_EQ(d.root.thread, ThreadIndex(m, 2));
  EXPECT_EQ(d.root.kind, CauseKind::kRunning);
  EXPECT_NE(DescribeCause(m, d).find("itself waiting on condvar \"not_empty\" notified by "
                                     "producer [2] in \"produce\", running"),
            std::string::npos)
      << DescribeCause(m, d);
}

// Without a known notifier the chain stops at the holder, in its condvar wait.
TEST(BlameTest, HolderOnCondvarWithoutNotifierIsTheRoot) {
  SyntheticTrace tr(kT0, At(300));
  tr.NameObject(format::ObjectKind::kLock, kQueue, "queue");
  const int h = tr.Thread(1, "drainer");
  const int r = tr.Thread(3, "worker");
  tr.Scope(h, "drain", At(5), At(105));
  tr.Hold(h, kQueue, At(10), At(100), true);
  tr.RawArg(h, At(20), EventType::kCondWait, kCv, 0);
  tr.RawArg(h, At(90), EventType::kCondWake, kCv, 0);  // timed out: no notifier
  tr.Scope(r, "request", At(14), At(101));
  tr.WaitHold(r, kQueue, At(15), At(100), At(101), 1);
  const Model m = MustLoad(tr.Encode());
  const Explanation ex = Explain(m, InstanceOn(m, 3, "request"));
  ExpectAttributedOnce(ex);
  const Cause& d = ex.parts.front();
  ASSERT_EQ(d.chain.size(), 1u);
  EXPECT_EQ(d.root.thread, ThreadIndex(m, 1));
  EXPECT_EQ(d.root.state, ThreadState::kCondvarWait);
  EXPECT_EQ(d.duration_ns, 70 * kMs);
}

// The holder is preempted for 40 ms of its hold while four hogs and it compete
// for the CPUs: the root is the holder's scheduler wait, with the load.
TEST(BlameTest, RunnableHolderOnAnOversubscribedMachine) {
  SyntheticTrace tr(kT0, At(300));
  tr.Property("scheduler_source", "perf");
  tr.Property("cpus", "2");
  tr.NameObject(format::ObjectKind::kLock, kLockX, "m");
  const int h = tr.Thread(1, "holder");
  const int r = tr.Thread(2, "worker");
  for (int i = 0; i < 4; ++i) {
    const int hog = tr.Thread(10 + i, "hog");
    tr.Scope(hog, "burn", At(1), At(200));
  }
  tr.Scope(h, "compute", At(5), At(65));
  tr.Hold(h, kLockX, At(10), At(60), true);
  tr.SchedOut(h, At(15), true);
  tr.SchedIn(h, At(55));
  tr.Scope(r, "request", At(11), At(61));
  tr.WaitHold(r, kLockX, At(12), At(60), At(61), 1);
  const Model m = MustLoad(tr.Encode());
  const Explanation ex = Explain(m, InstanceOn(m, 2, "request"));
  ExpectAttributedOnce(ex);
  const Cause& d = ex.parts.front();
  EXPECT_EQ(d.kind, CauseKind::kLockWait);
  EXPECT_EQ(d.root.thread, ThreadIndex(m, 1));
  EXPECT_EQ(d.root.kind, CauseKind::kRunnable);
  EXPECT_EQ(d.duration_ns, 40 * kMs);
  // The four hogs and the holder itself were running or runnable.
  EXPECT_NEAR(d.busy_threads, 5.0, 1e-9);
  const std::string text = DescribeCause(m, d);
  EXPECT_NE(text.find("runnable (waiting for a CPU; 5.0 traced threads running or runnable "
                      "meanwhile on 2 CPUs)"),
            std::string::npos)
      << text;
}

// 72% of the request runs in a CPU-heavy child; a quarter of the child is a
// scheduler wait. The dominant cause is the child, not the scheduler wait.
TEST(BlameTest, CpuBoundRequestNamesTheChildScope) {
  SyntheticTrace tr(kT0, At(300));
  tr.Property("scheduler_source", "perf");
  const int r = tr.Thread(1, "worker");
  tr.Scope(r, "request", At(10), At(50));
  tr.Scope(r, "parse", At(11), At(13));
  tr.Scope(r, "crunch", At(13), At(43));
  tr.Scope(r, "inner", At(14), At(15));  // nested in crunch: its own part
  tr.Scope(r, "render", At(43), At(48));
  tr.SchedOut(r, At(20), true);
  tr.SchedIn(r, At(28));
  const Model m = MustLoad(tr.Encode());
  const Explanation ex = Explain(m, InstanceOn(m, 1, "request"));
  ExpectAttributedOnce(ex);
  ASSERT_FALSE(ex.parts.empty());
  const Cause& d = ex.parts.front();
  EXPECT_EQ(d.kind, CauseKind::kRunning);
  EXPECT_EQ(d.what, "crunch");
  EXPECT_FALSE(d.self);
  EXPECT_EQ(d.duration_ns, 21 * kMs);  // 30 - 8 runnable - 1 in inner
  EXPECT_EQ(DescribeCause(m, d), "running in \"crunch\"");
  ASSERT_EQ(ex.causes.size(), 1u);
  EXPECT_EQ(ex.causes[0].kind, CauseKind::kRunnable);
  EXPECT_EQ(ex.causes[0].duration_ns, 8 * kMs);
  EXPECT_EQ(ex.causes[0].what, "crunch");  // where the request waited for a CPU
  const auto running = [&](const std::string& what) {
    for (const Cause& c : ex.running) {
      if (c.what == what) return c.duration_ns;
    }
    return int64_t{-1};
  };
  EXPECT_EQ(running("parse"), 2 * kMs);
  EXPECT_EQ(running("inner"), 1 * kMs);
  EXPECT_EQ(running("render"), 5 * kMs);
  EXPECT_EQ(running("request"), 3 * kMs);  // self: 40 - 2 - 30 - 5
}

// A cycle (a waits for b's lock while b waits for a's) ends the chain instead
// of looping; a chain deeper than the limit stops there.
TEST(BlameTest, CyclesAndDepthAreBounded) {
  SyntheticTrace tr(kT0, At(300));
  const int a = tr.Thread(1, "a");
  const int b = tr.Thread(2, "b");
  tr.Scope(a, "request", At(5), At(100));
  tr.RawArg(a, At(10), EventType::kLockAcquired, 1, 0);
  tr.RawArg(a, At(20), EventType::kLockWait, 2, 0);
  tr.RawArg(b, At(12), EventType::kLockAcquired, 2, 0);
  tr.RawArg(b, At(15), EventType::kLockWait, 1, 0);  // deadlock: both open at the end
  const Model m = MustLoad(tr.Encode());
  const Explanation ex = Explain(m, InstanceOn(m, 1, "request"));
  ExpectAttributedOnce(ex);
  ASSERT_FALSE(ex.causes.empty());
  EXPECT_EQ(ex.causes.front().root.end, BlameEnd::kCycle);
  EXPECT_NE(DescribeCause(m, ex.causes.front()).find("cycle"), std::string::npos);

  // A chain of 12 threads, each waiting for the next one's lock.
  SyntheticTrace deep(kT0, At(300));
  constexpr int kN = 12;
  for (int i = 0; i < kN; ++i) deep.Thread(100 + i, "t");
  deep.Scope(0, "request", At(5), At(100));
  for (int i = 0; i < kN; ++i) {
    deep.RawArg(i, At(6) + i, EventType::kLockAcquired, 1000 + i, 0);
    if (i + 1 < kN) deep.RawArg(i, At(20) + i, EventType::kLockWait, 1001 + i, 0);
  }
  const Model dm = MustLoad(deep.Encode());
  const Explanation dx = Explain(dm, InstanceOn(dm, 100, "request"));
  ExpectAttributedOnce(dx);
  ASSERT_FALSE(dx.causes.empty());
  EXPECT_EQ(dx.causes.front().chain.size(), static_cast<size_t>(kMaxBlameDepth));
  EXPECT_EQ(dx.causes.front().root.end, BlameEnd::kDepthLimit);
}

// A holder whose hold falls in a gap of lost data is reported as such.
TEST(BlameTest, RootInsideLostDataIsReportedAsLost) {
  SyntheticTrace tr(kT0, At(300));
  tr.NameObject(format::ObjectKind::kLock, kLockX, "X");
  const int h = tr.Thread(1, "holder");
  const int r = tr.Thread(2, "worker");
  tr.Scope(h, "hold_it", At(5), At(40));
  tr.RawArg(h, At(10), EventType::kLockAcquired, kLockX, 0);
  tr.RawArg(h, At(80), EventType::kDataLost, 3, 500);  // [last event, 80) lost
  tr.RawArg(h, At(90), EventType::kLockReleased, kLockX, 1);
  tr.Scope(r, "request", At(20), At(95));
  tr.WaitHold(r, kLockX, At(21), At(90), At(91), 1);
  const Model m = MustLoad(tr.Encode());
  const Explanation ex = Explain(m, InstanceOn(m, 2, "request"));
  ExpectAttributedOnce(ex);
  int64_t lost = 0;
  for (const Cause& c : ex.causes) {
    if (c.root.kind == CauseKind::kDataLost) {
      lost += c.duration_ns;
      EXPECT_NE(DescribeCause(m, c).find("lost data"), std::string::npos) << DescribeCause(m, c);
    }
  }
  EXPECT_GT(lost, 0);
}

// The holder's scope over the hold, not at the release: the hold outlives its
// scope by a little.
TEST(BlameTest, HolderScopeIsTheScopeOverTheHold) {
  SyntheticTrace tr(kT0, At(300));
  tr.NameObject(format::ObjectKind::kLock, kLockX, "X");
  const int h = tr.Thread(1, "writer");
  const int r = tr.Thread(2, "worker");
  tr.Scope(h, "flush", At(5), At(50));
  tr.Hold(h, kLockX, At(10), At(51), true);  // released 1 ms after flush ended
  tr.Scope(r, "request", At(20), At(52));
  tr.WaitHold(r, kLockX, At(20), At(51), At(51) + 1000, 1);
  const Model m = MustLoad(tr.Encode());
  const uint32_t ri = ThreadIndex(m, 2);
  EXPECT_EQ(CauseAt(m, ri, ThreadState::kLockWait, At(30)).other_scope, "flush");
  const Explanation ex = Explain(m, InstanceOn(m, 2, "request"));
  EXPECT_EQ(ex.parts.front().other_scope, "flush");
  EXPECT_EQ(ScopeOver(m.threads[ThreadIndex(m, 1)], At(20), At(51)), 0u);
  // The lock table (tracelane locks, summary, the viewer's Locks panel) names
  // the same scope for the holding site, not "(no scope)".
  ASSERT_EQ(m.threads[ri].lock_waits.size(), 1u);
  EXPECT_EQ(m.ScopeName(m.threads[ri].lock_waits[0].holder_thread,
                        m.threads[ri].lock_waits[0].holder_scope),
            "flush");
  const std::vector<LockReport> locks = LockContention(m);
  ASSERT_EQ(locks.size(), 1u);
  ASSERT_EQ(locks[0].holding_sites.size(), 1u);
  EXPECT_EQ(locks[0].holding_sites[0].name, "flush");
  EXPECT_EQ(locks[0].holding_sites[0].wait_ns, At(51) - At(20));
  const std::vector<LockReport> ranged = LockContentionIn(m, At(0), At(300));
  ASSERT_EQ(ranged.size(), 1u);
  ASSERT_EQ(ranged[0].holding_sites.size(), 1u);
  EXPECT_EQ(ranged[0].holding_sites[0].name, "flush");
}

// `why`: 6 slow requests wait 30 ms for the rebuilder's lock, 4 are stopped for
// 30 ms by a stop-the-world; 1000 fast ones are below the threshold.
TEST(WhyTest, MixOfTwoPlantedCausesInKnownProportions) {
  SyntheticTrace tr(kT0, kT0 + 10 * kSec);
  tr.NameObject(format::ObjectKind::kLock, kLockX, "cache");
  const int rebuild = tr.Thread(1, "cache-rebuild");
  const int gc = tr.Thread(2, "compactor");
  int workers[4];
  for (int i = 0; i < 4; ++i) workers[i] = tr.Thread(10 + i, "worker");
  int64_t t = At(1);
  for (int i = 0; i < 1000; ++i, t += 2 * kMs) tr.Scope(workers[i % 4], "request", t, t + kMs);
  for (int i = 0; i < 10; ++i, t += 100 * kMs) {
    const int w = workers[i % 4];
    tr.Scope(w, "request", t, t + 31 * kMs);  // 1 ms running + 30 ms waiting
    if (i % 5 < 3) {                          // 6 of 10
      tr.Scope(rebuild, "rebuild_cache", t - 5 * kMs, t + 31 * kMs);
      tr.Hold(rebuild, kLockX, t - 5 * kMs, t + 30 * kMs, true);
      tr.WaitHold(w, kLockX, t, t + 30 * kMs, t + 30 * kMs + 100, 1);
    } else {
      tr.Stw(gc, "compaction", t, t + 30 * kMs);
    }
  }
  const Model m = MustLoad(tr.Encode());
  WhyOptions o;
  o.scope = "request";
  o.above_ns = 20 * kMs;
  const WhyReport r = Why(m, o);
  EXPECT_EQ(r.count, 1010u);
  EXPECT_EQ(r.above, 10u);
  EXPECT_EQ(r.explained, 10u);
  EXPECT_EQ(r.total_ns, 310 * kMs);
  ASSERT_GE(r.causes.size(), 2u);
  double sum = 0;
  for (const WhyCause& c : r.causes) sum += c.fraction;
  EXPECT_NEAR(sum, 1.0, 1e-9);
  const WhyCause& lock = r.causes[0];
  EXPECT_EQ(lock.sample.kind, CauseKind::kLockWait);
  EXPECT_EQ(lock.key, "lock wait on \"cache\" held by cache-rebuild in \"rebuild_cache\"");
  ASSERT_EQ(lock.roots.size(), 1u);
  EXPECT_EQ(lock.roots[0].root, "running");
  EXPECT_EQ(lock.roots[0].duration_ns, lock.duration_ns);
  EXPECT_NEAR(lock.fraction, 0.6, 0.05);  // planted: 6 x 30 ms of 310 ms = 58%
  EXPECT_EQ(lock.instances, 6u);
  EXPECT_EQ(lock.examples.size(), 3u);
  const WhyCause& stw = r.causes[1];
  EXPECT_EQ(stw.sample.kind, CauseKind::kStopTheWorld);
  EXPECT_NEAR(stw.fraction, 0.4, 0.05);  // planted: 4 x 30 ms of 310 ms = 39%
  EXPECT_EQ(stw.instances, 4u);
  // The p99 threshold is the nearest-rank percentile: rank 1000 of 1010 is a fast one.
  o.above_ns = -1;
  o.percentile = 99.5;
  const WhyReport p = Why(m, o);
  EXPECT_EQ(p.threshold_ns, 31 * kMs);  // rank ceil(0.995 * 1010) = 1005: a slow one
  EXPECT_EQ(p.above, 10u);
}

}  // namespace
}  // namespace tracelane::analysis
