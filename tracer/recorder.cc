// The recording slow path: thread registration, chunk hand-over, drop accounting
// and thread exit. The fast path is inline in include/tracelane/internal/recorder.h.
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "tracelane/config.h"
#include "tracelane/trace.h"
#include "tracer/recorder_state.h"

namespace tracelane::internal {

TRACELANE_CONSTINIT thread_local ThreadCursor tls_cursor __attribute__((tls_model("initial-exec")));
// Starts on with clock_gettime; InitClock switches to the TSC once it has checked
// that the TSC is invariant.
std::atomic<uint8_t> g_mode{kModeClock};

namespace {

constexpr uint32_t kReentrySlots = 64;

// Per-thread slow-path state. Trivially destructible, so it lives in static TLS
// with no guard; the ExitHook below runs the exit work.
struct LocalState {
  ThreadRecord* record;
  uint32_t chunk;          // chunk being written, or kNoChunk
  bool has_chunk;
  RawEvent* scratch;       // mmap'd drop area, allocated on first drop
  bool in_scratch;
  bool in_refill;          // guards against re-entry (e.g. from malloc hooks)
  bool exited;
  bool excluded;
  uint64_t pending_dropped;
  // Events this thread emitted into every area it left so far (chunks, scratch
  // and re-entry areas): the `events_before` of its next chunk (AreaStamp).
  uint64_t emitted;
  int64_t tid;
  // Set in a child of fork() on the forking thread: its name, given to the
  // record it gets when it records again in the child's fresh recorder.
  std::string* name_after_fork;
};
thread_local LocalState tls_state __attribute__((tls_model("initial-exec")));
// Ends on a kBoundaryBytes boundary, like every area a cursor points into.
alignas(kBoundaryBytes) thread_local RawEvent tls_reentry[kReentrySlots];
static_assert(sizeof(tls_reentry) % kBoundaryBytes == 0);

struct ExitHook {
  bool armed = false;
  ~ExitHook();
};
void FinishThreadImpl();
thread_local ExitHook tls_exit_hook;

absl::Mutex g_hooks_mu(absl::kConstInit);
struct HookPair {
  ThreadHook on_start;
  ThreadHook on_exit;
};
// Fixed array read without the lock: entries are published before `g_hook_count`.
HookPair g_hooks[8];
std::atomic<int> g_hook_count{0};

void RunHooks(ThreadRecord* record, bool start) {
  const int n = g_hook_count.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) {
    ThreadHook h = start ? g_hooks[i].on_start : g_hooks[i].on_exit;
    if (h != nullptr) h(record);
  }
}

// Runs the hooks with thread cancellation disabled: they may make syscalls that
// are cancellation points (open, close), and a pthread_cancel acted upon inside
// the slow path would leave the thread's recorder state half updated.
void RunHooksNoCancel(ThreadRecord* record, bool start) {
  int old_state;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old_state);
  RunHooks(record, start);
  pthread_setcancelstate(old_state, nullptr);
}

RecorderOptions OptionsFromEnv() {
  RecorderOptions o;
  if (const char* mb = std::getenv("TRACELANE_BUFFER_MB")) {
    uint64_t v;
    if (absl::SimpleAtoi(mb, &v) && v > 0 && v < (uint64_t{1} << 20)) o.buffer_bytes = v << 20;
  }
  if (const char* p = std::getenv("TRACELANE_POLICY")) {
    if (std::strcmp(p, "drop") == 0) o.policy = OverflowPolicy::kDropNewest;
  }
  return o;
}

bool InRange(const RawEvent* p, const RawEvent* begin, size_t n) {
  return p >= begin && p <= begin + n;
}

// Points the cursor at the re-entry area; events written there are counted as
// dropped when the cursor moves on.
RawEvent* UseReentry(LocalState& s, ThreadCursor& c) {
  RawEvent* pos = c.pos.load(std::memory_order_relaxed);
  if (InRange(pos, tls_reentry, kReentrySlots)) {
    const uint32_t n = CountEvents(tls_reentry, pos);
    s.pending_dropped += n;
    s.emitted += n;
    if (s.record != nullptr) s.record->emitted.store(s.emitted, std::memory_order_relaxed);
  }
  c.end = tls_reentry + kReentrySlots;
  c.pos.store(tls_reentry, std::memory_order_relaxed);
  return tls_reentry;
}

// Accounts for the events in the area ending at `pos` that the cursor is leaving:
// a chunk is published, scratch and re-entry events are counted as dropped, and
// all of them as emitted. Chunk and scratch areas are counted as slots minus
// `extra` (no scan); the tiny re-entry area is scanned.
void RetireArea(LocalState& s, RawEvent* pos, RecorderState& r) {
  const uint32_t extra = tls_cursor.extra;
  if (InRange(pos, tls_reentry, kReentrySlots)) {
    const uint32_t n = CountEvents(tls_reentry, pos);
    s.pending_dropped += n;
    s.emitted += n;
  } else if (s.has_chunk) {
    RawEvent* begin = r.pool.Data(s.chunk);
    const uint32_t n = static_cast<uint32_t>(pos - begin);
    s.record->current_chunk.store(kNoChunk, std::memory_order_release);
    if (!r.pool.Release(s.chunk, n, n - extra)) ThreadRegistry::Unref(s.record);
    s.emitted += n - extra;
    s.has_chunk = false;
  } else if (s.in_scratch) {
    const uint64_t n = static_cast<uint64_t>(pos - s.scratch) - extra;
    s.pending_dropped += n;
    s.emitted += n;
    s.in_scratch = false;
  }
  if (s.record != nullptr) s.record->emitted.store(s.emitted, std::memory_order_relaxed);
}

// TRACELANE_KEEP_SECONDS: the retention target (decimal seconds; 0 disables aging).
void KeepFromEnv(RecorderState* s) {
  if (const char* k = std::getenv("TRACELANE_KEEP_SECONDS")) {
    double v;
    if (absl::SimpleAtod(k, &v) && v >= 0 && v <= 86400) {
      s->keep_ns.store(static_cast<int64_t>(v * 1e9), std::memory_order_relaxed);
    }
  }
}

constexpr uint64_t kKeepDisabled = UINT64_MAX;

// The retention target in ticks, or 0 while the tick rate is not yet known (the
// first 50 ms) or when aging is disabled.
uint64_t KeepTicks(RecorderState& r) {
  uint64_t keep = r.keep_ticks.load(std::memory_order_relaxed);
  if (keep == kKeepDisabled) return 0;
  if (keep != 0) return keep;
  const int64_t keep_ns = r.keep_ns.load(std::memory_order_relaxed);
  if (keep_ns <= 0) {
    r.keep_ticks.store(kKeepDisabled, std::memory_order_relaxed);
    return 0;
  }
  if (!g_use_tsc) {
    keep = static_cast<uint64_t>(keep_ns);
  } else {
    const int64_t dns = MonotonicNs() - r.rate_ns0;
    if (dns < 50000000) return 0;
    const double ticks_per_ns = static_cast<double>(ReadTicks() - r.rate_ticks0) / dns;
    keep = static_cast<uint64_t>(static_cast<double>(keep_ns) * ticks_per_ns) + 1;
  }
  r.keep_ticks.store(keep, std::memory_order_relaxed);
  return keep;
}

// Tick value before which a full chunk counts as aged out (0: no aging). An open
// capture window holds retention at its start. Slow path: one clock read.
uint64_t AgedBefore(RecorderState& r) {
  if (r.pool.policy() != OverflowPolicy::kOverwriteOldest) return 0;
  const uint64_t keep = KeepTicks(r);
  if (keep == 0) return 0;
  const uint64_t now = ReadTicks();
  if (now <= keep) return 0;
  uint64_t before = now - keep;
  const uint64_t window = r.window_start_ticks.load(std::memory_order_acquire);
  if (window != 0 && window < before) before = window;
  return before;
}

// Accounts for the events of a chunk taken from another thread (or this one): aged
// out by retention, or lost to budget-forced reuse. The chunk's contents are still
// intact: nobody writes a chunk between Acquire and its new owner's first store.
void AccountReclaimed(RecorderState& r, const Reclaimed& rc, const RawEvent* data) {
  auto* victim = static_cast<ThreadRecord*>(rc.owner);
  const uint64_t window = r.window_start_ticks.load(std::memory_order_acquire);
  const uint32_t events = rc.events;
  // Only an open capture window needs the per-event split (events can be
  // back-dated, so the chunk's first/last ticks do not bound it): scan then.
  uint32_t in_window = 0;
  if (window != 0 && !rc.aged) CountEvents(data, data + rc.count, window, &in_window);
  if (rc.aged) {
    r.aged_out.fetch_add(events, std::memory_order_relaxed);
  } else {
    victim->overwritten.fetch_add(events, std::memory_order_relaxed);
    if (window != 0 && in_window != 0) {
      victim->window_overwritten.fetch_add(in_window, std::memory_order_relaxed);
    }
    uint64_t h = r.overwrite_horizon_ticks.load(std::memory_order_relaxed);
    while (rc.last_ticks > h && !r.overwrite_horizon_ticks.compare_exchange_weak(
                                    h, rc.last_ticks, std::memory_order_relaxed)) {
    }
  }
  ThreadRegistry::Unref(victim);
}

}  // namespace

namespace {

// The recorder in use. Replaced only in a child of fork(), which starts afresh.
std::atomic<RecorderState*> g_state{nullptr};

RecorderState* NewState(const RecorderOptions& options, int64_t keep_ns) {
  auto* s = new RecorderState;
  s->options = options;
  s->keep_ns.store(keep_ns, std::memory_order_relaxed);
  s->rate_ticks0 = ReadTicks();
  s->rate_ns0 = MonotonicNs();
  s->pool.Init(options.buffer_bytes, options.chunk_events, options.policy);
  return s;
}

// fork(): the object table must not be mid-update by another thread when the
// child copies it. The lock is a leaf (nothing is locked under it), so taking it
// here cannot deadlock with other fork handlers.
void BeforeFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  g_state.load(std::memory_order_acquire)->objects_mu.Lock();
}
void AfterForkInParent() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  g_state.load(std::memory_order_acquire)->objects_mu.Unlock();
}

// In the child only the forking thread exists. The parent's buffers hold the
// parent's events and a registry of threads that do not exist here, some of
// whose chunks may be mid-hand-over: the child gets a fresh recorder with the
// same settings and the object names (lock names) of the parent, and the old
// pool is unmapped. The forking thread records into the new recorder from its
// next event, under its new tid and its old name. Runs inside fork() in the
// child, before any other code of the child; takes no lock another thread held.
void AfterForkInChild() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  RecorderState* old = g_state.load(std::memory_order_acquire);
  RecorderState* fresh = NewState(old->options, old->keep_ns.load(std::memory_order_relaxed));
  fresh->objects = old->objects;
  old->objects_mu.Unlock();
  LocalState& s = tls_state;
  ThreadCursor& c = tls_cursor;
  if (s.record != nullptr && !s.record->name.empty()) {
    // Only this thread ever writes its own record's name (SetThreadName).
    if (s.name_after_fork == nullptr) s.name_after_fork = new std::string;
    *s.name_after_fork = s.record->name;
  }
  if (s.scratch != nullptr) munmap(s.scratch, size_t{old->pool.chunk_events()} * sizeof(RawEvent));
  s.record = nullptr;
  s.has_chunk = false;
  s.scratch = nullptr;
  s.in_scratch = false;
  s.in_refill = false;
  s.pending_dropped = 0;
  s.emitted = 0;
  s.tid = 0;  // a new thread id in the child
  c.extra = 0;
  if (s.excluded || s.exited) {
    c.end = tls_reentry + kReentrySlots;
    c.pos.store(tls_reentry, std::memory_order_relaxed);
  } else {
    c.end = nullptr;  // the next event registers the thread again
    c.pos.store(nullptr, std::memory_order_relaxed);
  }
  g_state.store(fresh, std::memory_order_release);
  old->pool.Destroy();  // the rest of the old state is leaked: its locks may be held
}

}  // namespace

RecorderState& Recorder() {
  static RecorderState* const first = [] {
    RecorderState* s = NewState(OptionsFromEnv(), kDefaultKeepNs);
    KeepFromEnv(s);
    g_state.store(s, std::memory_order_release);
    pthread_atfork(&BeforeFork, &AfterForkInParent, &AfterForkInChild);
    return s;
  }();
  (void)first;
  return *g_state.load(std::memory_order_acquire);
}

void DiscardChunk(uint32_t index) {
  RecorderState& r = Recorder();
  ChunkDesc& d = r.pool.Desc(index);
  Reclaimed rc;
  rc.any = true;
  rc.owner = d.owner.load(std::memory_order_relaxed);
  rc.count = d.count.load(std::memory_order_relaxed);
  rc.events = d.events.load(std::memory_order_relaxed);
  rc.first_ticks = d.first_ticks.load(std::memory_order_relaxed);
  rc.last_ticks = d.last_ticks.load(std::memory_order_relaxed);
  AccountReclaimed(r, rc, r.pool.Data(index));
  r.pool.Recycle(index);
}

int64_t CurrentTid() {
  LocalState& s = tls_state;
  if (s.tid == 0) s.tid = static_cast<int64_t>(syscall(SYS_gettid));
  return s.tid;
}

RawEvent* RefillChunk() {
  ThreadCursor& c = tls_cursor;
  // Emit stops at every aligned boundary; only the area's end needs work.
  RawEvent* const at = c.pos.load(std::memory_order_relaxed);
  if (at != c.end) return at;
  LocalState& s = tls_state;
  if (s.in_refill) return UseReentry(s, c);
  if (s.excluded) {
    c.end = tls_reentry + kReentrySlots;
    c.pos.store(tls_reentry, std::memory_order_relaxed);
    return tls_reentry;
  }
  if (s.exited) {
    RawEvent* pos = c.pos.load(std::memory_order_relaxed);
    if (InRange(pos, tls_reentry, kReentrySlots)) {
      Recorder().lost_after_exit.fetch_add(CountEvents(tls_reentry, pos), std::memory_order_relaxed);
    }
    c.end = tls_reentry + kReentrySlots;
    c.pos.store(tls_reentry, std::memory_order_relaxed);
    return tls_reentry;
  }
  s.in_refill = true;
  RecorderState& r = Recorder();
  const uint32_t events = r.pool.chunk_events();
  RetireArea(s, c.pos.load(std::memory_order_relaxed), r);
  // Park the cursor: anything emitted below (an allocation hook, say) lands in the
  // re-entry area and is counted as dropped.
  c.end = tls_reentry + kReentrySlots;
  c.pos.store(tls_reentry, std::memory_order_relaxed);
  const bool registering = s.record == nullptr;
  if (registering) {
    tls_exit_hook.armed = true;
    s.record = r.registry.Register(CurrentTid(), &c, ReadTicks());
    // A recycled record may carry losses of the open capture window.
    const uint64_t stale = s.record->window_overwritten.exchange(0, std::memory_order_relaxed);
    if (stale != 0 && r.window_start_ticks.load(std::memory_order_relaxed) != 0) {
      r.window_lost_recycled.fetch_add(stale, std::memory_order_relaxed);
    }
    s.record->window_dropped_base.store(0, std::memory_order_relaxed);
    if (s.name_after_fork != nullptr) {
      r.registry.SetName(s.record, s.name_after_fork->c_str());
      delete s.name_after_fork;
      s.name_after_fork = nullptr;
    }
    RunHooksNoCancel(s.record, /*start=*/true);
  }
  RetireArea(s, c.pos.load(std::memory_order_relaxed), r);

  // The next area, a chunk or the scratch area, takes the next number, so a
  // writer sees every chunk that did not reach it as a gap in the numbers.
  const uint64_t area = s.record->area_seq.load(std::memory_order_relaxed) + 1;
  s.record->area_seq.store(area, std::memory_order_relaxed);
  Reclaimed rc;
  const uint32_t idx = r.pool.Acquire(s.record, &rc, AgedBefore(r), AreaStamp{area, s.emitted});
  if (rc.any) AccountReclaimed(r, rc, r.pool.Data(idx));
  RawEvent* begin;
  if (idx != kNoChunk) {
    s.record->refs.fetch_add(1, std::memory_order_relaxed);
    s.chunk = idx;
    s.has_chunk = true;
    begin = r.pool.Data(idx);
    s.record->current_chunk.store(idx, std::memory_order_release);
  } else {
    if (s.scratch == nullptr) {
      void* m = mmap(nullptr, size_t{events} * sizeof(RawEvent), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      s.scratch = m == MAP_FAILED ? nullptr : static_cast<RawEvent*>(m);
    }
    if (s.scratch == nullptr) {
      s.in_refill = false;
      return UseReentry(s, c);
    }
    s.in_scratch = true;
    begin = s.scratch;
  }
  if (s.pending_dropped != 0) {
    s.record->dropped.fetch_add(s.pending_dropped, std::memory_order_relaxed);
    s.pending_dropped = 0;
  }
  c.end = begin + events;
  c.extra = 0;
  if (registering) {  // the thread's first event marks its start
    begin->ticks = s.record->start_ticks;
    begin->word = uint64_t{static_cast<uint8_t>(format::EventType::kThreadStart)} << kTypeShift;
    ++begin;
  }
  c.pos.store(begin, std::memory_order_release);
  s.in_refill = false;
  return begin;
}

namespace {
// Publishes the thread's last chunk and marks it dead. Idempotent.
void FinishThreadImpl() {
  LocalState& s = tls_state;
  if (s.record == nullptr) return;
  ThreadCursor& c = tls_cursor;
  RecorderState& r = Recorder();
  // Record the exit while the chunk is still ours.
  if (IsEnabled()) Emit(format::EventType::kThreadExit, 0);
  s.in_refill = true;
  RunHooksNoCancel(s.record, /*start=*/false);
  RetireArea(s, c.pos.load(std::memory_order_relaxed), r);
  if (s.pending_dropped != 0) {
    s.record->dropped.fetch_add(s.pending_dropped, std::memory_order_relaxed);
    s.pending_dropped = 0;
  }
  if (s.scratch != nullptr) {
    munmap(s.scratch, size_t{r.pool.chunk_events()} * sizeof(RawEvent));
    s.scratch = nullptr;
  }
  r.registry.Exit(s.record, ReadTicks());
  s.record = nullptr;
  s.exited = true;
  s.in_refill = false;
  c.end = tls_reentry + kReentrySlots;
  c.pos.store(tls_reentry, std::memory_order_relaxed);
}
}  // namespace

ExitHook::~ExitHook() {
  if (armed) FinishThreadImpl();
}

void EmitAtWithArg(uint64_t ticks, format::EventType type, uint64_t payload, uint64_t arg) {
  EmitStampedWithArg([ticks] { return ticks; }, type, payload, arg);
}

void AddThreadHooks(ThreadHook on_start, ThreadHook on_exit) {
  absl::MutexLock lock(&g_hooks_mu);
  const int n = g_hook_count.load(std::memory_order_relaxed);
  if (n == 8) std::abort();  // a fixed handful of subsystems use this
  g_hooks[n] = HookPair{on_start, on_exit};
  g_hook_count.store(n + 1, std::memory_order_release);
}

void ExcludeCurrentThread() {
  LocalState& s = tls_state;
  ThreadCursor& c = tls_cursor;
  FinishThreadImpl();  // if it already recorded, finish as at exit
  s.excluded = true;
  c.end = tls_reentry + kReentrySlots;
  c.pos.store(tls_reentry, std::memory_order_relaxed);
}

void NameObject(format::ObjectKind kind, uint64_t id, const char* name) {
  RecorderState& r = Recorder();
  absl::MutexLock lock(&r.objects_mu);
  r.objects[id] = ObjectName{kind, id, name};
}

}  // namespace tracelane::internal

namespace tracelane {

void SetEnabled(bool enabled) {
  const uint8_t on = internal::g_use_tsc ? internal::kModeTsc : internal::kModeClock;
  internal::g_mode.store(enabled ? on : internal::kModeOff, std::memory_order_relaxed);
}

void SetThreadName(const char* name) {
  internal::LocalState& s = internal::tls_state;
  if (s.record == nullptr && !s.exited) internal::RefillChunk();  // registers the thread
  if (s.record != nullptr) internal::Recorder().registry.SetName(s.record, name);
}

absl::Status Configure(const RecorderOptions& options) {
  internal::RecorderState& r = internal::Recorder();
  absl::MutexLock config_lock(&r.config_mu);
  internal::LocalState& s = internal::tls_state;
  const uint64_t others = r.registry.live() - (s.record != nullptr ? 1 : 0);
  if (others != 0) {
    return absl::FailedPreconditionError(
        "tracelane::Configure: other threads are recording; configure before starting them");
  }
  if (s.record != nullptr) {
    internal::ThreadCursor& c = internal::tls_cursor;
    c.pos.store(nullptr, std::memory_order_relaxed);
    c.end = nullptr;
    c.extra = 0;
    s.record = nullptr;
    s.has_chunk = false;
    s.in_scratch = false;
    s.pending_dropped = 0;
    s.emitted = 0;
    if (s.scratch != nullptr) {
      munmap(s.scratch, size_t{r.pool.chunk_events()} * sizeof(internal::RawEvent));
      s.scratch = nullptr;
    }
  }
  r.registry.Reset();
  r.options = options;
  r.pool.Init(options.buffer_bytes, options.chunk_events, options.policy);
  r.lost_after_exit.store(0, std::memory_order_relaxed);
  r.keep_ticks.store(0, std::memory_order_relaxed);
  r.window_start_ticks.store(0, std::memory_order_relaxed);
  r.window_lost_recycled.store(0, std::memory_order_relaxed);
  r.aged_out.store(0, std::memory_order_relaxed);
  r.overwrite_horizon_ticks.store(0, std::memory_order_relaxed);
  r.streamed_out.store(0, std::memory_order_relaxed);
  return absl::OkStatus();
}

RecorderOptions CurrentOptions() { return internal::Recorder().options; }

RecorderStats GetRecorderStats() {
  internal::RecorderState& r = internal::Recorder();
  RecorderStats st;
  st.chunks_total = r.pool.chunk_count();
  st.chunks_in_use = r.pool.in_use();
  st.bytes_budget = r.pool.bytes();
  st.threads_live = r.registry.live();
  st.threads_retained = r.registry.retained();
  absl::MutexLock lock(&r.registry.mu());
  for (uint32_t i = 0; i < r.registry.size(); ++i) {
    internal::ThreadRecord* t = r.registry.Get(i);
    st.events_dropped += t->dropped.load(std::memory_order_relaxed);
    st.events_overwritten += t->overwritten.load(std::memory_order_relaxed);
  }
  st.events_overwritten += r.registry.lost_recycled();
  return st;
}

}  // namespace tracelane
