// Allocator pauses through tracelane::alloc_hooks (timed operator new/delete).
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
  // A call can still be slow for real (the thread preempted inside it on this
  // shared machine), so one clean round out of a few is required.
  bool clean = false;
  for (int attempt = 0; attempt < 5 && !clean; ++attempt) {
    ASSERT_TRUE(Configure(CurrentOptions()).ok());
    const uint64_t before = GetAllocPauseStats().pauses_recorded;
    for (int i = 0; i < 20000; ++i) {
      int* p = new int[16];
      Escape(p);
      delete[] p;
    }
    const uint64_t recorded = GetAllocPauseStats().pauses_recorded - before;
    reader::Trace trace = CaptureTrace();
    const reader::Thread* me = FindThread(trace, internal::CurrentTid());
    const size_t pauses = me == nullptr ? 0 : PausesOf(trace, *me).size();
    clean = recorded == 0 && pauses == 0;
  }
  EXPECT_TRUE(clean);
}

}  // namespace
}  // namespace tracelane
