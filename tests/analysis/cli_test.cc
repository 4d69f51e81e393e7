// The analysis commands of the `tracelane` CLI, run as a user would: every
// --json output parses and carries its documented keys; bad input gives a
// non-zero exit and one line on stderr.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/analysis/json_parse.h"
#include "tests/analysis/synthetic_trace.h"

namespace tracelane {
namespace {

using testing::Json;
using testing::JsonParser;

constexpr int64_t kMs = 1000000;

struct Result {
  int code;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(absl::StrCat(::testing::TempDir(), "tracelane_cli_", getpid()));
    std::string cmd = absl::StrCat("mkdir -p '", *dir_, "'");
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    testing::SyntheticTrace tr(1 * kMs, 201 * kMs);
    tr.Property("scheduler_source", "perf");
    tr.NameObject(format::ObjectKind::kLock, 3, "db_mutex");
    const int w = tr.Thread(10, "writer");
    const int r = tr.Thread(11, "reader");
    const int g = tr.Thread(12, "gc");
    tr.Scope(w, "flush", 10 * kMs, 60 * kMs);
    tr.Hold(w, 3, 20 * kMs, 50 * kMs, true);
    for (int64_t t = 2 * kMs; t < 190 * kMs; t += 4 * kMs) {
      if (t >= 22 * kMs && t < 60 * kMs) continue;
      tr.Scope(r, "request", t, t + 1 * kMs);
    }
    tr.Scope(r, "request", 25 * kMs, 51 * kMs);
    tr.WaitHold(r, 3, 26 * kMs, 50 * kMs, 50500000, 10);
    tr.Stw(g, "gc_pause", 100 * kMs, 110 * kMs);
    const std::string bytes = tr.Encode();
    std::ofstream(Path("t.tlt"), std::ios::binary) << bytes;
    std::ofstream(Path("garbage.tlt"), std::ios::binary) << "this is not a trace at all, sorry!";
    std::ofstream(Path("trunc.tlt"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  static std::string Path(const std::string& name) { return absl::StrCat(*dir_, "/", name); }

  static Result Exec(const std::string& args) {
    const std::string err_path = Path("stderr.txt");
    const std::string cmd = absl::StrCat(TRACELANE_CLI_PATH, " ", args, " 2>'", err_path, "'");
    FILE* pipe = popen(cmd.c_str(), "r");
    Result r{-1, "", ""};
    if (pipe == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) r.out.append(buf, n);
    const int status = pclose(pipe);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream f(err_path);
    r.err.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return r;
  }

  static Json MustJson(const std::string& args) {
    const Result r = Exec(args);
    EXPECT_EQ(r.code, 0) << args << ": " << r.err;
    Json j;
    std::string err;
    EXPECT_TRUE(JsonParser::Parse(r.out, &j, &err)) << args << ": " << err << "\n" << r.out;
    return j;
  }

  static std::string* dir_;
};

std::string* CliTest::dir_ = nullptr;

TEST_F(CliTest, ThreadsJsonIsAListWithStateKeys) {
  const Json j = MustJson(absl::StrCat("threads ", Path("t.tlt"), " --json"));
  ASSERT_EQ(j.type, Json::kArray);
  ASSERT_EQ(j.arr.size(), 3u);
  for (const Json& t : j.arr) {
    for (const char* k :
         {"name", "tid", "wall_ns", "non_running_ns", "running_ns", "runnable_ns", "lock_wait_ns",
          "condvar_wait_ns", "io_wait_ns", "sleep_ns", "syscall_ns", "paused_ns", "unknown_ns"}) {
      EXPECT_TRUE(t.Has(k)) << k;
    }
    int64_t sum = 0;
    for (const char* k : {"running_ns", "runnable_ns", "lock_wait_ns", "condvar_wait_ns",
                          "io_wait_ns", "sleep_ns", "syscall_ns", "paused_ns", "unknown_ns"}) {
      sum += t[k].Int();
    }
    EXPECT_EQ(sum, t["wall_ns"].Int());
  }
  const Json g = MustJson(absl::StrCat("threads ", Path("t.tlt"), " --json --by-name"));
  ASSERT_EQ(g.type, Json::kArray);
  EXPECT_TRUE(g[0].Has("threads"));
}

TEST_F(CliTest, MmuJsonShapes) {
  const Json curve = MustJson(absl::StrCat("mmu ", Path("t.tlt"), " --json --points 12"));
  ASSERT_TRUE(curve.Has("points"));
  ASSERT_GE(curve["points"].arr.size(), 10u);
  EXPECT_EQ(curve["points"][0]["window_ns"].Int(), 1000);
  EXPECT_TRUE(curve["points"][0].Has("mmu"));
  const Json one = MustJson(absl::StrCat("mmu ", Path("t.tlt"), " --window 10ms --json"));
  EXPECT_EQ(one["window_ns"].Int(), 10 * kMs);
  EXPECT_NEAR(one["mmu"].num, 0.0, 1e-9);  // the 10 ms stop-the-world
  ASSERT_FALSE(one["worst"].arr.empty());
  EXPECT_EQ(one["worst"][0]["start_ns"].Int(), 100 * kMs);
  EXPECT_TRUE(one["worst"][0].Has("utilization"));
  const Json us = MustJson(absl::StrCat("mmu ", Path("t.tlt"), " --window 20000us --json"));
  EXPECT_EQ(us["window_ns"].Int(), 20 * kMs);
  EXPECT_NEAR(us["mmu"].num, 0.5, 1e-9);
}

TEST_F(CliTest, ExplainNamesTheLockAndHolder) {
  const Json j =
      MustJson(absl::StrCat("explain ", Path("t.tlt"), " --scope request --rank 1 --json"));
  EXPECT_EQ(j["scope"].str, "request");
  EXPECT_EQ(j["wall_ns"].Int(), 26 * kMs);
  EXPECT_EQ(j["dominant"]["kind"].str, "lock_wait");
  EXPECT_EQ(j["dominant"]["what"].str, "db_mutex");
  EXPECT_EQ(j["dominant"]["other_thread"].str, "writer");
  EXPECT_EQ(j["dominant"]["other_tid"].Int(), 10);
  EXPECT_EQ(j["dominant"]["other_scope"].str, "flush");
  EXPECT_EQ(j["states"]["lock_wait_ns"].Int(), 24 * kMs);
  const Result text = Exec(absl::StrCat("explain ", Path("t.tlt"), " --scope request"));
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("dominant cause: lock wait on \"db_mutex\" held by writer [10] in "
                          "\"flush\""),
            std::string::npos)
      << text.out;
}

// The chain is a list in JSON; `why` aggregates the tail's causes; summary ends
// with the same section.
TEST_F(CliTest, ExplainChainAndWhy) {
  const Json e =
      MustJson(absl::StrCat("explain ", Path("t.tlt"), " --scope request --rank 1 --json"));
  const Json& d = e["dominant"];
  ASSERT_EQ(d["chain"].arr.size(), 1u);
  EXPECT_EQ(d["chain"][0]["via"].str, "lock_wait");
  EXPECT_EQ(d["chain"][0]["what"].str, "db_mutex");
  EXPECT_EQ(d["chain"][0]["thread"].str, "writer");
  EXPECT_EQ(d["chain"][0]["tid"].Int(), 10);
  EXPECT_EQ(d["chain"][0]["scope"].str, "flush");
  EXPECT_EQ(d["root"]["thread"].str, "writer");
  EXPECT_EQ(d["root"]["kind"].str, "running");
  EXPECT_EQ(d["root"]["end"].str, "root");
  EXPECT_EQ(d["confidence"].Int(), 100);
  int64_t parts = 0;
  for (const Json& p : e["parts"].arr) parts += p["duration_ns"].Int();
  EXPECT_EQ(parts, e["wall_ns"].Int());
  ASSERT_EQ(e["running"].arr.size(), 1u);
  EXPECT_EQ(e["running"][0]["kind"].str, "running");
  EXPECT_TRUE(e["running"][0]["self"].b);

  const Json w =
      MustJson(absl::StrCat("why ", Path("t.tlt"), " --scope request --above 20ms --json"));
  EXPECT_EQ(w["above"].Int(), 1);
  EXPECT_EQ(w["threshold_ns"].Int(), 20 * kMs);
  EXPECT_EQ(w["total_ns"].Int(), 26 * kMs);
  ASSERT_GE(w["causes"].arr.size(), 2u);
  const Json& c = w["causes"][0];
  EXPECT_EQ(c["summary"].str, "lock wait on \"db_mutex\" held by writer in \"flush\"");
  ASSERT_EQ(c["roots"].arr.size(), 1u);
  EXPECT_EQ(c["roots"][0]["root"].str, "running");
  EXPECT_NEAR(c["fraction"].num, 24.0 / 26.0, 1e-9);
  EXPECT_EQ(c["instances"].Int(), 1);
  EXPECT_EQ(c["example"]["kind"].str, "lock_wait");
  ASSERT_EQ(c["examples"].arr.size(), 1u);
  EXPECT_EQ(c["examples"][0]["wall_ns"].Int(), 26 * kMs);
  const Result text = Exec(absl::StrCat("why ", Path("t.tlt"), " --scope request"));
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("lock wait on \"db_mutex\" held by writer in \"flush\""),
            std::string::npos)
      << text.out;
  const Json s = MustJson(absl::StrCat("summary ", Path("t.tlt"), " --json"));
  EXPECT_EQ(s["why"]["scope"].str, "request");
  for (const char* bad :
       {" --scope request --above p0", " --scope request --above fast", " --scope nope", ""}) {
    const Result r = Exec(absl::StrCat("why ", Path("t.tlt"), bad));
    EXPECT_EQ(r.code, 1) << bad;
    EXPECT_NE(r.err.find("tracelane: "), std::string::npos) << bad << ": " << r.err;
  }
}

TEST_F(CliTest, ScopesLocksSummaryAndExportJson) {
  const Json s = MustJson(absl::StrCat("scopes ", Path("t.tlt"), " --name request --json"));
  ASSERT_EQ(s["scopes"].arr.size(), 1u);
  const Json& r = s["scopes"][0];
  for (const char* k : {"count", "total_ns", "mean_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns",
                        "max_ns", "histogram", "slowest"}) {
    EXPECT_TRUE(r.Has(k)) << k;
  }
  EXPECT_EQ(r["max_ns"].Int(), 26 * kMs);
  EXPECT_EQ(r["slowest"][0]["thread"].str, "reader");
  const Json l = MustJson(absl::StrCat("locks ", Path("t.tlt"), " --json"));
  ASSERT_EQ(l["locks"].arr.size(), 1u);
  EXPECT_EQ(l["locks"][0]["name"].str, "db_mutex");
  EXPECT_EQ(l["locks"][0]["holding_sites"][0]["name"].str, "flush");
  EXPECT_EQ(l["total_wait_ns"].Int(), 24 * kMs);
  const Json sum = MustJson(absl::StrCat("summary ", Path("t.tlt"), " --json"));
  for (const char* k : {"capture", "states", "threads", "locks", "pauses", "mmu", "scopes"}) {
    EXPECT_TRUE(sum.Has(k)) << k;
  }
  EXPECT_EQ(sum["mmu"].arr.size(), 3u);
  EXPECT_EQ(sum["pauses"]["stw_count"].Int(), 1);
  const Json e = MustJson(
      absl::StrCat("export ", Path("t.tlt"), " --pprof sync ", Path("sync.pb.gz"), " --json"));
  EXPECT_EQ(e["total_ns"].Int(), 24 * kMs);
  const Json c =
      MustJson(absl::StrCat("export ", Path("t.tlt"), " --chrome ", Path("t.json"), " --json"));
  EXPECT_EQ(c["format"].str, "chrome");
  std::ifstream f(Path("t.json"));
  const std::string chrome((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  Json parsed;
  std::string err;
  EXPECT_TRUE(JsonParser::Parse(chrome, &parsed, &err)) << err;
}

TEST_F(CliTest, RangeReportsStatesScopesAndLocksInTheRange) {
  // Offsets from the capture start (1 ms): [21, 61) ms absolute. flush [10,60),
  // the long request [25,51) waiting on db_mutex [26,50).
  const Json j =
      MustJson(absl::StrCat("range ", Path("t.tlt"), " --from 20ms --to 60ms --json --top 5"));
  EXPECT_EQ(j["from_ns"].Int(), 21 * kMs);
  EXPECT_EQ(j["to_ns"].Int(), 61 * kMs);
  EXPECT_EQ(j["offset_ns"].Int(), 20 * kMs);
  EXPECT_EQ(j["duration_ns"].Int(), 40 * kMs);
  EXPECT_EQ(j["threads"].Int(), 3);
  EXPECT_EQ(j["states"]["lock_wait_ns"].Int(), 24 * kMs);
  EXPECT_EQ(j["states"]["running_ns"].Int(), 96 * kMs);
  ASSERT_EQ(j["scopes"].arr.size(), 2u);
  EXPECT_EQ(j["scopes"][0]["name"].str, "flush");
  EXPECT_EQ(j["scopes"][0]["inside_ns"].Int(), 39 * kMs);
  EXPECT_EQ(j["scopes"][1]["name"].str, "request");
  EXPECT_EQ(j["scopes"][1]["instances"].Int(), 1);
  ASSERT_EQ(j["locks"].arr.size(), 1u);
  EXPECT_EQ(j["locks"][0]["name"].str, "db_mutex");
  EXPECT_EQ(j["locks"][0]["id"].Int(), 3);
  EXPECT_EQ(j["locks"][0]["waits"].Int(), 1);
  EXPECT_EQ(j["locks"][0]["inside_ns"].Int(), 24 * kMs);
  EXPECT_EQ(j["locks"][0]["max_wait_ns"].Int(), 24 * kMs);
  // One thread: the reader.
  const Json r =
      MustJson(absl::StrCat("range ", Path("t.tlt"), " --from 20ms --to 60ms --tid 11 --json"));
  EXPECT_EQ(r["threads"].Int(), 1);
  ASSERT_EQ(r["scopes"].arr.size(), 1u);
  EXPECT_EQ(r["scopes"][0]["name"].str, "request");
  // Defaults: the whole capture.
  const Json all = MustJson(absl::StrCat("range ", Path("t.tlt"), " --json"));
  EXPECT_EQ(all["duration_ns"].Int(), 200 * kMs);
  const Result text = Exec(absl::StrCat("range ", Path("t.tlt"), " --from 20ms --to 60ms"));
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("range +0.020000 s .. +0.060000 s  (40.000 ms)  3 threads"),
            std::string::npos)
      << text.out;
  for (const std::string& bad : {absl::StrCat("range ", Path("t.tlt"), " --from 20ms --to 10ms"),
                                 absl::StrCat("range ", Path("t.tlt"), " --tid 99"),
                                 absl::StrCat("range ", Path("t.tlt"), " --from 5x")}) {
    const Result b = Exec(bad);
    EXPECT_EQ(b.code, 1) << bad;
    EXPECT_TRUE(b.out.empty()) << bad;
    EXPECT_EQ(b.err.rfind("tracelane: ", 0), 0u) << bad << ": " << b.err;
  }
}

// Instances cut by the capture window are counted, never ranked: the longest
// "request" here began before the capture (a 40 ms lower bound), so the 2 ms one
// is the slowest in summary, scopes and explain.
TEST_F(CliTest, CutInstancesAreCountedNotRanked) {
  testing::SyntheticTrace tr(1 * kMs, 101 * kMs);
  const int w = tr.Thread(20, "worker");
  tr.At(w, 41 * kMs, format::EventType::kScopeEnd, "request");
  tr.Scope(w, "request", 50 * kMs, 51 * kMs);
  tr.Scope(w, "request", 60 * kMs, 62 * kMs);
  std::ofstream(Path("cut.tlt"), std::ios::binary) << tr.Encode();
  const Json s = MustJson(absl::StrCat("scopes ", Path("cut.tlt"), " --name request --json"));
  ASSERT_EQ(s["scopes"].arr.size(), 1u);
  EXPECT_EQ(s["scopes"][0]["count"].Int(), 2);
  EXPECT_EQ(s["scopes"][0]["cut"].Int(), 1);
  EXPECT_EQ(s["scopes"][0]["max_ns"].Int(), 2 * kMs);
  EXPECT_EQ(s["scopes"][0]["slowest"][0]["duration_ns"].Int(), 2 * kMs);
  const Json sum = MustJson(absl::StrCat("summary ", Path("cut.tlt"), " --json"));
  EXPECT_EQ(sum["scopes"][0]["max_ns"].Int(), 2 * kMs);
  EXPECT_EQ(sum["scopes"][0]["cut"].Int(), 1);
  const Json e =
      MustJson(absl::StrCat("explain ", Path("cut.tlt"), " --scope request --rank 1 --json"));
  EXPECT_EQ(e["wall_ns"].Int(), 2 * kMs);
  EXPECT_EQ(e["instances"].Int(), 2);
  EXPECT_EQ(e["cut_instances"].Int(), 1);
  EXPECT_FALSE(e["cut"].b);
  for (const char* cmd : {"summary", "scopes", "explain"}) {
    const std::string args = absl::StrCat(cmd, " ", Path("cut.tlt"),
                                          std::string(cmd) == "explain" ? " --scope request" : "");
    const Result r = Exec(args);
    EXPECT_EQ(r.code, 0) << args << ": " << r.err;
    EXPECT_NE(r.out.find("1 cut by the capture window, not ranked"), std::string::npos)
        << args << ":\n"
        << r.out;
    EXPECT_EQ(r.out.find("40.000 ms"), std::string::npos) << args << ":\n" << r.out;
  }
  const Result out_of_range =
      Exec(absl::StrCat("explain ", Path("cut.tlt"), " --scope request --rank 3"));
  EXPECT_EQ(out_of_range.code, 1);
  EXPECT_NE(out_of_range.err.find("has 2 complete instances (1 cut"), std::string::npos)
      << out_of_range.err;
}

TEST_F(CliTest, TextOutputsAndHelp) {
  for (const char* cmd : {"summary", "threads", "scopes", "locks", "mmu"}) {
    const Result r = Exec(absl::StrCat(cmd, " ", Path("t.tlt")));
    EXPECT_EQ(r.code, 0) << cmd << ": " << r.err;
    EXPECT_FALSE(r.out.empty()) << cmd;
    const Result h = Exec(absl::StrCat(cmd, " --help"));
    EXPECT_EQ(h.code, 0) << cmd;
    EXPECT_NE(h.out.find("usage: tracelane"), std::string::npos) << cmd;
  }
  for (const char* cmd : {"explain", "export"}) {
    EXPECT_EQ(Exec(absl::StrCat(cmd, " --help")).code, 0) << cmd;
  }
}

TEST_F(CliTest, BadInputFailsWithOneLine) {
  const std::string t = Path("t.tlt");
  const std::vector<std::string> bad = {
      "threads",                                       // missing FILE
      absl::StrCat("threads ", Path("missing.tlt")),   // no such file
      absl::StrCat("summary ", Path("garbage.tlt")),   // not a trace
      absl::StrCat("locks ", Path("trunc.tlt")),       // truncated
      absl::StrCat("mmu ", t, " --window 10parsecs"),  // bad duration
      absl::StrCat("mmu ", t, " --points zero"),       // bad integer
      absl::StrCat("scopes ", t, " --bogus"),          // unknown flag
      absl::StrCat("scopes ", t, " --name nothing"),   // unknown scope
      absl::StrCat("explain ", t),                     // missing --scope
      absl::StrCat("explain ", t, " --scope request --rank 100000"),
      absl::StrCat("explain ", t, " --scope request --rank 0"),
      absl::StrCat("export ", t),  // no format
      absl::StrCat("export ", t, " --pprof cpu ", Path("x.pb.gz")),
      absl::StrCat("export ", t, " --pprof sync"),  // no output
      absl::StrCat("export ", t, " --chrome /nonexistent-dir/x.json"),
      absl::StrCat("threads ", t, " extra-arg"),
  };
  for (const std::string& args : bad) {
    const Result r = Exec(args);
    EXPECT_NE(r.code, 0) << args;
    EXPECT_TRUE(r.out.empty()) << args << ": " << r.out;
    ASSERT_FALSE(r.err.empty()) << args;
    EXPECT_EQ(r.err.rfind("tracelane: ", 0), 0u) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
  // The truncated file is readable with --salvage.
  EXPECT_EQ(Exec(absl::StrCat("threads ", Path("trunc.tlt"), " --salvage --json")).code, 0);
}

}  // namespace
}  // namespace tracelane
