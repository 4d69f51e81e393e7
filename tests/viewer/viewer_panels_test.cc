// The Locks and Scopes views and the panels' data, end to end: screenshots of
// a planted trace show view-specific content, and what each panel shows
// (--dump-view-json) equals the CLI's --json for the same trace (threads, locks,
// scopes, MMU), whole or limited to a range (`tracelane range --json`).
// The viewer and the CLI run as subprocesses; without a DISPLAY under xvfb-run.
#include <stb_image.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/analysis/json_parse.h"
#include "tests/analysis/synthetic_trace.h"
#include "viewer/analysis/states.h"
#include "viewer/gui/colors.h"

namespace tracelane {
namespace {

using testing::Json;
using testing::SyntheticTrace;

constexpr int64_t kStart = 1'000'000'000;
constexpr int64_t kMs = 1'000'000;
constexpr int kW = 1200, kH = 800, kPanelTop = 560;  // the panel area of a 1200x800 image

struct ExecResult {
  int exit_code = -1;
  std::string out, err;
};

std::string TestFile(const std::string& suffix) {
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  return absl::StrCat(::testing::TempDir(), "panels_", t != nullptr ? t->name() : "none", "_",
                      getpid(), "_", suffix);
}

ExecResult Exec(const std::string& cmd_line, bool display) {
  const std::string out = TestFile("out.txt"), err = TestFile("err.txt");
  const char* d = std::getenv("DISPLAY");
  const std::string prefix = !display || (d != nullptr && d[0] != '\0')
                                 ? ""
                                 : "xvfb-run -a -s \"-screen 0 1600x1000x24\" ";
  const std::string cmd = absl::StrCat("XDG_CONFIG_HOME=", TestFile("xdg"), " ", prefix, cmd_line,
                                       " >", out, " 2>", err);
  ExecResult r;
  const int status = std::system(cmd.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream o(out), e(err);
  r.out.assign(std::istreambuf_iterator<char>(o), {});
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  return r;
}

ExecResult Viewer(const std::string& args) {
  return Exec(absl::StrCat(TRACELANE_VIEWER_PATH, " ", args), true);
}

Json ParseOrFail(const std::string& text) {
  Json j;
  std::string error;
  EXPECT_TRUE(testing::JsonParser::Parse(text, &j, &error)) << error << ": " << text.substr(0, 300);
  return j;
}

Json Cli(const std::string& args) {
  const ExecResult r = Exec(absl::StrCat(TRACELANE_CLI_PATH, " ", args), false);
  EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
  return ParseOrFail(r.out);
}

// The active panel's data for `args` (a --view and more).
Json Dump(const std::string& trace, const std::string& args) {
  const std::string path = TestFile("dump.json");
  std::remove(path.c_str());
  const ExecResult r = Viewer(absl::StrCat(trace, " ", args, " --dump-view-json ", path));
  EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
  std::ifstream in(path);
  return ParseOrFail(std::string(std::istreambuf_iterator<char>(in), {}));
}

// A 400 ms capture: three workers taking two locks from a cache thread that
// holds them, request scopes of spread latencies with a slow tail, a parse
// scope, a pause and a stop-the-world.
std::string PlantedTrace() {
  SyntheticTrace t(kStart, kStart + 400 * kMs);
  const int w[3] = {t.Thread(101, "worker-1", kStart), t.Thread(102, "worker-2", kStart),
                    t.Thread(103, "worker-3", kStart)};
  const int cache = t.Thread(104, "cache", kStart);
  t.NameObject(format::ObjectKind::kLock, 0x77, "cache-lock");
  t.NameObject(format::ObjectKind::kLock, 0x78, "stats-lock");
  for (int i = 0; i < 120; ++i) {
    const int64_t b = kStart + i * 3 * kMs + (i % 3) * 100'000;
    const int64_t d = (i % 40 == 7) ? 2'800'000 : 200'000 + (i * 7919 % 900) * 1000;
    t.Scope(w[i % 3], "handle_request", b, b + d);
    t.Scope(w[i % 3], "parse", b + 10'000, b + 10'000 + d / 4);
  }
  for (int k = 0; k < 8; ++k) {
    const int64_t h = kStart + 20 * kMs + k * 40 * kMs;
    t.Hold(cache, 0x77, h, h + 2 * kMs, /*waiters=*/true);
    t.WaitHold(w[k % 3], 0x77, h + 500'000, h + 2 * kMs, h + 2 * kMs + 50'000, 104);
  }
  t.Hold(cache, 0x78, kStart + 300 * kMs, kStart + 301 * kMs, true);
  t.WaitHold(w[1], 0x78, kStart + 300 * kMs + 200'000, kStart + 301 * kMs,
             kStart + 301 * kMs + 10'000, 104);
  t.Pause(w[1], "operator delete[]", kStart + 150 * kMs, kStart + 160 * kMs);
  t.Stw(cache, "compaction", kStart + 350 * kMs, kStart + 360 * kMs);
  return t.Encode();
}

std::string TraceFile() {
  const std::string path = TestFile("planted.tlt");
  std::ofstream(path, std::ios::binary) << PlantedTrace();
  return path;
}

struct Image {
  int w = 0, h = 0;
  std::vector<uint32_t> px;  // ABGR
  uint32_t at(int x, int y) const { return px[static_cast<size_t>(y) * w + x]; }
};

Image Screenshot(const std::string& trace, const std::string& args) {
  const std::string png = TestFile("shot.png");
  std::remove(png.c_str());
  const ExecResult r =
      Viewer(absl::StrCat(trace, " --screenshot ", png, " --size ", kW, "x", kH, " ", args));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Image img;
  int comp = 0;
  unsigned char* data = stbi_load(png.c_str(), &img.w, &img.h, &comp, 4);
  if (data == nullptr) return img;
  img.px.resize(static_cast<size_t>(img.w) * img.h);
  std::memcpy(img.px.data(), data, img.px.size() * 4);
  stbi_image_free(data);
  for (uint32_t& p : img.px) p |= 0xFF000000u;
  return img;
}

// Pixels of colour c in [x0, x1) x [y0, y1).
int Count(const Image& img, uint32_t c, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < std::min(y1, img.h); ++y) {
    for (int x = x0; x < std::min(x1, img.w); ++x) n += img.at(x, y) == c;
  }
  return n;
}

int Colors(const Image& img, int y0) {
  std::vector<uint32_t> c(img.px.begin() + static_cast<std::ptrdiff_t>(y0) * img.w, img.px.end());
  std::sort(c.begin(), c.end());
  return static_cast<int>(std::unique(c.begin(), c.end()) - c.begin());
}

TEST(PanelViews, LocksViewShowsWaitTimesAndOutlinesTheWaits) {
  const std::string trace = TraceFile();
  const Image locks = Screenshot(trace, "--view locks");
  const Image timeline = Screenshot(trace, "--view timeline");
  ASSERT_EQ(locks.w, kW);
  ASSERT_EQ(locks.h, kH);
  ASSERT_EQ(timeline.w, kW);
  EXPECT_GT(Colors(locks, kPanelTop), 20);  // not blank
  // Wait-time bars in the table and the site bars, in the lock-wait colour.
  const uint32_t wait = gui::StateColor(analysis::ThreadState::kLockWait);
  EXPECT_GT(Count(locks, wait, 0, kPanelTop, kW, kH), 400);
  EXPECT_EQ(Count(timeline, wait, 0, kPanelTop, kW, kH), 0);
  // The most waited-for lock is selected: its waits are outlined on the lanes.
  EXPECT_GT(Count(locks, gui::kLockHighlight, 0, 0, kW, kPanelTop - 40), 20);
  EXPECT_EQ(Count(timeline, gui::kLockHighlight, 0, 0, kW, kH), 0);
}

TEST(PanelViews, ScopesViewDrawsTheHistogramWithPercentileMarkers) {
  const std::string trace = TraceFile();
  const Image scopes = Screenshot(trace, "--view scopes --select-scope handle_request");
  const Image timeline = Screenshot(trace, "--view timeline");
  ASSERT_EQ(scopes.w, kW);
  ASSERT_EQ(scopes.h, kH);
  EXPECT_GT(Colors(scopes, kPanelTop), 20);
  // The plot is on the right half of the panel: bars of several buckets.
  const int bars = Count(scopes, gui::kHistogramBar, kW / 2, kPanelTop, kW, kH);
  EXPECT_GT(bars, 1000);
  EXPECT_EQ(Count(scopes, gui::kHistogramBar, 0, kPanelTop, kW / 2 - 20, kH), 0);
  EXPECT_GT(Count(scopes, gui::kP50Marker, kW / 2, kPanelTop, kW, kH), 40);
  EXPECT_GT(Count(scopes, gui::kP99Marker, kW / 2, kPanelTop, kW, kH), 40);
  EXPECT_EQ(Count(timeline, gui::kHistogramBar, 0, kPanelTop, kW, kH), 0);
}

// JSON text with object keys in document order; arrays in order.
std::string Canon(const Json& j) {
  switch (j.type) {
    case Json::kNull:
      return "null";
    case Json::kBool:
      return j.b ? "true" : "false";
    case Json::kNumber:
      return j.raw_number;
    case Json::kString:
      return "\"" + j.str + "\"";
    case Json::kArray: {
      std::string s = "[";
      for (const Json& x : j.arr) s += Canon(x) + ",";
      return s + "]";
    }
    case Json::kObject: {
      std::string s = "{";
      for (const auto& [k, v] : j.obj) s += k + ":" + Canon(v) + ",";
      return s + "}";
    }
  }
  return "";
}

// The elements of an array as canonical texts, sorted (the panel's row order
// is its sort; the CLI's is its own).
std::vector<std::string> Rows(const Json& arr) {
  std::vector<std::string> v;
  for (const Json& x : arr.arr) v.push_back(Canon(x));
  std::sort(v.begin(), v.end());
  return v;
}

TEST(PanelData, EqualsTheCliJson) {
  const std::string trace = TraceFile();
  // Threads, per thread and per name.
  const Json threads = Dump(trace, "--view threads");
  ASSERT_EQ(threads.arr.size(), 4u);
  EXPECT_EQ(Rows(threads), Rows(Cli(absl::StrCat("threads ", trace, " --json"))));
  // Locks: every lock with all its call sites.
  const Json locks = Dump(trace, "--view locks");
  const Json cli_locks = Cli(absl::StrCat("locks ", trace, " --json --sites 1000"));
  ASSERT_EQ(locks["locks"].arr.size(), 2u);
  EXPECT_EQ(locks["total_wait_ns"].Int(), cli_locks["total_wait_ns"].Int());
  EXPECT_GT(locks["total_wait_ns"].Int(), 0);
  EXPECT_EQ(Rows(locks["locks"]), Rows(cli_locks["locks"]));
  // Scopes: statistics, histogram buckets and the slowest instances.
  const Json scopes = Dump(trace, "--view scopes");
  ASSERT_EQ(scopes["scopes"].arr.size(), 2u);
  EXPECT_GT(scopes["scopes"][0]["histogram"].arr.size(), 8u);
  EXPECT_EQ(Rows(scopes["scopes"]),
            Rows(Cli(absl::StrCat("scopes ", trace,
                                  " --json --slowest 20 --buckets-per-octave 4"))["scopes"]));
  // MMU: the panel's curve points.
  const Json mmu = Dump(trace, "--view mmu");
  ASSERT_EQ(mmu["points"].arr.size(), 96u);
  EXPECT_EQ(Canon(mmu), Canon(Cli(absl::StrCat("mmu ", trace, " --json --points 96"))));
}

TEST(PanelData, RangeLimitedPanelsEqualTheRangeCommand) {
  const std::string trace = TraceFile();
  const std::string range = "--range 50ms:200ms --limit-to-range";
  const Json r = Cli(absl::StrCat("range ", trace, " --from 50ms --to 200ms --json --top 1000"));
  // Threads: one row per thread alive in the range; their states sum to the range's.
  const Json threads = Dump(trace, "--view threads " + range);
  ASSERT_EQ(threads.arr.size(), static_cast<size_t>(r["threads"].Int()));
  for (const auto& [key, value] : r["states"].obj) {
    int64_t sum = 0;
    for (const Json& row : threads.arr) sum += row[key].Int();
    EXPECT_EQ(sum, value.Int()) << key;
  }
  int64_t wall = 0;
  for (const Json& row : threads.arr) wall += row["wall_ns"].Int();
  EXPECT_EQ(wall, 4 * 150 * kMs);
  // Locks: waits overlapping the range, their time inside it, the longest.
  const Json locks = Dump(trace, "--view locks " + range);
  ASSERT_EQ(locks["locks"].arr.size(), r["locks"].arr.size());
  ASSERT_GT(r["locks"].arr.size(), 0u);
  for (const Json& want : r["locks"].arr) {
    bool found = false;
    for (const Json& got : locks["locks"].arr) {
      if (got["id"].Int() != want["id"].Int()) continue;
      found = true;
      EXPECT_EQ(got["waits"].Int(), want["waits"].Int());
      EXPECT_EQ(got["total_wait_ns"].Int(), want["inside_ns"].Int());
      EXPECT_EQ(got["max_wait_ns"].Int(), want["max_wait_ns"].Int());
      EXPECT_EQ(got["cut_waits"].Int(), want["cut_waits"].Int());
      EXPECT_FALSE(got.Has("acquisitions"));  // not known for a range
    }
    EXPECT_TRUE(found) << want["name"].str;
  }
  // Scopes: the instances overlapping the range, complete or cut.
  const Json scopes = Dump(trace, "--view scopes " + range);
  ASSERT_EQ(scopes["scopes"].arr.size(), r["scopes"].arr.size());
  for (const Json& want : r["scopes"].arr) {
    bool found = false;
    for (const Json& got : scopes["scopes"].arr) {
      if (got["name"].str != want["name"].str) continue;
      found = true;
      EXPECT_EQ(got["count"].Int() + got["cut"].Int(), want["instances"].Int()) << want["name"].str;
    }
    EXPECT_TRUE(found) << want["name"].str;
  }
  // Fewer instances than the whole capture's.
  const Json all = Dump(trace, "--view scopes");
  EXPECT_LT(scopes["scopes"][0]["count"].Int(), all["scopes"][0]["count"].Int());
}

TEST(PanelData, DumpRefusesViewsWithoutATable) {
  const std::string trace = TraceFile();
  const ExecResult r = Viewer(absl::StrCat(trace, " --view info --dump-view-json ", TestFile("x.json")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no table"), std::string::npos) << r.err;
  const ExecResult bad = Viewer(absl::StrCat(trace, " --limit-to-range --frames 1"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--limit-to-range needs --range"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tracelane
