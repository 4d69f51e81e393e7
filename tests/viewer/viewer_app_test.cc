// tracelane-viewer end to end, headless: screenshots of a planted trace, the
// --range view reported by --frame-stats, and the error view of a corrupt file.
// The viewer runs as a subprocess; without a DISPLAY it runs under xvfb-run.
#include <stb_image.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
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

// Runs the viewer with `args` (a display from xvfb-run when there is none).
ViewerRun RunViewer(const std::string& args) {
  const std::string dir = ::testing::TempDir();
  const std::string out = dir + "viewer_out.txt", err = dir + "viewer_err.txt";
  const char* display = std::getenv("DISPLAY");
  const std::string prefix =
      display != nullptr && display[0] != '\0' ? "" : "xvfb-run -a -s \"-screen 0 1600x1000x24\" ";
  // A private config dir: the recent-files list of the test, not the user's.
  const std::string cmd = absl::StrCat("XDG_CONFIG_HOME=", dir, "xdg ", prefix,
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
std::string PlantedTrace() {
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

}  // namespace
}  // namespace tracelane
