// Shared checks of the allocator-pause tests.
#ifndef TRACELANE_TESTS_SYNC_ALLOC_PAUSE_UTIL_H_
#define TRACELANE_TESTS_SYNC_ALLOC_PAUSE_UTIL_H_

#include <time.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/sync/trace_capture.h"
#include "tracelane/config.h"
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

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_SYNC_ALLOC_PAUSE_UTIL_H_
