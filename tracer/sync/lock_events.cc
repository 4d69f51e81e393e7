// Out-of-line parts of the traced locks (include/tracelane/sync.h): the
// contended paths and the events they record.
#include "tracelane/format.h"
#include "tracelane/internal/recorder.h"
#include "tracelane/sync.h"

namespace tracelane {
namespace internal {

using format::EventType;

void EmitLockWait(uint64_t id, LockMode mode) {
  EmitWithArg(EventType::kLockWait, id, static_cast<uint64_t>(mode));
}

void EmitLockAcquiredFrom(uint64_t id, int64_t releaser_tid) {
  if (releaser_tid == 0) {
    Emit(EventType::kLockAcquired, id);
  } else {
    EmitWithArg(EventType::kLockAcquired, id, static_cast<uint64_t>(releaser_tid));
  }
}

void EmitLockReleasedWithWaiters(uint64_t id) { EmitWithArg(EventType::kLockReleased, id, 1); }

void EmitLockTryFailed(uint64_t id) { Emit(EventType::kLockTryFailed, id); }

void EmitCondWait(uint64_t id) { Emit(EventType::kCondWait, id); }

void EmitCondWake(uint64_t id, int64_t notifier_tid) {
  EmitWithArg(EventType::kCondWake, id, static_cast<uint64_t>(notifier_tid));
}

void EmitCondNotify(uint64_t id, bool all) {
  if (all) {
    EmitWithArg(EventType::kCondNotify, id, 1);
  } else {
    Emit(EventType::kCondNotify, id);
  }
}

namespace {

// A contended acquisition shared by Mutex and SharedMutex: records the wait,
// blocks in `lock`, then records who handed the lock over. kLockWait is written
// before this thread counts as a waiter, so any unlock that sees the waiter
// happens after the wait began.
template <typename LockFn>
void WaitAndRecord(LockHandoff& handoff, uint64_t id, LockMode mode, LockFn lock) {
  const bool on = SyncTracingOn();
  if (on) EmitLockWait(id, mode);
  handoff.BeginWait();
  lock();
  const int64_t from = handoff.EndWait();
  if (on) EmitLockAcquiredFrom(id, from);
}

}  // namespace
}  // namespace internal

Mutex::Mutex(const char* name) {
  internal::NameObject(format::ObjectKind::kLock, id(), name);
}

// The try_lock in lock() failed.
void Mutex::LockSlow() {
  internal::WaitAndRecord(handoff_, id(), LockMode::kExclusive, [this] { mu_.lock(); });
}

SharedMutex::SharedMutex(const char* name) {
  internal::NameObject(format::ObjectKind::kLock, id(), name);
}

void SharedMutex::LockSlow(LockMode mode) {
  internal::WaitAndRecord(handoff_, id(), mode, [this, mode] {
    if (mode == LockMode::kShared) {
      mu_.lock_shared();
    } else {
      mu_.lock();
    }
  });
}

CondVar::CondVar() : state_(std::make_shared<internal::CondState>()) {}

CondVar::CondVar(const char* name) : CondVar() {
  internal::NameObject(format::ObjectKind::kCondVar, id(), name);
}

void CondVar::Notify(bool all) noexcept {
  if (internal::SyncTracingOn()) internal::EmitCondNotify(id(), all);
  internal::CondState& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  ++s.seq;
  s.notifier = internal::CurrentTid();
  if (all) {
    s.cv.notify_all();
  } else {
    s.cv.notify_one();
  }
}

}  // namespace tracelane
