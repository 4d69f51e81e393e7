// Allocator pauses through tracelane::alloc_hooks (timed operator new/delete).
#include <cstdint>
#include <cstdlib>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/sync/alloc_pause_util.h"
#include "tracelane/config.h"
#include "tracelane/pause.h"

namespace tracelane {
namespace {

using testing::CaptureTrace;
using testing::Escape;
using testing::FindThread;
using testing::PausesOf;

class AllocHooksTest : public testing::AllocPauseTest {};

TEST_F(AllocHooksTest, HooksAreActiveAndDefaultThresholdIs20us) {
  const AllocPauseStats stats = GetAllocPauseStats();
  EXPECT_TRUE(stats.operator_new_hooked);
  EXPECT_FALSE(stats.malloc_preloaded);
  if (std::getenv("TRACELANE_ALLOC_PAUSE_US") == nullptr) {
    EXPECT_EQ(AllocPauseThreshold(), absl::Microseconds(20));
  }
}

TEST_F(AllocHooksTest, SlowNewIsRecordedWithItsSize) {
  constexpr size_t kSize = size_t{64} << 20;  // mmap-backed
  SetAllocPauseThreshold(absl::ZeroDuration());
  char* p = new char[kSize];
  Escape(p);
  delete[] p;
  SetAllocPauseThreshold(absl::Microseconds(20));

  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  ASSERT_NE(me, nullptr);
  bool found_new = false, found_delete = false;
  for (const testing::Pause& pause : PausesOf(trace, *me)) {
    EXPECT_LE(pause.begin_ns, pause.end_ns);
    if (pause.op == "operator new[]" && pause.size == static_cast<int64_t>(kSize)) found_new = true;
    if (pause.op == "operator delete[]") found_delete = true;
  }
  EXPECT_TRUE(found_new);
  EXPECT_TRUE(found_delete);
  EXPECT_GT(GetAllocPauseStats().pauses_recorded, 0u);
}

TEST_F(AllocHooksTest, FastAllocationsRecordNothingAtTheDefaultThreshold) {
  // At most 2 of 20,000 calls in the best of 5 rounds (FewestOwnPausesIn).
  const size_t pauses = testing::FewestOwnPausesIn(5, [] {
    for (int i = 0; i < 20000; ++i) {
      int* p = new int[16];
      Escape(p);
      delete[] p;
    }
  });
  EXPECT_LE(pauses, 2u);
}

}  // namespace
}  // namespace tracelane
