// DescribeCapture: the facts the viewer's Trace info panel shows, from planted
// properties, thread losses and a damaged file read with salvage.
#include "viewer/analysis/capture_info.h"

#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"

namespace tracelane::analysis {
namespace {

using testing::MustLoad;
using testing::SyntheticTrace;

constexpr int64_t kMs = 1000000;

TEST(CaptureInfoTest, NextCaptureWithLosses) {
  SyntheticTrace tr(10 * kMs, 60 * kMs);
  tr.Property("capture_mode", "next");
  tr.Property("capture_window_start_ns", "10000000");
  tr.Property("capture_window_end_ns", "60000000");
  tr.Property("window_intact", "no");
  tr.Property("loss_counts", "window");
  tr.Property("scheduler_source", "perf");
  tr.Property("scheduler_detail", "perf sched_switch on 2 CPUs");
  const int a = tr.Thread(11, "a");
  const int b = tr.Thread(12, "b");
  tr.Scope(a, "x", 20 * kMs, 30 * kMs);
  tr.Scope(b, "y", 25 * kMs, 26 * kMs);
  tr.snapshot().threads[a].dropped = 5;
  tr.snapshot().threads[b].overwritten = 40;
  tr.snapshot().lost_recycled = 7;
  const Model m = MustLoad(tr.Encode());
  const CaptureInfo c = DescribeCapture(m);
  // The writer names the process it runs in (/proc/self/comm, 15 characters).
  EXPECT_FALSE(c.process_name.empty());
  EXPECT_EQ(std::string("analysis_capture_info_test").rfind(c.process_name, 0), 0u)
      << c.process_name;
  EXPECT_EQ(c.pid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(c.capture_mode, "next");
  ASSERT_TRUE(c.window_start_ns.has_value());
  ASSERT_TRUE(c.window_end_ns.has_value());
  EXPECT_EQ(*c.window_start_ns, 10 * kMs);
  EXPECT_EQ(*c.window_end_ns, 60 * kMs);
  EXPECT_EQ(c.window_intact, "no");
  EXPECT_EQ(c.loss_counts, "window");
  EXPECT_EQ(c.duration_ns, m.duration_ns());
  EXPECT_EQ(c.duration_ns, 50 * kMs);
  EXPECT_EQ(c.threads, 2u);
  EXPECT_EQ(c.events, m.events);
  EXPECT_EQ(c.events, 4u);
  ASSERT_EQ(c.losses.size(), 2u);
  EXPECT_EQ(c.losses[0].thread, 0u);
  EXPECT_EQ(c.losses[0].dropped, 5u);
  EXPECT_EQ(c.losses[0].overwritten, 0u);
  EXPECT_EQ(c.losses[1].dropped, 0u);
  EXPECT_EQ(c.losses[1].overwritten, 40u);
  EXPECT_EQ(c.dropped, 5u);
  EXPECT_EQ(c.overwritten, 40u);
  EXPECT_EQ(c.lost_elsewhere, 7u);
  EXPECT_EQ(c.lost_total(), 52u);
  // The reader's totals count the same events.
  EXPECT_EQ(c.lost_total(), m.info.dropped + m.info.overwritten);
  EXPECT_EQ(c.scheduler, SchedulerSource::kPerf);
  EXPECT_STREQ(SchedulerLabel(c.scheduler), "exact (perf)");
  EXPECT_EQ(c.scheduler_detail, "perf sched_switch on 2 CPUs");
  EXPECT_EQ(c.clock_source, "clock_monotonic");  // synthetic traces do not use the TSC
  EXPECT_GT(c.file_bytes, 0u);
  EXPECT_GT(c.format_version, 0u);
  EXPECT_TRUE(c.complete);
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_DOUBLE_EQ(c.bytes_per_event(), static_cast<double>(c.file_bytes) / 4);
}

TEST(CaptureInfoTest, WrittenWithoutACaptureHasNoModeOrWindow) {
  SyntheticTrace tr(1 * kMs, 5 * kMs);
  tr.Property("capture_window_start_ns", "soon");  // does not parse: absent
  tr.Scope(tr.Thread(1, "main"), "s", 2 * kMs, 3 * kMs);
  const CaptureInfo c = DescribeCapture(MustLoad(tr.Encode()));
  EXPECT_EQ(c.capture_mode, "");
  EXPECT_FALSE(c.window_start_ns.has_value());
  EXPECT_FALSE(c.window_end_ns.has_value());
  EXPECT_EQ(c.window_intact, "");
  EXPECT_EQ(c.lost_total(), 0u);
  EXPECT_EQ(c.scheduler, SchedulerSource::kNone);
  EXPECT_STREQ(SchedulerLabel(c.scheduler), "none");
  EXPECT_STREQ(SchedulerLabel(SchedulerSource::kSchedStat), "approximate (schedstat)");
}

TEST(CaptureInfoTest, SalvageWarningsAreListed) {
  SyntheticTrace tr(1 * kMs, 50 * kMs);
  const int a = tr.Thread(1, "main");
  uint64_t x = 12345;  // irregular durations: blocks that do not compress to nothing
  for (int i = 0; i < 4000; ++i) {
    x = x * 6364136223846793005u + 1442695040888963407u;
    const int64_t b = 2 * kMs + i * 10000;
    tr.Scope(a, "s", b, b + 1 + static_cast<int64_t>((x >> 33) % 9000));
  }
  std::string bytes = tr.Encode();
  ASSERT_GT(bytes.size(), 1000u);
  bytes[bytes.size() / 2] ^= 0x5A;
  LoadOptions o;
  o.salvage = true;
  absl::StatusOr<Model> m = LoadModelFromBytes(bytes, "damaged.tlt", o);
  ASSERT_TRUE(m.ok()) << m.status();
  const CaptureInfo c = DescribeCapture(*m);
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings[0].find("offset"), std::string::npos) << c.warnings[0];
}

}  // namespace
}  // namespace tracelane::analysis
