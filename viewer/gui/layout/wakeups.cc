#include "viewer/gui/layout/wakeups.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tracelane::gui {
namespace {

using analysis::kNone;
using analysis::WaitOutcome;

// Appends the waits of `waits` (sorted by end) that end in [from, to) and have a
// known waker. waker(w) gives the waking thread, id(w) the object.
template <typename W, typename WakerFn, typename IdFn>
void Collect(const PodVector<W>& waits, uint32_t to_thread, int64_t from, int64_t to,
             bool condvar, WakerFn waker, IdFn id, std::vector<Wakeup>* out) {
  auto it =
      std::partition_point(waits.begin(), waits.end(), [&](const W& w) { return w.end_ns < from; });
  for (; it != waits.end() && it->end_ns < to; ++it) {
    const uint32_t by = waker(*it);
    if (by == kNone || by == to_thread || it->outcome != WaitOutcome::kAcquired) continue;
    out->push_back(Wakeup{by, to_thread, it->end_ns, it->end_ns - it->start_ns, condvar, id(*it)});
  }
}

}  // namespace

std::vector<Wakeup> VisibleWakeups(const analysis::Model& m,
                                   const std::vector<uint32_t>& to_threads, const TimeAxis& axis,
                                   size_t max) {
  std::vector<Wakeup> out;
  const int64_t from = axis.start_ns;
  const int64_t to = axis.end_ns() + 1;  // inclusive of the right edge
  for (uint32_t ti : to_threads) {
    if (ti >= m.threads.size()) continue;
    const analysis::ThreadModel& t = m.threads[ti];
    Collect(
        t.lock_waits, ti, from, to, false,
        [](const analysis::LockWait& w) { return w.holder_thread; },
        [](const analysis::LockWait& w) { return w.lock_id; }, &out);
    Collect(
        t.cond_waits, ti, from, to, true,
        [](const analysis::CondWait& w) { return w.notifier_thread; },
        [](const analysis::CondWait& w) { return w.cond_id; }, &out);
  }
  if (out.size() > max) {
    std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(max), out.end(),
                     [](const Wakeup& a, const Wakeup& b) {
                       if (a.wait_ns != b.wait_ns) return a.wait_ns > b.wait_ns;
                       return a.ts_ns != b.ts_ns ? a.ts_ns < b.ts_ns : a.to_thread < b.to_thread;
                     });
    out.resize(max);
  }
  std::sort(out.begin(), out.end(), [](const Wakeup& a, const Wakeup& b) {
    return a.ts_ns != b.ts_ns ? a.ts_ns < b.ts_ns : a.to_thread < b.to_thread;
  });
  return out;
}

}  // namespace tracelane::gui
