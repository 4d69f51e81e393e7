// Start-up registration of the lock/scheduler/allocator subsystems.
//
// tracer/sync.cmake makes every program that links tracelane reference
// tracelane_sync_subsystems_anchor (-u), so this object (and its constructor) is
// linked in even from the static library. Priority 102 runs it after the clock
// (101) and before ordinary static constructors, i.e. before any thread can
// register and miss the thread hooks. In the idle recorder copy inside
// libtracelane_malloc.so (see malloc_preload.cc) it only reads the configuration.
#include "tracer/alloc/alloc_pause.h"
#include "tracer/recorder_state.h"
#include "tracer/sched/sched_collector.h"

extern "C" {
extern const int tracelane_sync_subsystems_anchor;
__attribute__((used)) const int tracelane_sync_subsystems_anchor = 1;
}

namespace tracelane::internal {
namespace {

__attribute__((constructor(102))) void InitSyncSubsystems() {
  if (!g_alloc_pause.dormant.load(std::memory_order_relaxed)) {
    // Create the recorder now, while nothing can be recording: an allocator
    // pause must never be the first use (the recorder allocates while it is
    // built, which would re-enter it).
    Recorder();
    InstallSchedCollector();
  }
  InitAllocPause();
}

}  // namespace
}  // namespace tracelane::internal
