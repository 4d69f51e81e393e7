// tracelane-viewer's Explain view and data-loss gaps, end to end and headless:
// a trace recorded by the real recorder in this test (a holder thread holds a
// named lock inside a named scope while a worker's scope waits for it) opened
// with --view explain --select-scope NAME --rank 1 lays out text naming the
// lock, the holder thread and the holder's scope, its rank among the scope's
// instances, and the blame chain hop by hop (read from --dump-view-json, not
// from pixels); a planted loss is drawn on its lane's state strip in the
// loss colour, where the gap is. The viewer runs as a subprocess (under
// xvfb-run when there is no DISPLAY).
#include <stb_image.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/analysis/json_parse.h"
#include "tests/analysis/synthetic_trace.h"
#include "tracelane/tracelane.h"
#include "viewer/gui/colors.h"

namespace tracelane {
namespace {

struct ViewerRun {
  int exit_code = -1;
  std::string out, err;
};

// A file name private to this test (ctest runs the tests in parallel).
std::string TestFile(const std::string& suffix) {
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  return absl::StrCat(::testing::TempDir(), "viewer_explain_", t != nullptr ? t->name() : "none",
                      "_", getpid(), "_", suffix);
}

ViewerRun RunViewer(const std::string& args) {
  const std::string out = TestFile("out.txt"), err = TestFile("err.txt");
  const char* display = std::getenv("DISPLAY");
  const std::string prefix =
      display != nullptr && display[0] != '\0' ? "" : "xvfb-run -a -s \"-screen 0 1600x1000x24\" ";
  const std::string cmd = absl::StrCat("XDG_CONFIG_HOME=", TestFile("xdg"), " ", prefix,
                                       TRACELANE_VIEWER_PATH, " ", args, " >", out, " 2>", err);
  ViewerRun r;
  const int status = std::system(cmd.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream o(out), e(err);
  r.out.assign(std::istreambuf_iterator<char>(o), {});
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  return r;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// The lines the Explain panel laid out (its --dump-view-json).
std::vector<std::string> ExplainLines(const std::string& json_text) {
  testing::Json j;
  std::string error;
  EXPECT_TRUE(testing::JsonParser::Parse(json_text, &j, &error)) << error << ": " << json_text;
  EXPECT_EQ(j["view"].str, "explain") << json_text;
  std::vector<std::string> lines;
  for (const testing::Json& l : j["lines"].arr) lines.push_back(l.str);
  return lines;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) absl::StrAppend(&s, l, "\n");
  return s;
}

int64_t Tid() { return static_cast<int64_t>(syscall(SYS_gettid)); }

// Records, with the real recorder, a holder thread that holds "planted-lock"
// for 80 ms inside "rebuild_index" while a worker's "serve_query" waits for
// it, around ten quick serve_query calls that wait for nothing; returns the
// trace bytes and the holder's tid.
std::string RecordPlantedLockTrace(int64_t* holder_tid) {
  Mutex lock("planted-lock");
  std::atomic<bool> held{false};
  std::atomic<int64_t> tid{0};
  std::thread holder([&] {
    TRACE_THREAD_NAME("index-builder");
    tid = Tid();
    TRACE_SCOPE("rebuild_index");
    std::lock_guard<Mutex> g(lock);
    held = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
  });
  std::thread worker([&] {
    TRACE_THREAD_NAME("query-worker");
    for (int i = 0; i < 10; ++i) {
      TRACE_SCOPE("serve_query");
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    while (!held) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    {
      TRACE_SCOPE("serve_query");
      std::lock_guard<Mutex> g(lock);  // waits ~80 ms for the holder
    }
  });
  holder.join();
  worker.join();
  *holder_tid = tid;
  CaptureOptions o;
  o.mode = CaptureMode::kLast;
  o.seconds = 30;
  absl::StatusOr<std::string> bytes = Capture(o);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

TEST(ViewerExplain, ExplainViewNamesThePlantedLockHolder) {
  int64_t holder_tid = 0;
  const std::string bytes = RecordPlantedLockTrace(&holder_tid);
  ASSERT_FALSE(bytes.empty());
  const std::string trace = TestFile("planted.tlt");
  std::ofstream(trace, std::ios::binary) << bytes;
  const std::string json = TestFile("explain.json"), png = TestFile("explain.png");
  const ViewerRun r = RunViewer(
      absl::StrCat(trace, " --view explain --select-scope serve_query --rank 1",
                   " --dump-view-json ", json, " --screenshot ", png, " --size 1400x900"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = ExplainLines(ReadAll(json));
  ASSERT_FALSE(lines.empty());
  const std::string text = Joined(lines);
  // The instance: the worker's serve_query that waited.
  EXPECT_TRUE(absl::StartsWith(lines[0], "serve_query  on query-worker [")) << text;
  // The dominant cause names the lock, the holder thread (with its tid) and the
  // holder's scope, as `tracelane explain` would.
  const std::string holder = absl::StrCat("lock wait on \"planted-lock\" held by index-builder [",
                                          holder_tid, "] in \"rebuild_index\"");
  bool dominant = false, lock_state = false;
  for (const std::string& l : lines) {
    if (absl::StartsWith(l, "dominant cause: ") && absl::StrContains(l, holder)) dominant = true;
    if (absl::StartsWith(l, "state | lock wait | ")) lock_state = true;
    // The wait is laid out hop by hop, not as one line of text.
    EXPECT_FALSE(absl::StartsWith(l, "cause | ") && absl::StrContains(l, "planted-lock")) << l;
  }
  EXPECT_TRUE(dominant) << text;
  EXPECT_TRUE(lock_state) << text;
  // Which instance: rank 1 of the 11 complete serve_query instances.
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1], "rank 1 of 11 \"serve_query\" instances, slowest first") << text;
  testing::Json j;
  std::string error;
  ASSERT_TRUE(testing::JsonParser::Parse(ReadAll(json), &j, &error)) << error;
  EXPECT_EQ(j["rank"].num, 1);
  EXPECT_EQ(j["instances"].num, 11);
  // The blame chain, hop by hop, among the parts: the first hop is the lock
  // with its holder and the holder's scope (recorded, so 100% confidence), and
  // right under it (depth 2) the root, on the holder's thread.
  const std::string hop = absl::StrCat("hop | 1 | lock \"planted-lock\" | index-builder [",
                                       holder_tid, "] in \"rebuild_index\" | ");
  size_t hop_at = lines.size(), root_at = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (hop_at == lines.size() && absl::StartsWith(lines[i], hop)) hop_at = i;
    if (root_at == lines.size() && absl::StartsWith(lines[i], "root | ")) root_at = i;
  }
  ASSERT_LT(hop_at, lines.size()) << text;
  EXPECT_TRUE(absl::EndsWith(lines[hop_at], " | confidence 100%")) << lines[hop_at];
  ASSERT_LT(root_at, lines.size()) << text;
  EXPECT_EQ(root_at, hop_at + 1) << text;
  EXPECT_TRUE(absl::StartsWith(lines[root_at], "root | 2 | ")) << lines[root_at];
  EXPECT_TRUE(
      absl::StrContains(lines[root_at], absl::StrCat("| index-builder [", holder_tid, "] |")))
      << lines[root_at];
  // Rank 2 is a quick call that waited for nothing: no lock in its explanation.
  const ViewerRun r2 = RunViewer(absl::StrCat(
      trace, " --view explain --select-scope serve_query --rank 2 --dump-view-json ", json));
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const std::string text2 = Joined(ExplainLines(ReadAll(json)));
  EXPECT_FALSE(absl::StrContains(text2, "planted-lock")) << text2;
  EXPECT_TRUE(absl::StrContains(text2, "serve_query  on query-worker [")) << text2;
  EXPECT_TRUE(absl::StrContains(text2, "rank 2 of 11 \"serve_query\" instances")) << text2;
  EXPECT_FALSE(absl::StrContains(text2, "hop | ")) << text2;  // no wait, no chain
}

TEST(ViewerExplain, WithoutASelectionThePanelSaysHowToGetOne) {
  int64_t holder_tid = 0;
  const std::string trace = TestFile("planted.tlt");
  std::ofstream(trace, std::ios::binary) << RecordPlantedLockTrace(&holder_tid);
  const std::string json = TestFile("explain.json");
  const ViewerRun r = RunViewer(absl::StrCat(trace, " --view explain --dump-view-json ", json));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = ExplainLines(ReadAll(json));
  ASSERT_EQ(lines.size(), 1u) << Joined(lines);
  EXPECT_TRUE(absl::StartsWith(lines[0], "No scope instance selected.")) << lines[0];
}

// ---- data-loss gaps on the timeline ----

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kStart = 1'000'000'000;

// A worker running 1 ms scopes every 2 ms over 100 ms whose events were lost
// from +40 ms (its last event before the loss) to +60 ms (the loss record):
// 300 events in 2 chunks. A second thread runs without losses.
std::string PlantedLossTrace() {
  using format::EventType;
  tracelane::testing::SyntheticTrace tr(kStart, kStart + 100 * kMs);
  const int w = tr.Thread(71, "lossy-worker", kStart);
  const int ok = tr.Thread(72, "intact-worker", kStart);
  for (int64_t t = 0; t < 40 * kMs; t += 2 * kMs) tr.Scope(w, "step", kStart + t, kStart + t + kMs);
  tr.At(w, kStart + 39 * kMs, EventType::kScopeBegin, "step");  // cut by the loss
  tr.At(w, kStart + 40 * kMs, EventType::kInstant, "last_before_gap");
  tr.RawArg(w, kStart + 60 * kMs, EventType::kDataLost, 2, 300);
  for (int64_t t = 62 * kMs; t < 100 * kMs; t += 2 * kMs) {
    tr.Scope(w, "step", kStart + t, kStart + t + kMs);
  }
  for (int64_t t = 0; t < 100 * kMs; t += 2 * kMs) {
    tr.Scope(ok, "step", kStart + t, kStart + t + kMs);
  }
  return tr.Encode();
}

struct Image {
  int w = 0, h = 0;
  std::vector<uint32_t> px;  // ABGR, as ImGui packs colours
  uint32_t at(int x, int y) const { return px[static_cast<size_t>(y) * w + x]; }
};

Image ReadPng(const std::string& path) {
  Image img;
  int comp = 0;
  unsigned char* data = stbi_load(path.c_str(), &img.w, &img.h, &comp, 4);
  if (data == nullptr) return img;
  img.px.resize(static_cast<size_t>(img.w) * img.h);
  std::memcpy(img.px.data(), data, img.px.size() * 4);
  stbi_image_free(data);
  for (uint32_t& p : img.px) p |= 0xFF000000u;
  return img;
}

TEST(ViewerExplain, DataLossGapIsMarkedOnItsLaneWhereItHappened) {
  const std::string trace = TestFile("loss.tlt");
  std::ofstream(trace, std::ios::binary) << PlantedLossTrace();
  const std::string png = TestFile("loss.png");
  // 0..100 ms over the time area: it starts at x = 6 + 230 (names) and is
  // 1200 - 12 - 230 - 14 (scrollbar) = 944 px wide.
  const ViewerRun r =
      RunViewer(absl::StrCat(trace, " --range 0:100ms --screenshot ", png, " --size 1200x700"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Image img = ReadPng(png);
  ASSERT_EQ(img.w, 1200);
  ASSERT_EQ(img.h, 700);
  // Rows of the lane area (below the ruler, above the panels) with a run of
  // the loss colour wider than a cut edge, and the columns they span.
  const uint32_t loss = gui::kLossMark;
  int min_x = img.w, max_x = -1, rows_hit = 0;
  for (int y = 90; y < 380; ++y) {
    int n = 0, lo = img.w, hi = -1;
    for (int x = 240; x < img.w - 20; ++x) {
      if (img.at(x, y) != loss) continue;
      ++n;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    if (n < 20) continue;
    ++rows_hit;
    min_x = std::min(min_x, lo);
    max_x = std::max(max_x, hi);
  }
  ASSERT_GT(rows_hit, 0) << "no data-lost marker in the lanes";
  // The gap is 40..60 ms: x from about 236 + 0.40 * 944 = 614 to 236 + 0.60 * 944 = 802.
  EXPECT_NEAR(min_x, 614, 6);
  EXPECT_NEAR(max_x, 802, 6);
  // On one lane's state strip only (14 px high), not on the intact lane.
  EXPECT_GE(rows_hit, 8);
  EXPECT_LE(rows_hit, 14);
}

}  // namespace
}  // namespace tracelane
