// absl::Mutex / absl::CondVar observed through abseil's tracer hooks.
//
// What abseil 20220623 reports, and where (see docs/LOCKS_AND_SCHEDULING.md):
//  - the mutex tracer fires only on the thread releasing a contended mutex
//    ("slow release"), with the total cycles its woken waiters waited. The
//    waiters are not identified, so no kLockWait/kLockAcquired can be written on
//    their lanes; we record kLockReleased(id, 1) on the releaser's lane and the
//    waiters' total wait as a counter sample.
//  - the condvar tracer fires on the right threads: "Wait"/"Unwait" on the
//    waiter, "Signal wakeup"/"SignalAll wakeup" on the notifier when it woke
//    someone. The notifier is matched to the waiter through a small table keyed
//    by condvar address (best effort: a hash collision or a timeout racing a
//    signal may name the wrong notifier).
#include <atomic>
#include <cstring>

#include "absl/base/internal/cycleclock.h"
#include "absl/synchronization/mutex.h"
#include "tracelane/format.h"
#include "tracelane/internal/recorder.h"
#include "tracelane/sync.h"
#include "tracelane/trace.h"

namespace tracelane {
namespace {

using format::EventType;

constexpr SourceLocation kAbslWaitCounter{"absl.Mutex contended wait (us)",
                                          "tracelane::TraceAbseilLocks", __FILE__, __LINE__};

struct NotifySlot {
  std::atomic<uint64_t> cv{0};
  std::atomic<int64_t> tid{0};
  std::atomic<uint64_t> seq{0};
};
constexpr int kSlots = 256;
NotifySlot g_slots[kSlots];
thread_local uint64_t tls_wait_seq = 0;

NotifySlot& SlotFor(uint64_t id) {
  return g_slots[((id >> 4) ^ (id >> 12)) & (kSlots - 1)];
}

// Called by abseil on the thread that releases a mutex other threads waited for.
void OnMutexEvent(const char* /*msg*/, const void* obj, int64_t wait_cycles) {
  if (!IsEnabled()) return;
  internal::EmitLockReleasedWithWaiters(internal::ObjectId(obj));
  const double hz = absl::base_internal::CycleClock::Frequency();
  if (hz > 0 && wait_cycles > 0) {
    internal::EmitCounter(&kAbslWaitCounter, static_cast<double>(wait_cycles) * 1e6 / hz);
  }
}

void OnCondVarEvent(const char* msg, const void* cv) {
  if (!IsEnabled()) return;
  const uint64_t id = internal::ObjectId(cv);
  NotifySlot& slot = SlotFor(id);
  if (std::strcmp(msg, "Wait") == 0) {
    tls_wait_seq = slot.seq.load(std::memory_order_acquire);
    internal::EmitCondWait(id);
  } else if (std::strcmp(msg, "Unwait") == 0) {
    int64_t notifier = 0;
    if (slot.seq.load(std::memory_order_acquire) != tls_wait_seq &&
        slot.cv.load(std::memory_order_relaxed) == id) {
      notifier = slot.tid.load(std::memory_order_relaxed);
    }
    internal::EmitCondWake(id, notifier);
  } else if (std::strncmp(msg, "Signal", 6) == 0) {
    const bool all = std::strncmp(msg, "SignalAll", 9) == 0;
    slot.tid.store(internal::CurrentTid(), std::memory_order_relaxed);
    slot.cv.store(id, std::memory_order_relaxed);
    slot.seq.fetch_add(1, std::memory_order_release);
    internal::EmitCondNotify(id, all);
  }
}

}  // namespace

void TraceAbseilLocks() {
  absl::RegisterMutexTracer(&OnMutexEvent);
  absl::RegisterCondVarTracer(&OnCondVarEvent);
}

}  // namespace tracelane
