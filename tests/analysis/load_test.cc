// Loading: cancellation between blocks, in the reader (ParseTrace, ReadTrace,
// StreamParseTrace, StreamTrace) and in the model loaders (LoadModel,
// LoadModelFromBytes).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/analysis/synthetic_trace.h"
#include "viewer/analysis/model.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::analysis {
namespace {

using testing::SyntheticTrace;

constexpr int64_t kMs = 1000000;

// Three threads with scopes: the writer emits one event block per thread, after
// the table blocks, so there are several blocks to cancel between.
std::string ThreeThreadTrace() {
  SyntheticTrace tr(1 * kMs, 101 * kMs);
  for (int i = 0; i < 3; ++i) {
    const int th = tr.Thread(10 + i, absl::StrCat("worker-", i));
    for (int64_t t = 2 * kMs; t < 100 * kMs; t += 2 * kMs) tr.Scope(th, "work", t, t + kMs);
  }
  return tr.Encode();
}

// Options that cancel once the first progress callback has run, counting both.
struct CancelAfterFirstBlock {
  int progress_calls = 0;
  int cancel_checks = 0;

  template <typename Options>
  Options Make() {
    Options o;
    o.progress = [this](uint64_t, uint64_t) { ++progress_calls; };
    o.cancelled = [this] {
      ++cancel_checks;
      return progress_calls >= 1;
    };
    return o;
  }
};

class LoadCancelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = ThreeThreadTrace();
    ASSERT_FALSE(bytes_.empty());
    path_ = absl::StrCat(::testing::TempDir(), "tracelane_load_", getpid(), ".tlt");
    std::ofstream(path_, std::ios::binary) << bytes_;
  }
  void TearDown() override { std::remove(path_.c_str()); }

  std::string bytes_;
  std::string path_;
};

void ExpectCancelled(const absl::Status& s, const std::string& name) {
  EXPECT_TRUE(absl::IsCancelled(s)) << s;
  EXPECT_EQ(s.message(), absl::StrCat(name, ": loading cancelled"));
}

TEST_F(LoadCancelTest, ReaderStopsAfterTheFirstBlock) {
  {
    CancelAfterFirstBlock c;
    ExpectCancelled(reader::ParseTrace(bytes_, "mem", c.Make<reader::ReadOptions>()).status(),
                    "mem");
    EXPECT_EQ(c.progress_calls, 1);
    EXPECT_EQ(c.cancel_checks, 2);  // before block 1 (no), before block 2 (yes)
  }
  {
    CancelAfterFirstBlock c;
    ExpectCancelled(reader::ReadTrace(path_, c.Make<reader::ReadOptions>()).status(), path_);
    EXPECT_EQ(c.progress_calls, 1);
  }
  {
    CancelAfterFirstBlock c;
    int blocks = 0;
    const auto on_events = [&](const reader::Trace&, uint32_t, const std::vector<reader::Event>&) {
      ++blocks;
    };
    ExpectCancelled(
        reader::StreamParseTrace(bytes_, "mem", on_events, c.Make<reader::ReadOptions>()).status(),
        "mem");
    ExpectCancelled(reader::StreamTrace(path_, on_events, c.Make<reader::ReadOptions>()).status(),
                    path_);
    EXPECT_EQ(blocks, 0);  // the first block is a table block
  }
}

TEST_F(LoadCancelTest, ModelLoadersStopAfterTheFirstBlock) {
  {
    CancelAfterFirstBlock c;
    ExpectCancelled(LoadModel(path_, c.Make<LoadOptions>()).status(), path_);
    EXPECT_EQ(c.progress_calls, 1);
  }
  {
    CancelAfterFirstBlock c;
    ExpectCancelled(LoadModelFromBytes(bytes_, "mem", c.Make<LoadOptions>()).status(), "mem");
    EXPECT_EQ(c.progress_calls, 1);
  }
}

TEST_F(LoadCancelTest, CancellingLateStillStopsBeforeTheEnd) {
  // Cancel once the first event block has been decoded: the model is not built.
  int event_blocks = 0;
  reader::ReadOptions o;
  o.cancelled = [&] { return event_blocks > 0; };
  absl::StatusOr<reader::Trace> t = reader::StreamParseTrace(
      bytes_, "mem",
      [&](const reader::Trace&, uint32_t, const std::vector<reader::Event>&) { ++event_blocks; },
      o);
  ExpectCancelled(t.status(), "mem");
  EXPECT_EQ(event_blocks, 1);
}

TEST_F(LoadCancelTest, NeverCancellingLoadsNormally) {
  int checks = 0, progress = 0;
  LoadOptions o;
  o.progress = [&](uint64_t, uint64_t) { ++progress; };
  o.cancelled = [&] {
    ++checks;
    return false;
  };
  absl::StatusOr<Model> m = LoadModel(path_, o);
  ASSERT_TRUE(m.ok()) << m.status();
  // Polled before every block is decoded or handed over (the loader decodes on
  // several threads and reports progress as blocks are handed over in file order).
  EXPECT_GE(checks, progress);
  EXPECT_GE(progress, 2);  // at least one block, then the end
  ASSERT_EQ(m->threads.size(), 3u);
  for (const ThreadModel& t : m->threads) EXPECT_EQ(t.scopes.size(), 49u);

  absl::StatusOr<Model> plain = LoadModelFromBytes(bytes_, "mem");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->events, m->events);
  reader::ReadOptions r;
  r.cancelled = [] { return false; };
  absl::StatusOr<reader::Trace> t = reader::ParseTrace(bytes_, "mem", r);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->event_count, m->events);
}

}  // namespace
}  // namespace tracelane::analysis
