// The scheduler collector: per-thread perf context-switch rings (or schedstat
// samples), drained off the hot path into bounded histories and added to every
// snapshot as kSchedOut / kSchedIn / kSchedStat events. Public API: sched.h.
#ifndef TRACELANE_TRACER_SCHED_SCHED_COLLECTOR_H_
#define TRACELANE_TRACER_SCHED_SCHED_COLLECTOR_H_

namespace tracelane::internal {

// Installs the thread-start/exit hooks and the snapshot hook. Called once at
// start-up, before any thread registers (tracer/sync/subsystem_init.cc).
void InstallSchedCollector();

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_SCHED_SCHED_COLLECTOR_H_
