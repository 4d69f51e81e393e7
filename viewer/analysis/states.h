// The thread state model (docs/ANALYSIS.md, "States"): the nine states an OS
// thread can be in, their precedence, and the building blocks that turn a
// thread's events into a partition of its life into state spans.
#ifndef TRACELANE_VIEWER_ANALYSIS_STATES_H_
#define TRACELANE_VIEWER_ANALYSIS_STATES_H_

#include <array>
#include <cstdint>
#include <vector>

#include "tracelane/format.h"
#include "viewer/lib/pod_vector.h"

namespace tracelane::analysis {

// What a thread is doing. Every nanosecond of a thread's life inside the capture
// is in exactly one state. The numeric order is the display order.
enum class ThreadState : uint8_t {
  kRunning = 0,  // not in any known wait (on CPU, or off CPU unobserved)
  kRunnable,     // preempted: waiting for a CPU (scheduler wait)
  kLockWait,     // between kLockWait and kLockAcquired
  kCondvarWait,  // kCondWait..kCondWake, or a condvar-kind TRACE_BLOCK
  kIoWait,       // io- or network-kind TRACE_BLOCK
  kSleep,        // sleep-kind TRACE_BLOCK
  kSyscall,      // syscall-kind TRACE_BLOCK
  kPaused,       // own pause (allocator, TRACE_PAUSE) or any stop-the-world
  kUnknown,      // blocked for an unclassified reason (voluntary switch-out, user block)
};
inline constexpr int kNumStates = 9;

// "running", "runnable", "lock_wait", ... (stable: JSON keys are these plus "_ns").
const char* StateKey(ThreadState s);
// "running", "runnable", "lock wait", ... for people.
const char* StateLabel(ThreadState s);

// Precedence when several states apply at once; higher wins:
//   Paused > Lock wait > Condvar wait > IO wait > Sleep > Syscall > Runnable >
//   Unknown > Running.
int StatePrecedence(ThreadState s);

// The state a TRACE_BLOCK of `kind` puts its thread in (io and network: IO wait;
// user-defined waits: Unknown).
ThreadState StateOfBlock(format::BlockKind kind);

// A maximal run of one state. The span ends where the next one starts (or at the
// thread's life end for the last span).
struct StateSpan {
  int64_t start_ns;
  ThreadState state;
};

// A state applied over [start_ns, end_ns) on top of a partition (see Overlay).
struct StateOverlay {
  int64_t start_ns;
  int64_t end_ns;
  ThreadState state;
};

// Counters of what a thread is inside right now; Current() applies the
// precedence. Updated once per event while loading: O(1), no allocation.
class StateTracker {
 public:
  enum Counter : uint8_t {
    kPause,
    kLock,
    kCondvar,
    kIo,
    kSleep,
    kSyscall,
    kUserBlock,
    kNumCounters
  };
  enum class OffCpu : uint8_t { kNo, kPreempted, kVoluntary };

  void Add(Counter c, int delta) {
    counts_[c] += delta;
    if (counts_[c] < 0) counts_[c] = 0;
  }
  void SetOffCpu(OffCpu o) { off_cpu_ = o; }
  OffCpu off_cpu() const { return off_cpu_; }
  ThreadState Current() const;

 private:
  std::array<int32_t, kNumCounters> counts_{};
  OffCpu off_cpu_ = OffCpu::kNo;
};

// Appends `state` starting at `t` to a partition under construction, merging with
// the last span when the state is unchanged and replacing a zero-length last span.
void AppendState(PodVector<StateSpan>* spans, int64_t t, ThreadState state);

// Returns the partition `base` of [base.front().start_ns, end_ns) with every
// overlay applied: at each instant the state of highest precedence among the base
// state and the overlays covering it. Overlays are clipped to the partition.
// O(base + k log k) for k overlays.
PodVector<StateSpan> Overlay(const PodVector<StateSpan>& base, int64_t end_ns,
                             std::vector<StateOverlay> overlays);

// One approximate scheduler sample (kSchedStat): during the interval ending at
// `ts_ns` since the previous sample the thread ran `run_ns` and waited for a CPU
// `wait_ns`.
struct SchedSample {
  int64_t ts_ns;
  int64_t run_ns;
  int64_t wait_ns;
};

// Spreads schedstat samples over a partition (docs/ANALYSIS.md): inside each
// sample interval the Running time is split into Running, Runnable (the wait
// delta) and Unknown (off-CPU time not explained by explicit waits), in
// proportion over every Running gap, laid out running, runnable, unknown inside
// each gap. Other states are untouched. O(spans + samples).
PodVector<StateSpan> SpreadSchedSamples(const PodVector<StateSpan>& base, int64_t end_ns,
                                        const PodVector<SchedSample>& samples);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_STATES_H_
