// viewer/lib/units.h: the formats the CLI prints (its output must not change)
// and the duration parser's accepted and rejected inputs.
#include "viewer/lib/units.h"

#include "gtest/gtest.h"

namespace tracelane {
namespace {

TEST(UnitsTest, FormatDurationPicksTheLargestUnit) {
  EXPECT_EQ(FormatDuration(0), "0 ns");
  EXPECT_EQ(FormatDuration(87), "87 ns");
  EXPECT_EQ(FormatDuration(999), "999 ns");
  EXPECT_EQ(FormatDuration(1000), "1.000 us");
  EXPECT_EQ(FormatDuration(340000), "340.000 us");
  EXPECT_EQ(FormatDuration(2500000), "2.500 ms");
  EXPECT_EQ(FormatDuration(1250000000), "1.250 s");
  EXPECT_EQ(FormatDuration(45209000000), "45.209 s");
  EXPECT_EQ(FormatDuration(-1500000), "-1.500 ms");
  EXPECT_EQ(FormatDuration(-12), "-12 ns");
}

TEST(UnitsTest, ParseDurationAcceptsUnitsAndBareNanoseconds) {
  const std::pair<const char*, int64_t> cases[] = {
      {"0", 0},           {"100", 100},       {"100ns", 100},       {"250us", 250000},
      {"10ms", 10000000}, {"5s", 5000000000}, {"1.5s", 1500000000}, {"0.5us", 500},
      {"1.0004us", 1000}, {"1.0006us", 1001},  // rounded to the nearest ns
      {"10 ms", 10000000}};                    // spaces around the number are ignored
  for (const auto& [text, ns] : cases) {
    absl::StatusOr<int64_t> v = ParseDuration(text);
    ASSERT_TRUE(v.ok()) << text << ": " << v.status();
    EXPECT_EQ(*v, ns) << text;
  }
}

TEST(UnitsTest, ParseDurationRejectsBadInput) {
  for (const char* text :
       {"", "ms", "s", "-5ms", "10m", "10sec", "abc", "1e30s", "nan", "inf", "9300000000s"}) {
    absl::StatusOr<int64_t> v = ParseDuration(text);
    EXPECT_FALSE(v.ok()) << text << " parsed as " << v.value_or(-1);
    if (!v.ok()) {
      EXPECT_TRUE(absl::IsInvalidArgument(v.status()));
      EXPECT_EQ(v.status().message(),
                std::string("bad duration '") + text + "' (expected e.g. 250us, 10ms, 5s)");
    }
  }
}

TEST(UnitsTest, FormatPercentHasOneDecimal) {
  EXPECT_EQ(FormatPercent(375, 1000), "37.5%");
  EXPECT_EQ(FormatPercent(0, 7), "0.0%");
  EXPECT_EQ(FormatPercent(7, 7), "100.0%");
  EXPECT_EQ(FormatPercent(1, 3), "33.3%");
  EXPECT_EQ(FormatPercent(2, 3), "66.7%");
  EXPECT_EQ(FormatPercent(5, 0), "-");
  EXPECT_EQ(FormatPercent(5, -1), "-");
}

TEST(UnitsTest, FormatOffsetIsSecondsFromTheOrigin) {
  EXPECT_EQ(FormatOffset(1000, 1000), "+0.000000 s");
  EXPECT_EQ(FormatOffset(4659812000 + 7, 7), "+4.659812 s");
  EXPECT_EQ(FormatOffset(1001234567, 0), "+1.001235 s");  // rounded to microseconds
  EXPECT_EQ(FormatOffset(500000, 1000000), "-0.000500 s");
}

}  // namespace
}  // namespace tracelane
