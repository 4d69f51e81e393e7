// Allocator pauses through libtracelane_malloc.so, linked into this test (as
// LD_PRELOAD would load it): the library finds this program's recorder, so the
// pauses land in the same trace as everything else.
#include <errno.h>
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

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

class MallocPreloadTest : public testing::AllocPauseTest {};

TEST_F(MallocPreloadTest, RecordsIntoTheProgramsRecorder) {
  EXPECT_TRUE(GetAllocPauseStats().malloc_preloaded);
}

TEST_F(MallocPreloadTest, SlowMallocAndFreeAreRecordedWithTheirSize) {
  constexpr size_t kSize = size_t{64} << 20;  // above the mmap threshold
  SetAllocPauseThreshold(absl::ZeroDuration());
  void* p = std::malloc(kSize);
  Escape(p);
  std::free(p);
  SetAllocPauseThreshold(absl::Microseconds(20));

  reader::Trace trace = CaptureTrace();
  const reader::Thread* me = FindThread(trace, internal::CurrentTid());
  ASSERT_NE(me, nullptr);
  bool found_malloc = false, found_free = false;
  for (const testing::Pause& pause : PausesOf(trace, *me)) {
    EXPECT_LE(pause.begin_ns, pause.end_ns);
    if (pause.op == "malloc" && pause.size == static_cast<int64_t>(kSize)) found_malloc = true;
    if (pause.op == "free" && pause.size >= static_cast<int64_t>(kSize)) found_free = true;
  }
  EXPECT_TRUE(found_malloc);
  EXPECT_TRUE(found_free);
}

TEST_F(MallocPreloadTest, TightLoopOfSmallAllocationsRecordsNothing) {
  // At most 2 of 20,000 calls in the best of 5 rounds (FewestOwnPausesIn).
  const size_t pauses = testing::FewestOwnPausesIn(5, [] {
    for (int i = 0; i < 20000; ++i) {
      void* p = std::malloc(64);
      Escape(p);
      std::free(p);
    }
  });
  EXPECT_LE(pauses, 2u);
}

TEST_F(MallocPreloadTest, WrappersKeepLibcSemantics) {
  void* p = nullptr;
  ASSERT_EQ(posix_memalign(&p, 256, 1000), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 256, 0u);
  std::free(p);
  EXPECT_EQ(posix_memalign(&p, 3, 10), EINVAL);
  errno = 0;
  // Through a volatile: clang refuses a constant non-power-of-two alignment at
  // compile time (-Wnon-power-of-two-alignment), and the wrapper's run-time
  // answer is what is tested.
  volatile size_t bad_alignment = 3;
  EXPECT_EQ(aligned_alloc(bad_alignment, 8), nullptr);
  EXPECT_EQ(errno, EINVAL);
  void* a = aligned_alloc(64, 128);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  std::free(a);
  auto* c = static_cast<unsigned char*>(std::calloc(100, 10));
  ASSERT_NE(c, nullptr);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(c[i], 0);
  c = static_cast<unsigned char*>(std::realloc(c, 100000));
  ASSERT_NE(c, nullptr);
  std::free(c);
  errno = 0;
  volatile size_t huge = SIZE_MAX / 2;  // volatile: GCC rejects the constant overflow
  EXPECT_EQ(reallocarray(nullptr, huge, 4), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  void* m = memalign(4096, 10);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(m) % 4096, 0u);
  std::free(m);
  void* v = valloc(10);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v) % 4096, 0u);
  std::free(v);
  malloc_trim(0);
  std::free(nullptr);
}

}  // namespace
}  // namespace tracelane
