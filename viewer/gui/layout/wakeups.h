// Wakeup arrows: which thread handed a lock over to, or notified, which other
// thread, for the visible part of the timeline.
#ifndef TRACELANE_VIEWER_GUI_LAYOUT_WAKEUPS_H_
#define TRACELANE_VIEWER_GUI_LAYOUT_WAKEUPS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "viewer/analysis/model.h"
#include "viewer/gui/layout/time_axis.h"

namespace tracelane::gui {

// An arrow from the thread that released a lock / notified a condvar to the
// thread it woke, at the instant of the hand-over (the end of the wait).
struct Wakeup {
  uint32_t from_thread;  // releaser / notifier (index into Model::threads)
  uint32_t to_thread;    // the woken waiter
  int64_t ts_ns;         // hand-over: the end of the wait
  int64_t wait_ns;       // length of the wait that ended
  bool condvar;          // a condvar wake (else a lock hand-over)
  uint64_t object_id;    // lock id or condvar id (Model::LockName / CondName)
};

// Wakeups into `to_threads` (thread indices, e.g. the visible lanes) whose
// hand-over lies in the visible time range [axis.start_ns, axis.end_ns()], at
// most `max` (the longest waits when there are more), sorted by time then
// waiter. Only waits that ended in an acquisition or wake with a known holder /
// notifier count (kNone is skipped, as are timed-out or still open waits and a
// thread "waking" itself). Out-of-range thread indices are ignored. The waits of
// one thread never overlap, so their ends are sorted and each thread costs
// O(log n + waits in range); then O(k log k) for the k found.
std::vector<Wakeup> VisibleWakeups(const analysis::Model& m,
                                   const std::vector<uint32_t>& to_threads, const TimeAxis& axis,
                                   size_t max = 2000);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LAYOUT_WAKEUPS_H_
