// The words the scope tooltip and the Explain panel use for a cut instance:
// which side was not recorded, and whether lost data or the capture window cut it.
#include "viewer/gui/cut_scope_text.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"

namespace tracelane::gui {
namespace {

constexpr int64_t kMs = 1'000'000;

// Capture [10 ms, 50 ms]: "early" ended at 15 ms (began before the capture);
// "outer" began at 20 ms, the thread's events were lost from 30 ms to 40 ms
// (64 events), outer's end arrived at 45 ms; "done" is complete; "open" is
// still running at the end.
TEST(CutScopeTextTest, SaysWhichSideAndWhetherLossOrTheWindowCutIt) {
  tracelane::testing::SyntheticTrace tr(10 * kMs, 50 * kMs);
  const int a = tr.Thread(10, "a");
  tr.At(a, 15 * kMs, format::EventType::kScopeEnd, "early");
  tr.At(a, 20 * kMs, format::EventType::kScopeBegin, "outer");
  tr.At(a, 30 * kMs, format::EventType::kInstant, "last_before_gap");
  tr.RawArg(a, 40 * kMs, format::EventType::kDataLost, 1, 64);
  tr.At(a, 45 * kMs, format::EventType::kScopeEnd, "outer");
  tr.Scope(a, "done", 46 * kMs, 47 * kMs);
  tr.At(a, 48 * kMs, format::EventType::kScopeBegin, "open");
  const analysis::Model m = tracelane::testing::MustLoad(tr.Encode());
  const analysis::ThreadModel& t = m.threads[0];
  int lost_end = 0, lost_begin = 0, window = 0, complete = 0;
  for (uint32_t i = 0; i < t.scopes.size(); ++i) {
    const std::string text = CutScopeText(m, 0, i);
    const std::string& name = m.LocationName(t.scopes[i].location);
    if (name == "done") {
      EXPECT_EQ(text, "");
      ++complete;
    } else if (name == "outer" && t.scopes[i].begin_ns == 20 * kMs) {
      EXPECT_TRUE(absl::StartsWith(text, "Cut by lost data: its end was lost")) << text;
      EXPECT_TRUE(absl::StrContains(text, "(64 events)")) << text;
      EXPECT_TRUE(absl::StrContains(text, "+0.020000 s to +0.030000 s")) << text;
      EXPECT_TRUE(absl::StrContains(text, "10.000 ms is a lower bound")) << text;
      ++lost_end;
    } else if (name == "outer") {
      EXPECT_TRUE(absl::StartsWith(text, "Cut by lost data: its begin was lost")) << text;
      ++lost_begin;
    } else {
      EXPECT_TRUE(absl::StartsWith(text, "Cut by the capture window: ")) << name << ": " << text;
      EXPECT_TRUE(absl::StrContains(text, name == "early" ? "began before the capture window"
                                                          : "still running when the capture"))
          << name << ": " << text;
      ++window;
    }
  }
  EXPECT_EQ(lost_end, 1);
  EXPECT_EQ(lost_begin, 1);
  EXPECT_EQ(window, 2);
  EXPECT_EQ(complete, 1);
}

}  // namespace
}  // namespace tracelane::gui
