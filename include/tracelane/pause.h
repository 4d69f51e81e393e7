// tracelane/pause.h: pauses, the input of the minimum-mutator-utilization (MMU)
// analysis.
//
//   { TRACE_PAUSE("compaction"); Compact(); }            // this thread is paused
//   { tracelane::StopTheWorld stw("epoch reclaim"); ... } // every thread is paused
//
// Allocator pauses are recorded automatically by the opt-in allocator hooks
// (link tracelane::alloc_hooks for operator new/delete, or LD_PRELOAD
// libtracelane_malloc.so for malloc and friends): a call slower than the
// threshold below becomes a kPauseBegin(arg = size) / kPauseEnd pair whose
// location names the operation ("malloc", "operator new", ...).
#ifndef TRACELANE_PAUSE_H_
#define TRACELANE_PAUSE_H_

#include <cstdint>

#include "absl/time/time.h"
#include "tracelane/format.h"
#include "tracelane/trace.h"

namespace tracelane {

// RAII pause of the calling thread: kPauseBegin ... kPauseEnd. Cost: as
// TRACE_SCOPE (two clock reads, two 16-byte stores); never allocates.
class PauseScope {
 public:
  explicit PauseScope(const SourceLocation* loc) : loc_(loc), active_(IsEnabled()) {
    if (active_) internal::Emit(format::EventType::kPauseBegin, internal::LocPayload(loc_));
  }
  ~PauseScope() {
    if (active_) internal::Emit(format::EventType::kPauseEnd, internal::LocPayload(loc_));
  }
  PauseScope(const PauseScope&) = delete;
  PauseScope& operator=(const PauseScope&) = delete;

 private:
  const SourceLocation* loc_;
  bool active_;
};

// RAII stop-the-world span, recorded on the calling thread as kStwBegin ...
// kStwEnd. The analysis counts every live thread as paused for exactly this span
// (the program is expected to have stopped its workers itself, e.g. with an
// epoch barrier; tracelane does not stop threads).
//
// `name` should be a string literal. The constructor finds (or, the first time,
// creates) a SourceLocation for (name, call site) in a table under a mutex:
// about 100-200 ns, fine for an operation that stops the world. The
// TRACE_STOP_THE_WORLD macro uses a static location instead and costs as
// TRACE_SCOPE.
class StopTheWorld {
 public:
  // The defaults capture the call site (GCC/Clang builtins; C++17 is enough).
  explicit StopTheWorld(const char* name, const char* file = __builtin_FILE(),
                        int line = __builtin_LINE(),
                        const char* function = __builtin_FUNCTION());
  // With a static location (what TRACE_STOP_THE_WORLD uses).
  explicit StopTheWorld(const SourceLocation* loc);
  ~StopTheWorld();
  StopTheWorld(const StopTheWorld&) = delete;
  StopTheWorld& operator=(const StopTheWorld&) = delete;

 private:
  const SourceLocation* loc_;
  bool active_;
};

// ---- allocator pauses ---------------------------------------------------------

// Sets the allocator-pause threshold: allocator calls at least this slow are
// recorded, faster ones write nothing. Default 20 us, or TRACELANE_ALLOC_PAUSE_US
// from the environment. Zero records every timed call (for tests). Thread-safe;
// takes effect for calls that start afterwards.
void SetAllocPauseThreshold(absl::Duration threshold);
// The threshold in force.
absl::Duration AllocPauseThreshold();

// What the allocator hooks have done so far. O(1).
struct AllocPauseStats {
  uint64_t pauses_recorded = 0;   // calls recorded as pauses
  uint64_t pauses_skipped = 0;    // slow calls not recorded (re-entrant or too early)
  bool operator_new_hooked = false;  // tracelane::alloc_hooks is linked in
  bool malloc_preloaded = false;     // libtracelane_malloc.so records into this recorder
};
AllocPauseStats GetAllocPauseStats();

}  // namespace tracelane

#ifndef TRACELANE_DISABLE

// TRACE_PAUSE("name"): the calling thread is paused for the rest of the block.
#define TRACE_PAUSE(name)                                                   \
  TRACELANE_DEFINE_LOCATION(TRACELANE_UNIQUE(tracelane_pause_loc_), name); \
  ::tracelane::PauseScope TRACELANE_UNIQUE(tracelane_pause_)(&TRACELANE_UNIQUE(tracelane_pause_loc_))

// TRACE_STOP_THE_WORLD("name"): every thread is paused for the rest of the block.
#define TRACE_STOP_THE_WORLD(name)                                        \
  TRACELANE_DEFINE_LOCATION(TRACELANE_UNIQUE(tracelane_stw_loc_), name); \
  ::tracelane::StopTheWorld TRACELANE_UNIQUE(tracelane_stw_)(&TRACELANE_UNIQUE(tracelane_stw_loc_))

#else  // TRACELANE_DISABLE

#define TRACE_PAUSE(name) static_cast<void>(0)
#define TRACE_STOP_THE_WORLD(name) static_cast<void>(0)

#endif  // TRACELANE_DISABLE

#endif  // TRACELANE_PAUSE_H_
