#include "tracer/sched/sched_collector.h"

#include <pthread.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tracelane/internal/clock.h"
#include "tracelane/sched.h"
#include "tracer/recorder_state.h"
#include "tracer/sched/perf_switch_ring.h"
#include "tracer/sched/sched_history.h"
#include "tracer/sched/schedstat_reader.h"
#include "tracer/snapshot.h"

namespace tracelane::internal {
namespace {

constexpr int kPerfDataPages = 8;     // 32 KiB ring: ~500 switches between drains
constexpr size_t kMaxRetired = 1024;  // exited threads kept when nobody captures

// Scheduler state of one traced thread, live or exited.
struct ThreadSched {
  ThreadSched(int64_t tid_in, uint64_t start, size_t capacity)
      : tid(tid_in), start_ticks(start), history(capacity) {}
  int64_t tid;
  uint64_t start_ticks;  // the registry's start_ticks: identifies the thread
  bool alive = true;
  std::unique_ptr<PerfSwitchRing> perf;
  std::unique_ptr<SchedstatReader> stat;
  int64_t stat_run_ns = 0;  // last cumulative schedstat sample
  int64_t stat_wait_ns = 0;
  uint64_t perf_lost = 0;
  // Sources this thread was attached to since it registered: what its data (or
  // its silence: an idle thread writes no schedstat samples) came from.
  bool had_perf = false;
  bool had_stat = false;
  SchedHistory history;
};

SchedulerOptions OptionsFromEnv() {
  SchedulerOptions o;
  if (const char* s = std::getenv("TRACELANE_SCHED")) {
    if (std::strcmp(s, "schedstat") == 0) {
      o.source = SchedulerSource::kSchedstat;
    } else if (std::strcmp(s, "off") == 0 || std::strcmp(s, "none") == 0) {
      o.source = SchedulerSource::kOff;
    }
  }
  if (const char* s = std::getenv("TRACELANE_SCHED_POLL_MS")) {
    int ms;
    if (absl::SimpleAtoi(s, &ms) && ms > 0) o.poll_interval = absl::Milliseconds(ms);
  }
  return o;
}

// Set while this thread holds the collector lock. A thread that registers
// while holding it (say, an allocator-pause event emitted inside a capture)
// must not take the lock again; its attachment is deferred to the next poll.
thread_local bool tls_in_collector = false;

class Collector {
 public:
  static Collector& Get() {
    static auto* c = new Collector;  // never destroyed: threads exit during teardown
    return *c;
  }

  void OnThreadStart(ThreadRecord* rec) {
    if (tls_in_collector) {
      absl::MutexLock lock(&pending_mu_);
      pending_.push_back(Pending{rec->tid, rec->start_ticks});
      return;
    }
    Locked lock(this);
    rec->sched_state.store(AddThreadLocked(rec->tid, rec->start_ticks), std::memory_order_release);
  }

  void OnThreadExit(ThreadRecord* rec) {
    if (tls_in_collector) return;  // cannot happen: exit hooks run outside captures
    Locked lock(this);
    AttachPendingLocked();
    auto* t = static_cast<ThreadSched*>(rec->sched_state.exchange(nullptr));
    if (t == nullptr) t = FindLocked(rec->tid, rec->start_ticks);  // attached late
    if (t == nullptr || !t->alive) return;
    DetachLocked(*t);
    t->alive = false;
    size_t retired = 0;
    for (const auto& x : threads_) retired += x->alive ? 0 : 1;
    if (retired > kMaxRetired) {  // drop the oldest exited thread
      auto it = std::find_if(threads_.begin(), threads_.end(),
                             [](const auto& x) { return !x->alive; });
      threads_.erase(it);
    }
  }

  void OnSnapshot(Snapshot& snap);

  absl::Status SetOptions(const SchedulerOptions& o) {
    if (o.poll_interval <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("SetSchedulerOptions: poll_interval must be positive");
    }
    if (o.history_per_thread == 0) {
      return absl::InvalidArgumentError("SetSchedulerOptions: history_per_thread must be > 0");
    }
    Locked lock(this);
    options_ = o;
    perf_refused_ = false;  // asked again: try again
    for (auto& t : threads_) {
      t->history.SetCapacity(o.history_per_thread);
      if (t->alive) ReconcileLocked(*t);
    }
    if (o.source != SchedulerSource::kOff && !threads_.empty()) StartCollectorLocked();
    return absl::OkStatus();
  }

  // fork(): the collector lock must not be held by another thread at the fork,
  // or the child could never take it.
  void BeforeFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    mu_.Lock();
    pending_mu_.Lock();
  }
  void AfterForkInParent() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    pending_mu_.Unlock();
    mu_.Unlock();
  }
  // In the child only the forking thread exists, under a new tid, and the perf
  // rings were not inherited: every thread is retired (its history kept for a
  // capture the child may write) and its sources dropped. The collector thread
  // is gone too; it restarts with the next thread that registers.
  void AfterForkInChild() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    for (auto& t : threads_) {
      if (t->perf) t->perf->AbandonAfterFork();
      t->perf.reset();
      t->stat.reset();  // an fd on a parent thread's schedstat file
      t->alive = false;
    }
    pending_.clear();
    collector_started_ = false;
    pending_mu_.Unlock();
    mu_.Unlock();
  }

  SchedulerOptions options() {
    Locked lock(this);
    return options_;
  }

  SchedulerStats Stats() {
    Locked lock(this);
    SchedulerStats s;
    for (const auto& t : threads_) {
      if (t->alive && t->perf) ++s.threads_perf;
      if (t->alive && t->stat) ++s.threads_schedstat;
      s.records += t->history.size();
      s.lost += t->perf_lost + t->history.lost();
    }
    s.perf_error = perf_error_;
    return s;
  }

 private:
  // absl::MutexLock that also marks the thread as inside the collector.
  class ABSL_SCOPED_LOCKABLE Locked {
   public:
    explicit Locked(Collector* c) ABSL_EXCLUSIVE_LOCK_FUNCTION(c->mu_) : c_(c) {
      c_->mu_.Lock();
      tls_in_collector = true;
    }
    ~Locked() ABSL_UNLOCK_FUNCTION() {
      tls_in_collector = false;
      c_->mu_.Unlock();
    }

   private:
    Collector* c_;
  };

  struct Pending {
    int64_t tid;
    uint64_t start_ticks;
  };

  Collector() : options_(OptionsFromEnv()) {}

  ThreadSched* AddThreadLocked(int64_t tid, uint64_t start_ticks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // A thread registering again (Configure() reset the registry) keeps its
    // perf event; its earlier history belonged to discarded buffers.
    for (auto& t : threads_) {
      if (t->alive && t->tid == tid) {
        t->start_ticks = start_ticks;
        t->history.Clear();
        t->had_perf = t->perf != nullptr;
        t->had_stat = t->stat != nullptr;
        return t.get();
      }
    }
    threads_.push_back(std::make_unique<ThreadSched>(tid, start_ticks, options_.history_per_thread));
    ThreadSched* t = threads_.back().get();
    ReconcileLocked(*t);
    if (options_.source != SchedulerSource::kOff) StartCollectorLocked();
    return t;
  }

  // Attaches threads that registered while holding the collector lock.
  void AttachPendingLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<Pending> pending;
    {
      absl::MutexLock lock(&pending_mu_);
      pending.swap(pending_);
    }
    // These threads are still alive: a thread's exit hook attaches pending
    // threads before detaching itself. Their record's sched_state stays null;
    // the exit hook finds them by (tid, start_ticks).
    for (const Pending& p : pending) AddThreadLocked(p.tid, p.start_ticks);
  }

  // Opens or closes the thread's sources to match options_.
  void ReconcileLocked(ThreadSched& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const SchedulerSource src = options_.source;
    const bool want_perf = src == SchedulerSource::kPerf && !perf_refused_;
    if (!want_perf && t.perf) {
      t.perf->Drain(&t.history, &t.perf_lost);
      t.perf.reset();
    }
    if (want_perf && !t.perf) {
      absl::StatusOr<std::unique_ptr<PerfSwitchRing>> ring =
          PerfSwitchRing::Open(t.tid, kPerfDataPages);
      if (ring.ok()) {
        t.perf = *std::move(ring);
        t.had_perf = true;
      } else {
        perf_error_ = std::string(ring.status().message());
        if (absl::IsPermissionDenied(ring.status()) || absl::IsUnimplemented(ring.status())) {
          perf_refused_ = true;  // refused for the process: stop asking per thread
        }
      }
    }
    const bool want_stat = src == SchedulerSource::kSchedstat ||
                           (src == SchedulerSource::kPerf && !t.perf);
    if (!want_stat && t.stat) {
      SampleLocked(t);
      t.stat.reset();
    }
    if (want_stat && !t.stat) {
      absl::StatusOr<std::unique_ptr<SchedstatReader>> r = SchedstatReader::Open(t.tid);
      if (r.ok() && (*r)->Read(&t.stat_run_ns, &t.stat_wait_ns)) {
        t.stat = *std::move(r);
        t.had_stat = true;
      }
    }
  }

  // Records the run/wait time since the previous schedstat sample, if any.
  void SampleLocked(ThreadSched& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    int64_t run, wait;
    if (!t.stat->Read(&run, &wait)) return;
    if (run == t.stat_run_ns && wait == t.stat_wait_ns) return;  // idle: nothing to say
    SchedRecord r;
    r.mono_ns = MonotonicNs();
    r.type = format::EventType::kSchedStat;
    r.payload = static_cast<uint64_t>(std::max<int64_t>(0, run - t.stat_run_ns));
    r.arg = std::max<int64_t>(0, wait - t.stat_wait_ns);
    r.has_arg = true;
    t.history.Push(r);
    t.stat_run_ns = run;
    t.stat_wait_ns = wait;
  }

  // Final drain/sample of an exiting thread; closes its sources.
  void DetachLocked(ThreadSched& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (t.perf) t.perf->Drain(&t.history, &t.perf_lost);
    if (t.stat) SampleLocked(t);
    t.perf.reset();
    t.stat.reset();
  }

  void PollLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    AttachPendingLocked();
    for (auto& t : threads_) {
      if (!t->alive) continue;
      if (t->perf) t->perf->Drain(&t->history, &t->perf_lost);
      if (t->stat) SampleLocked(*t);
    }
  }

  void StartCollectorLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (collector_started_) return;
    collector_started_ = true;
    std::thread([this] { Run(); }).detach();
  }

  // The collector thread: drains every poll interval, forever (it is detached
  // and the collector is never destroyed).
  void Run() {
    ExcludeCurrentThread();
    pthread_setname_np(pthread_self(), "tracelane-sched");
    absl::Time next_prune = absl::Now();
    for (;;) {
      absl::Duration sleep;
      {
        Locked lock(this);
        PollLocked();
        if (absl::Now() >= next_prune) {
          PruneRetiredLocked();
          next_prune = absl::Now() + absl::Seconds(1);
        }
        sleep = options_.poll_interval;
      }
      absl::SleepFor(sleep);
    }
  }

  // Forgets exited threads whose events have all left the buffers (their
  // registry record is unreferenced or recycled): nothing to attach data to.
  void PruneRetiredLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (std::none_of(threads_.begin(), threads_.end(), [](const auto& t) { return !t->alive; })) {
      return;
    }
    std::vector<std::pair<int64_t, uint64_t>> retained;  // (tid, start_ticks) with data
    {
      ThreadRegistry& reg = Recorder().registry;
      absl::MutexLock lock(&reg.mu());
      for (uint32_t i = 0; i < reg.size(); ++i) {
        const ThreadRecord* r = reg.Get(i);
        if (r->alive.load(std::memory_order_acquire) ||
            r->refs.load(std::memory_order_acquire) > 0) {
          retained.emplace_back(r->tid, r->start_ticks);
        }
      }
    }
    threads_.erase(std::remove_if(threads_.begin(), threads_.end(),
                                  [&](const std::unique_ptr<ThreadSched>& t) {
                                    if (t->alive) return false;
                                    return std::find(retained.begin(), retained.end(),
                                                     std::make_pair(t->tid, t->start_ticks)) ==
                                           retained.end();
                                  }),
                   threads_.end());
  }

  ThreadSched* FindLocked(int64_t tid, uint64_t start_ticks) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (auto& t : threads_) {
      if (t->tid == tid && t->start_ticks == start_ticks) return t.get();
    }
    return nullptr;
  }

  absl::Mutex mu_;
  SchedulerOptions options_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<ThreadSched>> threads_ ABSL_GUARDED_BY(mu_);
  bool perf_refused_ ABSL_GUARDED_BY(mu_) = false;
  std::string perf_error_ ABSL_GUARDED_BY(mu_);
  bool collector_started_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex pending_mu_;
  std::vector<Pending> pending_ ABSL_GUARDED_BY(pending_mu_);
};

// Tick of the thread's first real event (after a loss, earlier scheduler data
// has nothing to attach to) and of its exit event; 0 / UINT64_MAX if absent.
void EventBounds(const std::vector<RawEvent>& events, uint64_t* first, uint64_t* exit) {
  *first = 0;
  *exit = UINT64_MAX;
  for (const RawEvent& e : events) {
    const uint8_t type = static_cast<uint8_t>(e.word >> kTypeShift);
    if (type == kArgType || type == kPadType) continue;
    if (*first == 0) *first = e.ticks;
    if (type == static_cast<uint8_t>(format::EventType::kThreadExit)) *exit = e.ticks;
  }
}

void Collector::OnSnapshot(Snapshot& snap) {
  Locked lock(this);
  PollLocked();
  const Calibration& cal = snap.calibration;
  uint64_t lost = 0, threads_perf = 0, threads_stat = 0;
  for (ThreadSnapshot& ts : snap.threads) {
    ThreadSched* t = FindLocked(ts.tid, ts.start_ticks);
    if (t == nullptr) continue;
    lost += t->perf_lost + t->history.lost();
    uint64_t first, exit;
    EventBounds(ts.events, &first, &exit);
    uint64_t lo = std::max(snap.begin_ticks, ts.start_ticks);
    if ((ts.dropped != 0 || ts.overwritten != 0) && first != 0) lo = std::max(lo, first);
    uint64_t hi = std::min(snap.end_ticks, exit);
    if (!ts.alive && ts.exit_ticks != 0) hi = std::min(hi, ts.exit_ticks);
    const size_t before = ts.extra.size();
    // The sources a thread counts under: those it was attached to, and those its
    // records in this snapshot came from.
    bool perf = t->had_perf;
    bool stat = t->had_stat;
    t->history.ForEach([&](const SchedRecord& r) {
      const uint64_t ticks = cal.ToTicks(r.mono_ns);
      if (ticks < lo || ticks > hi) return;
      ts.extra.push_back(ExtraEvent{ticks, r.type, r.payload, r.arg, r.has_arg});
      (r.type == format::EventType::kSchedStat ? stat : perf) = true;
    });
    threads_perf += perf ? 1 : 0;
    threads_stat += stat ? 1 : 0;
    if (before != 0 && ts.extra.size() != before) {  // another hook added events too
      std::stable_sort(ts.extra.begin(), ts.extra.end(),
                       [](const ExtraEvent& a, const ExtraEvent& b) { return a.ticks < b.ticks; });
    }
  }
  std::string source = "none", detail = "no scheduler data (TRACELANE_SCHED=off)";
  if (threads_perf != 0) {
    source = "perf";
    detail = absl::StrCat("perf context-switch records (exact) for ", threads_perf, " threads");
    if (threads_stat != 0) {
      absl::StrAppend(&detail, "; schedstat deltas (approximate) for ", threads_stat,
                      " threads: ", perf_error_);
    }
  } else if (threads_stat != 0) {
    source = "schedstat";
    detail = absl::StrCat("approximate: /proc/self/task/<tid>/schedstat run/wait deltas every ",
                          absl::FormatDuration(options_.poll_interval), " for ", threads_stat,
                          " threads", perf_error_.empty() ? "" : "; perf: ", perf_error_);
  }
  snap.properties.emplace_back("scheduler_source", source);
  snap.properties.emplace_back("scheduler_detail", detail);
  snap.properties.emplace_back("scheduler_lost_records", absl::StrCat(lost));
  PruneRetiredLocked();
}

void StartHook(ThreadRecord* rec) { Collector::Get().OnThreadStart(rec); }
void ExitHook(ThreadRecord* rec) { Collector::Get().OnThreadExit(rec); }
void SnapshotHookFn(Snapshot& snap) { Collector::Get().OnSnapshot(snap); }

}  // namespace

void InstallSchedCollector() {
  Collector::Get();
  AddThreadHooks(&StartHook, &ExitHook);
  AddSnapshotHook(&SnapshotHookFn);
  pthread_atfork([] { Collector::Get().BeforeFork(); },
                 [] { Collector::Get().AfterForkInParent(); },
                 [] { Collector::Get().AfterForkInChild(); });
}

}  // namespace tracelane::internal

namespace tracelane {

absl::Status SetSchedulerOptions(const SchedulerOptions& options) {
  return internal::Collector::Get().SetOptions(options);
}

SchedulerOptions CurrentSchedulerOptions() { return internal::Collector::Get().options(); }

SchedulerStats GetSchedulerStats() { return internal::Collector::Get().Stats(); }

}  // namespace tracelane
