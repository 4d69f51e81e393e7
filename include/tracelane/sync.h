// tracelane/sync.h: traced locks. Drop-in replacements for std::mutex,
// std::shared_mutex and std::condition_variable_any that record who waited for a
// lock, for how long, and which thread handed it over; plus one call that makes
// absl::Mutex / absl::CondVar contention visible without changing their users.
//
//   tracelane::Mutex mu("queue");          // optional name, shown by the viewer
//   tracelane::CondVar not_empty("queue not empty");
//   {
//     std::unique_lock lock(mu);
//     not_empty.wait(lock, [&] { return !q.empty(); });
//   }
//
// Events (include/tracelane/format.h; the lock id is the object's address):
//   uncontended lock:  kLockAcquired(id)                      (no arg: reads as 0)
//   contended lock:    kLockWait(id, LockMode) ... kLockAcquired(id, releaser tid)
//   unlock:            kLockReleased(id), arg 1 when threads were waiting
//   failed try_lock:   kLockTryFailed(id)
//   condvar:           kCondWait(id) ... kCondWake(id, notifier tid or 0);
//                      kCondNotify(id, 1 for notify_all) on the notifying thread.
// docs/LOCKS_AND_SCHEDULING.md explains what each field means to the analysis.
#ifndef TRACELANE_SYNC_H_
#define TRACELANE_SYNC_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "tracelane/format.h"
#include "tracelane/internal/recorder.h"

namespace tracelane {

// How a thread asked for a lock: the arg of kLockWait.
enum class LockMode : uint8_t {
  kExclusive = 0,
  kShared = 1,
};

namespace internal {

// The id of a lock or condvar in the trace: its address, masked to the 56-bit
// payload. O(1).
inline uint64_t ObjectId(const void* object) {
  return reinterpret_cast<uintptr_t>(object) & kPayloadMask;
}
inline bool SyncTracingOn() { return CurrentMode() != kModeOff; }

// Out-of-line slow paths (tracer/sync/lock_events.cc). Each emits events only.
void EmitLockWait(uint64_t id, LockMode mode);
void EmitLockAcquiredFrom(uint64_t id, int64_t releaser_tid);
void EmitLockReleasedWithWaiters(uint64_t id);
void EmitLockTryFailed(uint64_t id);
void EmitCondWait(uint64_t id);
void EmitCondWake(uint64_t id, int64_t notifier_tid);
void EmitCondNotify(uint64_t id, bool all);

// The hand-over bookkeeping shared by Mutex and SharedMutex. `waiters` counts
// threads inside the blocking part of lock(); `releaser` is the tid of the last
// thread that unlocked while someone was waiting (0 once every waiter has read it).
struct LockHandoff {
  std::atomic<int32_t> waiters{0};
  std::atomic<int64_t> releaser{0};

  bool HasWaiters() const { return waiters.load(std::memory_order_relaxed) != 0; }
  // Called by a waiter before it blocks.
  void BeginWait() { waiters.fetch_add(1, std::memory_order_relaxed); }
  // Called by a waiter once it owns the lock; returns the thread that handed it
  // over (0 if it was released before this thread started waiting).
  int64_t EndWait() {
    const int64_t from = releaser.load(std::memory_order_relaxed);
    if (waiters.fetch_sub(1, std::memory_order_relaxed) == 1) {
      releaser.store(0, std::memory_order_relaxed);
    }
    return from;
  }
  // Records an acquisition that did not wait (a free lock). One flag test and one
  // event.
  static void Acquired(uint64_t id) {
    if (SyncTracingOn()) Emit(format::EventType::kLockAcquired, id);
  }
  // Records the outcome of a try_lock (acquired, or kLockTryFailed) and returns it.
  static bool Tried(uint64_t id, bool acquired) {
    if (acquired) {
      Acquired(id);
    } else if (SyncTracingOn()) {
      EmitLockTryFailed(id);
    }
    return acquired;
  }
  // Records an unlock; with threads waiting, names the calling thread as the one
  // that hands the lock over. Call before unlocking.
  void Released(uint64_t id) {
    if (__builtin_expect(!HasWaiters(), 1)) {
      if (SyncTracingOn()) Emit(format::EventType::kLockReleased, id);
    } else {
      releaser.store(CurrentTid(), std::memory_order_relaxed);
      if (SyncTracingOn()) EmitLockReleasedWithWaiters(id);
    }
  }
};

// State of a CondVar kept alive by every waiter (as libstdc++ does for
// condition_variable_any), so the CondVar may be destroyed right after notify.
struct CondState {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t seq = 0;       // notifications so far; guarded by mu
  int64_t notifier = 0;   // tid of the latest notifier; guarded by mu
};

}  // namespace internal

// A traced std::mutex. Satisfies Lockable, so it works with std::lock_guard,
// std::unique_lock, std::scoped_lock and CondVar.
//
// Cost: the uncontended lock()+unlock() is std::mutex's try_lock+unlock plus two
// 16-byte events (about the price of one TRACE_SCOPE). A contended lock() adds
// three events and two relaxed atomic updates to the blocking path.
class ABSL_LOCKABLE Mutex {
 public:
  // An unnamed mutex; constant-initialized, so it is safe as a global.
  constexpr Mutex() noexcept = default;
  // A named mutex: the trace shows `name` for it. Copies the name; allocates once.
  explicit Mutex(const char* name);
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // Blocks until the mutex is owned by the calling thread.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    if (__builtin_expect(mu_.try_lock(), 1)) return internal::LockHandoff::Acquired(id());
    LockSlow();
  }

  // Takes the mutex if it is free. A failure is recorded as kLockTryFailed.
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return internal::LockHandoff::Tried(id(), mu_.try_lock());
  }

  // Releases the mutex. If threads are waiting, the calling thread is recorded
  // as the one that handed the mutex over.
  void unlock() ABSL_UNLOCK_FUNCTION() {
    handoff_.Released(id());
    mu_.unlock();
  }

  // Threads currently blocked in lock(). Racy by nature: for tests and
  // diagnostics. O(1).
  int waiter_count() const { return handoff_.waiters.load(std::memory_order_relaxed); }
  // The id this mutex has in traces. O(1).
  uint64_t id() const { return internal::ObjectId(this); }

 private:
  void LockSlow();

  std::mutex mu_;
  internal::LockHandoff handoff_;
};

// A traced std::shared_mutex: exclusive (writer) and shared (reader) ownership.
// Works with std::unique_lock, std::shared_lock, std::lock_guard and
// std::scoped_lock. Costs as Mutex, on top of std::shared_mutex.
class ABSL_LOCKABLE SharedMutex {
 public:
  SharedMutex() = default;
  // A named shared mutex; copies the name, allocates once.
  explicit SharedMutex(const char* name);
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  // Exclusive ownership.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    if (__builtin_expect(mu_.try_lock(), 1)) return internal::LockHandoff::Acquired(id());
    LockSlow(LockMode::kExclusive);
  }
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return internal::LockHandoff::Tried(id(), mu_.try_lock());
  }
  void unlock() ABSL_UNLOCK_FUNCTION() {
    handoff_.Released(id());
    mu_.unlock();
  }

  // Shared ownership.
  void lock_shared() ABSL_SHARED_LOCK_FUNCTION() {
    if (__builtin_expect(mu_.try_lock_shared(), 1)) return internal::LockHandoff::Acquired(id());
    LockSlow(LockMode::kShared);
  }
  bool try_lock_shared() ABSL_SHARED_TRYLOCK_FUNCTION(true) {
    return internal::LockHandoff::Tried(id(), mu_.try_lock_shared());
  }
  void unlock_shared() ABSL_UNLOCK_FUNCTION() {
    handoff_.Released(id());
    mu_.unlock_shared();
  }

  // Threads currently blocked in lock() or lock_shared(); racy, for diagnostics.
  int waiter_count() const { return handoff_.waiters.load(std::memory_order_relaxed); }
  // The id this lock has in traces. O(1).
  uint64_t id() const { return internal::ObjectId(this); }

 private:
  void LockSlow(LockMode mode);

  std::shared_mutex mu_;
  internal::LockHandoff handoff_;
};

// A traced condition variable with std::condition_variable_any's interface: it
// waits on any BasicLockable (std::unique_lock<tracelane::Mutex>,
// std::shared_lock<tracelane::SharedMutex>, a std::unique_lock<std::mutex>, ...).
// The lock's own release and reacquisition inside wait() are recorded by the lock.
//
// Cost: as std::condition_variable_any (an internal std::mutex per wait and
// notify) plus one event per notify and two per wait.
class CondVar {
 public:
  CondVar();
  // A named condvar; copies the name, allocates once.
  explicit CondVar(const char* name);
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Wakes one waiter (if any); the waiter records this thread as its notifier.
  void notify_one() noexcept { Notify(false); }
  // Wakes every waiter.
  void notify_all() noexcept { Notify(true); }

  // Atomically releases `lock` and blocks until notified (or spuriously woken),
  // then reacquires `lock`.
  template <typename Lock>
  void wait(Lock& lock) {
    Waiter w(this);
    Relock<Lock> relock(lock, w.inner);
    w.state->cv.wait(w.inner);
    w.Woken(/*timed_out=*/false);
  }
  template <typename Lock, typename Predicate>
  void wait(Lock& lock, Predicate pred) {
    while (!pred()) wait(lock);
  }

  // As wait(), giving up at `deadline`; returns std::cv_status::timeout then.
  template <typename Lock, typename Clock, typename Duration>
  std::cv_status wait_until(Lock& lock, const std::chrono::time_point<Clock, Duration>& deadline) {
    Waiter w(this);
    Relock<Lock> relock(lock, w.inner);
    const std::cv_status s = w.state->cv.wait_until(w.inner, deadline);
    w.Woken(s == std::cv_status::timeout);
    return s;
  }
  template <typename Lock, typename Clock, typename Duration, typename Predicate>
  bool wait_until(Lock& lock, const std::chrono::time_point<Clock, Duration>& deadline,
                  Predicate pred) {
    while (!pred()) {
      if (wait_until(lock, deadline) == std::cv_status::timeout) return pred();
    }
    return true;
  }
  template <typename Lock, typename Rep, typename Period>
  std::cv_status wait_for(Lock& lock, const std::chrono::duration<Rep, Period>& timeout) {
    return wait_until(lock, std::chrono::steady_clock::now() + timeout);
  }
  template <typename Lock, typename Rep, typename Period, typename Predicate>
  bool wait_for(Lock& lock, const std::chrono::duration<Rep, Period>& timeout, Predicate pred) {
    return wait_until(lock, std::chrono::steady_clock::now() + timeout, std::move(pred));
  }

  // The id this condvar has in traces. O(1).
  uint64_t id() const { return internal::ObjectId(this); }

 private:
  // One wait: records kCondWait, holds the shared state and its inner lock, and
  // records kCondWake with the notifier once woken.
  struct Waiter {
    explicit Waiter(CondVar* cv)
        : id(cv->id()), state(cv->state_), inner(state->mu), seq0(state->seq) {
      if (internal::SyncTracingOn()) internal::EmitCondWait(id);
    }
    void Woken(bool timed_out) {
      const int64_t notifier = !timed_out && state->seq != seq0 ? state->notifier : 0;
      inner.unlock();
      if (internal::SyncTracingOn()) internal::EmitCondWake(id, notifier);
    }
    uint64_t id;
    std::shared_ptr<internal::CondState> state;
    std::unique_lock<std::mutex> inner;
    uint64_t seq0;
  };
  // Releases the user's lock once the inner lock is held (so no notify is lost)
  // and reacquires it after the inner lock is released, even on exceptions.
  template <typename Lock>
  struct Relock {
    Relock(Lock& l, std::unique_lock<std::mutex>& i) : lock(l), inner(i) { lock.unlock(); }
    ~Relock() {
      if (inner.owns_lock()) inner.unlock();
      lock.lock();
    }
    Lock& lock;
    std::unique_lock<std::mutex>& inner;
  };

  void Notify(bool all) noexcept;

  std::shared_ptr<internal::CondState> state_;
};

// Makes absl::Mutex and absl::CondVar contention visible in traces, through
// abseil's own hooks (absl::RegisterMutexTracer / RegisterCondVarTracer). Call
// once, early; idempotent. Replaces any tracer the program registered itself
// (abseil keeps one of each). What the hooks can and cannot report is listed in
// docs/LOCKS_AND_SCHEDULING.md: in short, a contended absl::Mutex release is
// recorded on the releasing thread (kLockReleased with waiters, and the waiters'
// total wait as a counter), because abseil reports contention only there; condvar
// waits, wakes and notifies are recorded on the right threads.
void TraceAbseilLocks();

}  // namespace tracelane

#endif  // TRACELANE_SYNC_H_
