// The off switches: TRACELANE_DISABLE compiles every macro to nothing, and
// SetEnabled(false) stops recording at run time without unbalancing scopes.
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "tests/core/disabled_macros.h"
#include "tests/core/test_util.h"
#include "tracelane/tracelane.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane {
namespace {

using format::EventType;
using testing::CheckNesting;
using testing::CountType;
using testing::FindThread;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Configure(RecorderOptions{}).ok()); }
  void TearDown() override { SetEnabled(true); }
};

reader::Trace Capture() {
  std::ostringstream out;
  EXPECT_TRUE(WriteTrace(out).ok());
  absl::StatusOr<reader::Trace> trace = reader::ParseTrace(out.str(), "api");
  EXPECT_TRUE(trace.ok()) << trace.status();
  return trace.ok() ? *std::move(trace) : reader::Trace{};
}

// Runs `fn` on a new thread and returns that thread's OS id.
template <typename Fn>
int64_t OnThread(Fn fn) {
  int64_t tid = 0;
  std::thread([&] {
    tid = internal::CurrentTid();
    fn();
  }).join();
  return tid;
}

void EnabledWork(int iterations) {
  TRACE_THREAD_NAME("enabled-thread");
  for (int i = 0; i < iterations; ++i) {
    TRACE_SCOPE("enabled_scope");
    TRACE_INSTANT("enabled_instant");
    TRACE_COUNTER("enabled_counter", i);
  }
}

TEST_F(ApiTest, CompileTimeDisableRecordsNothing) {
  int evaluated = -1;
  const int64_t disabled_tid = OnThread([&] { evaluated = testing::UseEveryMacroDisabled(1000); });
  // The same macros without TRACELANE_DISABLE do record (so this test can fail).
  const int64_t enabled_tid = OnThread([] { EnabledWork(10); });
  EXPECT_EQ(evaluated, 0) << "a disabled TRACE_COUNTER evaluated its value";
  const reader::Trace trace = Capture();
  EXPECT_EQ(FindThread(trace, disabled_tid), nullptr) << "the disabled thread was registered";
  const reader::Thread* enabled = FindThread(trace, enabled_tid);
  ASSERT_NE(enabled, nullptr);
  EXPECT_EQ(enabled->name, "enabled-thread");
  EXPECT_EQ(CountType(*enabled, EventType::kScopeBegin), 10u);
  for (const reader::Location& l : trace.locations) {
    EXPECT_EQ(l.name.rfind("disabled", 0), std::string::npos) << l.name;
  }
  const RecorderStats stats = GetRecorderStats();
  EXPECT_EQ(stats.events_dropped, 0u);
  EXPECT_EQ(stats.events_overwritten, 0u);
}

TEST_F(ApiTest, RuntimeDisableRecordsNothing) {
  ASSERT_TRUE(IsEnabled());
  SetEnabled(false);
  EXPECT_FALSE(IsEnabled());
  const int64_t silent_tid = OnThread([] {
    for (int i = 0; i < 1000; ++i) {
      TRACE_SCOPE("off_scope");
      TRACE_INSTANT("off_instant");
      TRACE_COUNTER("off_counter", i);
    }
  });
  // A named thread is registered (the name is metadata) but records no event of
  // its own, not even its exit.
  const int64_t named_tid = OnThread([] { EnabledWork(1000); });
  SetEnabled(true);
  const int64_t on_tid = OnThread([] { EnabledWork(5); });

  const reader::Trace trace = Capture();
  EXPECT_EQ(FindThread(trace, silent_tid), nullptr);
  const reader::Thread* named_found = FindThread(trace, named_tid);
  ASSERT_NE(named_found, nullptr);
  // Scheduler events, if a scheduler source is active, come from outside the
  // thread's buffer and are not governed by SetEnabled.
  const reader::Thread named_own = testing::OwnEvents(*named_found);
  const reader::Thread* named = &named_own;
  EXPECT_EQ(named->name, "enabled-thread");
  ASSERT_EQ(named->events.size(), 1u);
  EXPECT_EQ(named->events[0].type, EventType::kThreadStart);
  EXPECT_TRUE(named->exited);
  const reader::Thread* on = FindThread(trace, on_tid);
  ASSERT_NE(on, nullptr);
  EXPECT_EQ(CountType(*on, EventType::kScopeBegin), 5u);
  EXPECT_EQ(CountType(*on, EventType::kInstant), 5u);
  EXPECT_EQ(CountType(*on, EventType::kCounter), 5u);
  EXPECT_EQ(CountType(*on, EventType::kThreadExit), 1u);
  EXPECT_EQ(GetRecorderStats().events_dropped, 0u);
}

// A scope records both ends or neither, whatever happens to the switch meanwhile.
TEST_F(ApiTest, ToggleInsideScopesKeepsThemBalanced) {
  const int64_t tid = OnThread([] {
    TRACE_SCOPE("outer");  // begins enabled
    {
      TRACE_SCOPE("begun_on");
      SetEnabled(false);
    }  // its end is still recorded
    {
      TRACE_SCOPE("begun_off");
      SetEnabled(true);
    }  // neither end recorded
    TRACE_INSTANT("after");
  });
  const reader::Trace trace = Capture();
  const reader::Thread* t = FindThread(trace, tid);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(CheckNesting(trace, *t), "");
  std::vector<std::string> names;
  for (const reader::Event& e : t->events) {
    const reader::Location* l = trace.LocationOf(e);
    if (l != nullptr) names.push_back(l->name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"outer", "begun_on", "begun_on", "after", "outer"}));
}

}  // namespace
}  // namespace tracelane
