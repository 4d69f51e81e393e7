// Shared checks of the allocator-pause tests.
#ifndef TRACELANE_TESTS_SYNC_ALLOC_PAUSE_UTIL_H_
#define TRACELANE_TESTS_SYNC_ALLOC_PAUSE_UTIL_H_

#include <time.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/sync/trace_capture.h"
#include "tracelane/config.h"
#include "tracelane/internal/recorder.h"
#include "tracelane/pause.h"

namespace tracelane::testing {

struct Pause {
  std::string op;
  int64_t begin_ns;
  int64_t end_ns;
  int64_t size;
};

// The pauses recorded on `thread`, paired begin/end by location.
inline std::vector<Pause> PausesOf(const reader::Trace& trace, const reader::Thread& thread) {
  std::vector<Pause> out;
  for (size_t i = 0; i < thread.events.size(); ++i) {
    const reader::Event& b = thread.events[i];
    if (b.type != format::EventType::kPauseBegin) continue;
    for (size_t j = i + 1; j < thread.events.size(); ++j) {
      const reader::Event& e = thread.events[j];
      if (e.type == format::EventType::kPauseEnd && e.payload == b.payload) {
        out.push_back(Pause{LocationName(trace, b), b.ts_ns, e.ts_ns, b.arg});
        break;
      }
    }
  }
  return out;
}

// Fixture of the allocator-pause tests: a fresh recorder per test, and the
// default 20 us threshold restored afterwards.
class AllocPauseTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Configure(CurrentOptions()).ok()); }
  void TearDown() override { SetAllocPauseThreshold(absl::Microseconds(20)); }
};

// Keeps the compiler from eliding an allocation.
inline void Escape(void* p) { asm volatile("" : : "g"(p) : "memory"); }

// CLOCK_MONOTONIC now, in ns (the trace's clock).
inline int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Fast allocations must record nothing, but a call really stalled past the
// threshold (the thread preempted, or the VM descheduled, inside the allocator)
// is a true pause, and on a loaded machine one of thousands may be. So: up to
// `rounds` times (stopping at a clean one), a fresh recorder, `loop` run, and
// only this thread's pauses that began inside it counted (the process-wide
// counter also sees other threads' slow allocations). Returns the fewest; a
// systematic cost would record thousands in every round.
template <typename Loop>
size_t FewestOwnPausesIn(int rounds, Loop loop) {
  size_t best = SIZE_MAX;
  for (int round = 0; round < rounds && best > 0; ++round) {
    if (!Configure(CurrentOptions()).ok()) {
      ADD_FAILURE() << "Configure failed";
      return SIZE_MAX;
    }
    const int64_t start_ns = MonotonicNs();
    loop();
    const int64_t end_ns = MonotonicNs();
    const reader::Trace trace = CaptureTrace();
    const reader::Thread* me = FindThread(trace, internal::CurrentTid());
    size_t pauses = 0;
    if (me != nullptr) {
      for (const Pause& pause : PausesOf(trace, *me)) {
        pauses += pause.begin_ns >= start_ns && pause.begin_ns <= end_ns ? 1 : 0;
      }
    }
    best = std::min(best, pauses);
  }
  return best;
}

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_SYNC_ALLOC_PAUSE_UTIL_H_
