// Ruler ticks and labels over ranges from 100 ns to 10 s; FormatSpan.
#include "viewer/gui/layout/ruler.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "viewer/gui/layout/time_axis.h"

namespace tracelane::gui {
namespace {

constexpr int64_t kOrigin = 7'000'000'123;  // capture start: not a round number

// Parses "+1.5 ms" into nanoseconds (exact for our labels); false if malformed.
bool ParseLabel(const std::string& label, int64_t* ns, std::string* unit) {
  std::vector<std::string> parts = absl::StrSplit(label, ' ');
  if (parts.size() != 2 || parts[0].size() < 2) return false;
  if (parts[0][0] != '+' && parts[0][0] != '-') return false;
  const int64_t scale = parts[1] == "s"    ? 1'000'000'000
                        : parts[1] == "ms" ? 1'000'000
                        : parts[1] == "us" ? 1'000
                        : parts[1] == "ns" ? 1
                                           : 0;
  if (scale == 0) return false;
  std::vector<std::string> num = absl::StrSplit(parts[0].substr(1), '.');
  int64_t whole = 0, tenth = 0;
  if (!absl::SimpleAtoi(num[0], &whole)) return false;
  if (num.size() == 2 && (num[1].size() != 1 || !absl::SimpleAtoi(num[1], &tenth))) return false;
  if (num.size() > 2 || (num.size() == 2 && (tenth == 0 || scale == 1))) return false;
  *ns = whole * scale + tenth * (scale / 10);
  if (parts[0][0] == '-') *ns = -*ns;
  *unit = parts[1];
  return true;
}

std::vector<std::string> Labels(const std::vector<RulerTick>& ticks) {
  std::vector<std::string> out;
  for (const RulerTick& t : ticks) {
    if (t.major) out.push_back(t.label);
  }
  return out;
}

// Every range from 100 ns to 10 s in 1-2-5 and 3x steps: ticks inside the lane
// area, sorted; labelled ticks min_label_px apart on the smallest ladder step
// that allows it; labels are their exact offset from the origin; minor ticks
// subdivide evenly.
TEST(RulerTest, TicksAndLabelsFrom100nsTo10s) {
  for (int64_t range : {100LL, 300LL, 1000LL, 2000LL, 5000LL, 30'000LL, 100'000LL, 700'000LL,
                        1'000'000LL, 5'000'000LL, 20'000'000LL, 100'000'000LL, 400'000'000LL,
                        1'000'000'000LL, 3'000'000'000LL, 10'000'000'000LL}) {
    for (float min_px : {60.0f, 90.0f, 150.0f}) {
      SCOPED_TRACE(::testing::Message() << "range " << range << " min_px " << min_px);
      const TimeAxis axis = FitRange(kOrigin + range / 3, kOrigin + range / 3 + range, 50, 1200);
      const std::vector<RulerTick> ticks = RulerTicks(axis, kOrigin, min_px);
      const int64_t step = RulerStep(axis, min_px);
      ASSERT_GE(Labels(ticks).size(), 2u);
      int64_t prev_major = INT64_MIN;
      int64_t prev_ns = INT64_MIN;
      int minors_between = -1;
      int minors_expected = -1;
      for (const RulerTick& t : ticks) {
        const float x = axis.ToX(t.ns);
        EXPECT_GE(x, axis.x0 - 1e-3f);
        EXPECT_LE(x, axis.x0 + axis.width + 1e-3f);
        EXPECT_GT(t.ns, prev_ns);
        prev_ns = t.ns;
        if (!t.major) {
          EXPECT_TRUE(t.label.empty());
          if (minors_between >= 0) ++minors_between;
          continue;
        }
        int64_t offset = 0;
        std::string unit;
        ASSERT_TRUE(ParseLabel(t.label, &offset, &unit)) << t.label;
        EXPECT_EQ(offset, t.ns - kOrigin) << t.label;
        EXPECT_EQ((t.ns - kOrigin) % step, 0);
        if (prev_major != INT64_MIN) {
          EXPECT_EQ(t.ns - prev_major, step);
          EXPECT_GE(axis.ToX(t.ns) - axis.ToX(prev_major), min_px - 1e-3f);
          if (minors_expected < 0) minors_expected = minors_between;
          EXPECT_EQ(minors_between, minors_expected);
        }
        prev_major = t.ns;
        minors_between = 0;
      }
      // The step is the smallest of the ladder that fits: the next smaller one
      // (half of it, or 2/5 of a 5x step) would be too narrow.
      int64_t mantissa = step;
      while (mantissa % 10 == 0) mantissa /= 10;
      const int64_t smaller = mantissa == 5 ? step * 2 / 5 : step / 2;
      if (smaller > 0) {
        EXPECT_LT(axis.Px(smaller), min_px) << step;
      }
      if (step >= 5) {
        EXPECT_EQ(minors_expected, mantissa == 2 ? 3 : 4) << step;
      }
    }
  }
}

bool Has(const std::vector<std::string>& labels, const std::string& l) {
  for (const std::string& x : labels) {
    if (x == l) return true;
  }
  return false;
}

TEST(RulerTest, UnitsFollowTheStep) {
  // 10 s over 1000 px: 1 s steps.
  auto labels = Labels(RulerTicks(FitRange(kOrigin, kOrigin + 10'000'000'000, 0, 1000), kOrigin));
  EXPECT_EQ(labels.front(), "+0 s");
  EXPECT_TRUE(Has(labels, "+3 s"));
  // 5 ms: 500 us steps, labelled in ms with one decimal.
  labels = Labels(RulerTicks(FitRange(kOrigin, kOrigin + 5'000'000, 0, 1000), kOrigin));
  EXPECT_EQ(labels[0], "+0 ms");
  EXPECT_EQ(labels[1], "+0.5 ms");
  EXPECT_TRUE(Has(labels, "+1.5 ms"));
  // 500 us: 50 us steps, in us.
  labels = Labels(RulerTicks(FitRange(kOrigin, kOrigin + 500'000, 0, 1000), kOrigin));
  EXPECT_TRUE(Has(labels, "+250 us"));
  EXPECT_TRUE(Has(labels, "+300 us"));
  // 20 ns: 2 ns steps.
  labels = Labels(RulerTicks(FitRange(kOrigin, kOrigin + 20, 0, 1000), kOrigin));
  EXPECT_TRUE(Has(labels, "+12 ns"));
  EXPECT_FALSE(Has(labels, "+13 ns"));
  // 1 us: 100 ns steps, in us.
  labels = Labels(RulerTicks(FitRange(kOrigin, kOrigin + 1000, 0, 1000), kOrigin));
  EXPECT_TRUE(Has(labels, "+0.3 us"));
}

TEST(RulerTest, OffsetsBeforeTheOriginAreNegative) {
  const auto labels =
      Labels(RulerTicks(FitRange(kOrigin - 3'000'000, kOrigin + 2'000'000, 0, 1000), kOrigin));
  EXPECT_TRUE(Has(labels, "-2 ms"));
  EXPECT_TRUE(Has(labels, "-0.5 ms"));
  EXPECT_TRUE(Has(labels, "+0 ms"));
  EXPECT_TRUE(Has(labels, "+1 ms"));
}

TEST(RulerTest, DeepZoomKeepsWholeNanoseconds) {
  // 1 ns = 100 px: 1 ns steps, no minor ticks between whole nanoseconds.
  const TimeAxis axis{kOrigin + 5, 0.5, 0.01, 0, 1000};
  const std::vector<RulerTick> ticks = RulerTicks(axis, kOrigin);
  ASSERT_EQ(ticks.size(), 10u);  // 5.5 .. 15.5 ns holds 6 .. 15
  for (const RulerTick& t : ticks) EXPECT_TRUE(t.major);
  EXPECT_EQ(ticks.front().label, "+6 ns");
  EXPECT_EQ(ticks.back().label, "+15 ns");
}

TEST(FormatSpanTest, Examples) {
  EXPECT_EQ(FormatSpan(0), "0 ns");
  EXPECT_EQ(FormatSpan(87), "87 ns");
  EXPECT_EQ(FormatSpan(999), "999 ns");
  EXPECT_EQ(FormatSpan(1000), "1.00 us");
  EXPECT_EQ(FormatSpan(12'400), "12.4 us");
  EXPECT_EQ(FormatSpan(999'999), "1.00 ms");  // not "1000 us"
  EXPECT_EQ(FormatSpan(1'250'000), "1.25 ms");
  EXPECT_EQ(FormatSpan(125'000'000), "125 ms");
  EXPECT_EQ(FormatSpan(3'007'000'000), "3.007 s");
  EXPECT_EQ(FormatSpan(999'999'999), "1.000 s");
  EXPECT_EQ(FormatSpan(-1500), "-1.50 us");
  EXPECT_EQ(FormatSpan(INT64_MIN).substr(0, 1), "-");
}

}  // namespace
}  // namespace tracelane::gui
