// tracelane-viewer end to end, headless: screenshots of a planted trace, the
// --range view reported by --frame-stats, and the error view of a corrupt file.
// The viewer runs as a subprocess; without a DISPLAY it runs under xvfb-run.
#include <stb_image.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/analysis/json_parse.h"
#include "tests/analysis/synthetic_trace.h"
#include "viewer/analysis/states.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/config_dir.h"
#include "viewer/gui/panel_layout.h"

namespace tracelane {
namespace {

using format::BlockKind;
using format::EventType;
using testing::SyntheticTrace;

constexpr int64_t kStart = 1'000'000'000;  // capture start (ns)
constexpr int64_t kMs = 1'000'000;

struct ViewerRun {
  int exit_code = -1;
  std::string out, err;
};

// A name for this test's files: ctest runs the tests of this binary in
// parallel, each in its own process, sharing TempDir().
std::string TestFile(const std::string& suffix) {
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  return absl::StrCat(::testing::TempDir(), "viewer_", t != nullptr ? t->name() : "none", "_",
                      getpid(), "_", suffix);
}

// Runs the viewer with `args` (a display from xvfb-run when there is none).
ViewerRun RunViewer(const std::string& args) {
  const std::string out = TestFile("out.txt"), err = TestFile("err.txt");
  const char* display = std::getenv("DISPLAY");
  const std::string prefix =
      display != nullptr && display[0] != '\0' ? "" : "xvfb-run -a -s \"-screen 0 1600x1000x24\" ";
  // A private config dir: the recent-files list of the test, not the user's.
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

// A 400 ms capture: two workers contending for a lock, a cache thread that
// holds it, an allocator pause, a sleep, IO, a condvar wait, preemption, and a
// stop-the-world across everything.
// With `losses`, worker-1 dropped 3 events and the cache thread lost 12 to
// the flight recorder.
std::string PlantedTrace(bool losses = false) {
  SyntheticTrace t(kStart, kStart + 400 * kMs);
  const int w1 = t.Thread(101, "worker-1", kStart);
  const int w2 = t.Thread(102, "worker-2", kStart);
  const int cache = t.Thread(103, "cache", kStart);
  t.NameObject(format::ObjectKind::kLock, 0x77, "cache-lock");
  for (int i = 0; i < 40; ++i) {
    const int64_t b = kStart + i * 10 * kMs;
    t.Scope(w1, "handle_request", b, b + 8 * kMs);
    t.Scope(w1, "parse", b + 1 * kMs, b + 2 * kMs);
    t.Scope(w2, "handle_request", b + 2 * kMs, b + 9 * kMs);
  }
  t.Hold(cache, 0x77, kStart + 50 * kMs, kStart + 90 * kMs, /*waiters=*/true);
  t.Scope(cache, "rebuild_cache", kStart + 45 * kMs, kStart + 95 * kMs);
  t.WaitHold(w1, 0x77, kStart + 60 * kMs, kStart + 90 * kMs, kStart + 92 * kMs, 103);
  t.WaitHold(w2, 0x77, kStart + 62 * kMs, kStart + 93 * kMs, kStart + 94 * kMs, 101);
  t.Pause(w2, "operator delete[]", kStart + 150 * kMs, kStart + 170 * kMs);
  t.Block(cache, "nap", BlockKind::kSleep, kStart + 100 * kMs, kStart + 200 * kMs);
  t.Block(cache, "read", BlockKind::kIo, kStart + 210 * kMs, kStart + 260 * kMs);
  t.Block(w2, "queue", BlockKind::kCondvar, kStart + 300 * kMs, kStart + 330 * kMs);
  t.SchedOut(w1, kStart + 250 * kMs, /*preempted=*/true);
  t.SchedIn(w1, kStart + 280 * kMs);
  t.Stw(cache, "compaction", kStart + 350 * kMs, kStart + 370 * kMs);
  if (losses) {
    t.snapshot().threads[w1].dropped = 3;
    t.snapshot().threads[cache].overwritten = 12;
  }
  return t.Encode();
}

std::string WriteFile(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
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

TEST(ViewerApp, ScreenshotShowsStatesLocksPausesAndStopTheWorld) {
  const std::string trace = WriteFile("planted.tlt", PlantedTrace());
  const std::string png = ::testing::TempDir() + "planted.png";
  std::remove(png.c_str());
  const ViewerRun r = RunViewer(absl::StrCat(trace, " --screenshot ", png, " --size 1200x700"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Image img = ReadPng(png);
  ASSERT_EQ(img.w, 1200);
  ASSERT_EQ(img.h, 700);
  // The lane area (right of the names, below the header) is not blank.
  std::set<uint32_t> colors;
  for (int y = 120; y < img.h; y += 2) {
    for (int x = 260; x < img.w - 20; x += 2) colors.insert(img.at(x, y));
  }
  EXPECT_GT(colors.size(), 30u);
  // Every state the trace holds is drawn in its legend colour.
  std::set<uint32_t> all(img.px.begin(), img.px.end());
  using analysis::ThreadState;
  for (ThreadState s : {ThreadState::kRunning, ThreadState::kRunnable, ThreadState::kLockWait,
                        ThreadState::kCondvarWait, ThreadState::kIoWait, ThreadState::kSleep,
                        ThreadState::kPaused}) {
    EXPECT_TRUE(all.count(gui::StateColor(s))) << analysis::StateLabel(s);
  }
}

TEST(ViewerApp, RangeShowsExactlyThatRange) {
  const std::string trace = WriteFile("range.tlt", PlantedTrace());
  const ViewerRun r =
      RunViewer(absl::StrCat(trace, " --range 100ms:300ms --frames 5 --frame-stats"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  testing::Json j;
  std::string error;
  ASSERT_TRUE(testing::JsonParser::Parse(r.out, &j, &error)) << error << ": " << r.out;
  EXPECT_EQ(j["frames"].Int(), 5);
  // Exactly [start + 100 ms, start + 300 ms), to within a pixel's worth of time.
  const int64_t px = 200 * kMs / 1000;
  EXPECT_NEAR(static_cast<double>(j["visible_start_ns"].Int()), kStart + 100 * kMs, 1);
  EXPECT_NEAR(static_cast<double>(j["visible_end_ns"].Int()), kStart + 300 * kMs, px);
  EXPECT_GT(j["first_frame_ms"].num, 0);
  EXPECT_GT(j["median_ms"].num, 0);
  EXPECT_GE(j["max_ms"].num, j["median_ms"].num);
}

TEST(ViewerApp, CorruptFileShowsTheErrorAndFails) {
  std::string bytes = PlantedTrace();
  ASSERT_GT(bytes.size(), 400u);
  bytes[bytes.size() / 2] ^= 0x5A;  // inside a block payload: its checksum fails
  const std::string trace = WriteFile("corrupt.tlt", bytes);
  const std::string png = ::testing::TempDir() + "corrupt.png";
  std::remove(png.c_str());
  const ViewerRun r = RunViewer(absl::StrCat(trace, " --screenshot ", png, " --size 800x500"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(r.err, "corrupt.tlt")) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "offset")) << r.err;  // names where the damage is
  const Image img = ReadPng(png);                            // the error view was still written
  ASSERT_EQ(img.w, 800);
  std::set<uint32_t> colors(img.px.begin(), img.px.end());
  EXPECT_GT(colors.size(), 3u);
}

TEST(ViewerApp, MissingFileAndBadArgumentsFail) {
  const ViewerRun missing = RunViewer(absl::StrCat(::testing::TempDir(), "nope.tlt --frames 1"));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(missing.err, "nope.tlt")) << missing.err;
  const ViewerRun bad = RunViewer("--range 5s:1s x.tlt --frames 1");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(bad.err, "--range")) << bad.err;
}

// The panel area of a --size 1200x800 screenshot, below its tab bar: the
// default panel height is 300 px, so the area starts near y = 490.
constexpr int kW = 1200, kH = 800, kPanelTop = 560;

// Renders `trace` with --view `view` at kW x kH; fails the test on errors.
Image Screenshot(const std::string& trace, const std::string& view) {
  const std::string png = TestFile(view + ".png");
  std::remove(png.c_str());
  const ViewerRun r = RunViewer(
      absl::StrCat(trace, " --screenshot ", png, " --size ", kW, "x", kH, " --view ", view));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Image img = ReadPng(png);
  EXPECT_EQ(img.w, kW);
  EXPECT_EQ(img.h, kH);
  return img;
}

// Pixels of colour `c` in [x0, x1) x [y0, y1), and how many rows hold one.
struct ColorCount {
  int pixels = 0;
  int rows = 0;
};
ColorCount Count(const Image& img, uint32_t c, int x0, int y0, int x1, int y1) {
  ColorCount n;
  for (int y = y0; y < std::min(y1, img.h); ++y) {
    int here = 0;
    for (int x = x0; x < std::min(x1, img.w); ++x) here += img.at(x, y) == c;
    n.pixels += here;
    n.rows += here > 0;
  }
  return n;
}

TEST(ViewerApp, ThreadsViewShowsTheStateBarsInThePanel) {
  const std::string trace = WriteFile("threads_view.tlt", PlantedTrace());
  const Image threads = Screenshot(trace, "threads");
  const Image timeline = Screenshot(trace, "timeline");
  ASSERT_EQ(threads.w, kW);
  ASSERT_EQ(timeline.w, kW);
  using analysis::ThreadState;
  // Each state of the planted trace fills bars (rows of text height), not just
  // a header line, in the panel; the timeline view's selection hint has none.
  for (ThreadState s : {ThreadState::kRunning, ThreadState::kRunnable, ThreadState::kLockWait,
                        ThreadState::kCondvarWait, ThreadState::kIoWait, ThreadState::kSleep,
                        ThreadState::kPaused}) {
    const uint32_t c = gui::StateColor(s);
    EXPECT_GE(Count(threads, c, 0, kPanelTop, kW, kH).rows, 10) << analysis::StateLabel(s);
    EXPECT_EQ(Count(timeline, c, 0, kPanelTop, kW, kH).rows, 0) << analysis::StateLabel(s);
  }
  // Syscall time is zero in every row: its colour only underlines its header.
  EXPECT_LE(Count(threads, gui::StateColor(ThreadState::kSyscall), 0, kPanelTop, kW, kH).rows, 4);
}

TEST(ViewerApp, MmuViewDrawsTheCurveAndFrameStatsStillWork) {
  const std::string trace = WriteFile("mmu_view.tlt", PlantedTrace());
  const Image mmu = Screenshot(trace, "mmu");
  const Image timeline = Screenshot(trace, "timeline");
  ASSERT_EQ(mmu.w, kW);
  ASSERT_EQ(timeline.w, kW);
  // The chart takes the left 62% of the panel; the curve runs across it.
  const int chart_x1 = kW * 62 / 100;
  const ColorCount curve = Count(mmu, gui::kMmuCurve, 0, kPanelTop, chart_x1, kH);
  EXPECT_GT(curve.pixels, 300);
  EXPECT_GT(curve.rows, 40);  // it rises: 0 below the 20 ms stop-the-world, then up
  EXPECT_EQ(Count(timeline, gui::kMmuCurve, 0, kPanelTop, kW, kH).pixels, 0);

  const ViewerRun r = RunViewer(absl::StrCat(trace, " --view mmu --frames 5 --frame-stats"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  testing::Json j;
  std::string error;
  ASSERT_TRUE(testing::JsonParser::Parse(r.out, &j, &error)) << error << ": " << r.out;
  EXPECT_EQ(j["frames"].Int(), 5);
  EXPECT_GT(j["median_ms"].num, 0);
  EXPECT_EQ(j["threads"].Int(), 3);
}

TEST(ViewerApp, InfoViewHighlightsLosses) {
  const std::string lossy = WriteFile("info_lossy.tlt", PlantedTrace(/*losses=*/true));
  const std::string clean = WriteFile("info_clean.tlt", PlantedTrace());
  const Image info = Screenshot(lossy, "info");
  const Image timeline = Screenshot(lossy, "timeline");
  const Image info_clean = Screenshot(clean, "info");
  ASSERT_EQ(info.w, kW);
  ASSERT_EQ(timeline.w, kW);
  ASSERT_EQ(info_clean.w, kW);
  std::set<uint32_t> colors;
  for (int y = kPanelTop; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) colors.insert(info.at(x, y));
  }
  EXPECT_GT(colors.size(), 20u);  // text and tables: not blank
  // Non-zero counts sit in orange cells: the total lost in the capture table,
  // worker-1's drops, the cache's overwrites and both totals (5 cells of text
  // height).
  const ColorCount cells = Count(info, gui::kLossHighlight, 0, kPanelTop, kW, kH);
  EXPECT_GT(cells.pixels, 5 * 40 * 14);
  EXPECT_GE(cells.rows, 3 * 14);  // three table rows
  EXPECT_EQ(Count(timeline, gui::kLossHighlight, 0, kPanelTop, kW, kH).pixels, 0);
  EXPECT_EQ(Count(info_clean, gui::kLossHighlight, 0, kPanelTop, kW, kH).pixels, 0);
}

TEST(ViewerApp, BadViewNamesTheAcceptedValues) {
  const ViewerRun bad = RunViewer("x.tlt --view lockz --frames 1");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(bad.err, "--view 'lockz'")) << bad.err;
  EXPECT_TRUE(absl::StrContains(bad.err, "timeline, threads, mmu, locks, scopes")) << bad.err;
}

TEST(PanelLayout, MissingFileGivesDefaultsAndSavedLayoutsComeBack) {
  const std::string dir = TestFile("layout_dir");
  std::filesystem::remove_all(dir);
  const std::string path = dir + "/tracelane/layout";
  const gui::PanelLayout defaults = gui::LoadPanelLayout(path);
  EXPECT_EQ(defaults.height, gui::PanelLayout::kDefaultHeight);
  EXPECT_EQ(defaults.tab, gui::PanelTab::kSelection);
  gui::PanelLayout l;
  l.height = 412;
  l.tab = gui::PanelTab::kMmu;
  ASSERT_TRUE(gui::SavePanelLayout(l, path));  // creates the directory
  EXPECT_EQ(gui::LoadPanelLayout(path), l);
  l.tab = gui::PanelTab::kInfo;
  ASSERT_TRUE(gui::SavePanelLayout(l, path));
  EXPECT_EQ(gui::LoadPanelLayout(path).tab, gui::PanelTab::kInfo);
  // The file is where the recent-files list lives.
  setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
  EXPECT_EQ(gui::PanelLayoutPath(), path);
  EXPECT_EQ(gui::ConfigFilePath("recent"), dir + "/tracelane/recent");
  EXPECT_EQ(gui::LoadPanelLayout(), l);
  std::filesystem::remove_all(dir);
}

TEST(PanelLayout, BadLinesAreIgnoredAndHeightIsClamped) {
  const gui::PanelLayout l =
      gui::ParsePanelLayout("junk\npanel_tab=threads\npanel_height=abc\nother=1\n");
  EXPECT_EQ(l.tab, gui::PanelTab::kThreads);
  EXPECT_EQ(l.height, gui::PanelLayout::kDefaultHeight);
  EXPECT_EQ(gui::ParsePanelLayout("panel_height=50").height, gui::PanelLayout::kDefaultHeight);
  EXPECT_EQ(gui::ParsePanelLayout(" panel_height = 333 \npanel_tab=nope").height, 333);
  EXPECT_EQ(gui::ParsePanelLayout("panel_tab=nope").tab, gui::PanelTab::kSelection);
  EXPECT_EQ(gui::ParsePanelLayout(gui::FormatPanelLayout({250, gui::PanelTab::kInfo})),
            (gui::PanelLayout{250, gui::PanelTab::kInfo}));
  gui::PanelLayout big;
  big.height = 5000;
  EXPECT_FLOAT_EQ(big.ClampedHeight(1000), 700);  // at most 70% of the window
  gui::PanelLayout small;
  small.height = 10;
  EXPECT_FLOAT_EQ(small.ClampedHeight(1000), gui::PanelLayout::kMinHeight);
  EXPECT_FLOAT_EQ(small.ClampedHeight(100), gui::PanelLayout::kMinHeight);  // the minimum wins
}

}  // namespace
}  // namespace tracelane
