// Instants and counters in the model: per-thread instants by time, one counter
// track per location with the samples of every thread merged by time, min/max.
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/analysis/random_trace.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/model.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::analysis {
namespace {

using format::EventType;
using testing::MustLoad;
using testing::SyntheticTrace;
using testing::ThreadIndex;

constexpr int64_t kMs = 1000000;

void Sample(SyntheticTrace& tr, int thread, int64_t ts, const std::string& name, double v) {
  tr.AtArg(thread, ts, EventType::kCounter, name, std::bit_cast<int64_t>(v));
}

// Two threads sampling "queue_depth" interleaved in time, a second counter
// "alpha" on one thread, instants on both, and a scope (not a counter).
std::string CounterTrace() {
  SyntheticTrace tr(1 * kMs, 101 * kMs);
  const int a = tr.Thread(10, "producer");
  const int b = tr.Thread(11, "consumer");
  tr.Scope(a, "produce", 5 * kMs, 60 * kMs);
  Sample(tr, a, 10 * kMs, "queue_depth", 1);
  Sample(tr, b, 20 * kMs, "queue_depth", 100);
  Sample(tr, a, 30 * kMs, "queue_depth", -2.5);
  Sample(tr, b, 40 * kMs, "queue_depth", 0.25);
  Sample(tr, a, 50 * kMs, "queue_depth", 7);
  Sample(tr, b, 50 * kMs, "queue_depth", 8);  // same time: ordered by thread
  Sample(tr, b, 70 * kMs, "alpha", 3);
  tr.At(a, 15 * kMs, EventType::kInstant, "cache_miss");
  tr.At(a, 45 * kMs, EventType::kInstant, "flush_start");
  tr.At(b, 25 * kMs, EventType::kInstant, "cache_miss");
  return tr.Encode();
}

struct Point {
  int64_t ts_ns;
  double value;
  int64_t tid;
  bool operator==(const Point&) const = default;
};

std::vector<Point> Points(const Model& m, const CounterTrack& c) {
  std::vector<Point> v;
  for (const CounterPoint& p : c.points) v.push_back({p.ts_ns, p.value, m.threads[p.thread].tid});
  return v;
}

std::vector<std::pair<int64_t, std::string>> Instants(const Model& m, int64_t tid) {
  std::vector<std::pair<int64_t, std::string>> v;
  for (const Instant& i : m.threads[ThreadIndex(m, tid)].instants) {
    v.emplace_back(i.ts_ns, m.LocationName(i.location));
  }
  return v;
}

void CheckCounterModel(const Model& m) {
  ASSERT_EQ(m.counters.size(), 2u);  // "produce" is a scope, not a counter
  EXPECT_EQ(m.LocationName(m.counters[0].location), "alpha");  // by name
  EXPECT_EQ(m.LocationName(m.counters[1].location), "queue_depth");

  const CounterTrack& alpha = m.counters[0];
  EXPECT_EQ(Points(m, alpha), (std::vector<Point>{{70 * kMs, 3, 11}}));
  EXPECT_EQ(alpha.min_value, 3);
  EXPECT_EQ(alpha.max_value, 3);

  const CounterTrack& q = m.counters[1];
  const std::vector<Point> want = {{10 * kMs, 1, 10},    {20 * kMs, 100, 11}, {30 * kMs, -2.5, 10},
                                   {40 * kMs, 0.25, 11}, {50 * kMs, 7, 10},   {50 * kMs, 8, 11}};
  EXPECT_EQ(Points(m, q), want);
  EXPECT_EQ(q.min_value, -2.5);
  EXPECT_EQ(q.max_value, 100);

  using I = std::vector<std::pair<int64_t, std::string>>;
  EXPECT_EQ(Instants(m, 10), (I{{15 * kMs, "cache_miss"}, {45 * kMs, "flush_start"}}));
  EXPECT_EQ(Instants(m, 11), (I{{25 * kMs, "cache_miss"}}));
  // Instants and counters are events of their thread, not scopes or states.
  EXPECT_EQ(m.threads[ThreadIndex(m, 10)].scopes.size(), 1u);
  EXPECT_EQ(m.threads[ThreadIndex(m, 10)].events, 7u);  // 2 scope, 3 counter, 2 instant
}

TEST(CountersTest, StreamedModelHasInstantsAndMergedCounterTracks) {
  CheckCounterModel(MustLoad(CounterTrace()));
}

TEST(CountersTest, BuildModelFromAReadTraceAgrees) {
  absl::StatusOr<reader::Trace> t = reader::ParseTrace(CounterTrace(), "mem");
  ASSERT_TRUE(t.ok()) << t.status();
  CheckCounterModel(BuildModel(*std::move(t)));
}

TEST(CountersTest, NaNSamplesAreKeptButSkippedByMinMax) {
  SyntheticTrace tr(1 * kMs, 101 * kMs);
  const int a = tr.Thread(10, "t");
  Sample(tr, a, 10 * kMs, "c", std::numeric_limits<double>::quiet_NaN());
  Sample(tr, a, 20 * kMs, "c", 4);
  Sample(tr, a, 30 * kMs, "c", 2);
  Sample(tr, a, 40 * kMs, "only_nan", std::numeric_limits<double>::quiet_NaN());
  const Model m = MustLoad(tr.Encode());
  ASSERT_EQ(m.counters.size(), 2u);
  EXPECT_EQ(m.counters[0].points.size(), 3u);
  EXPECT_TRUE(std::isnan(m.counters[0].points[0].value));
  EXPECT_EQ(m.counters[0].min_value, 2);
  EXPECT_EQ(m.counters[0].max_value, 4);
  EXPECT_EQ(m.counters[1].min_value, 0);
  EXPECT_EQ(m.counters[1].max_value, 0);
}

TEST(CountersTest, NoCountersNoTracks) {
  SyntheticTrace tr(1 * kMs, 101 * kMs);
  const int a = tr.Thread(10, "t");
  tr.Scope(a, "s", 2 * kMs, 3 * kMs);
  const Model m = MustLoad(tr.Encode());
  EXPECT_TRUE(m.counters.empty());
  EXPECT_TRUE(m.threads[0].instants.empty());
}

TEST(CountersTest, RandomTracesKeepTracksSortedAndBounded) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const Model m = MustLoad(testing::RandomTrace(seed));
    size_t instants = 0, points = 0;
    for (const ThreadModel& t : m.threads) {
      instants += t.instants.size();
      for (size_t i = 1; i < t.instants.size(); ++i) {
        ASSERT_LE(t.instants[i - 1].ts_ns, t.instants[i].ts_ns) << seed;
      }
      for (const Instant& i : t.instants) {
        ASSERT_GE(i.ts_ns, t.life_start_ns) << seed;
        ASSERT_LE(i.ts_ns, t.life_end_ns) << seed;
      }
    }
    for (const CounterTrack& c : m.counters) {
      ASSERT_FALSE(c.points.empty());
      points += c.points.size();
      for (size_t i = 0; i < c.points.size(); ++i) {
        const CounterPoint& p = c.points[i];
        ASSERT_LT(p.thread, m.threads.size());
        ASSERT_LE(c.min_value, p.value);
        ASSERT_GE(c.max_value, p.value);
        if (i > 0) {
          ASSERT_LE(c.points[i - 1].ts_ns, p.ts_ns) << seed;
        }
      }
    }
    EXPECT_GT(instants + points, 0u) << seed;
  }
}

}  // namespace
}  // namespace tracelane::analysis
