// Exports: the Chrome trace JSON parses, every thread's complete events nest
// properly and flows pair up; the pprof profiles decode (with libprotobuf and
// with `go tool pprof` when Go is installed) and their totals equal the analysis.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/analysis/json_parse.h"
#include "tests/analysis/random_trace.h"
#include "tests/analysis/synthetic_trace.h"
#include "tests/analysis/test_support.h"
#include "viewer/analysis/chrome_export.h"
#include "viewer/analysis/pprof_export.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/proto/profile.pb.h"

namespace tracelane::analysis {
namespace {

using testing::Json;
using testing::JsonParser;

constexpr int64_t kMs = 1000000;

std::string TempPath(const std::string& name) {
  return absl::StrCat(::testing::TempDir(), "tracelane_analysis_", getpid(), "_", name);
}

// "123.456" (microseconds) -> 123456 ns, exactly.
int64_t MicrosToNs(const Json& v) {
  const std::string& s = v.raw_number;
  const size_t dot = s.find('.');
  int64_t whole = 0, frac = 0;
  EXPECT_TRUE(absl::SimpleAtoi(s.substr(0, dot), &whole)) << s;
  if (dot != std::string::npos) {
    std::string f = s.substr(dot + 1);
    EXPECT_LE(f.size(), 3u) << s;
    f.resize(3, '0');
    EXPECT_TRUE(absl::SimpleAtoi(f, &frac)) << s;
  }
  return whole * 1000 + frac;
}

// Checks the Chrome trace: returns "" or the first problem.
std::string CheckChrome(const Json& root, size_t* x_events, size_t* flows) {
  if (root.type != Json::kObject || !root.Has("traceEvents")) return "no traceEvents";
  const Json& evs = root["traceEvents"];
  if (evs.type != Json::kArray) return "traceEvents is not an array";
  struct X {
    int64_t ts, dur;
    size_t order;
  };
  std::map<std::pair<int64_t, int64_t>, std::vector<X>> tracks;
  std::set<std::pair<int64_t, int64_t>> named;
  std::map<int64_t, int> flow_ids;
  for (size_t i = 0; i < evs.arr.size(); ++i) {
    const Json& e = evs[i];
    const std::string ph = e["ph"].str;
    if (!e.Has("pid") || !e.Has("ts") || !e.Has("name"))
      return absl::StrCat("event ", i, " lacks keys");
    const auto key = std::make_pair(e["pid"].Int(), e.Has("tid") ? e["tid"].Int() : -1);
    if (ph == "M") {
      if (e["name"].str == "thread_name") named.insert(key);
    } else if (ph == "X") {
      if (!e.Has("dur")) return absl::StrCat("X event ", i, " without dur");
      const int64_t dur = MicrosToNs(e["dur"]);
      if (dur < 0) return "negative duration";
      tracks[key].push_back(X{MicrosToNs(e["ts"]), dur, i});
    } else if (ph == "s") {
      flow_ids[e["id"].Int()] |= 1;
    } else if (ph == "f") {
      flow_ids[e["id"].Int()] |= 2;
      if (e["bp"].str != "e") return "flow end without bp=e";
    } else {
      return absl::StrCat("unexpected phase ", ph);
    }
  }
  *x_events = 0;
  for (auto& [key, xs] : tracks) {
    if (!named.contains(key)) return absl::StrCat("track ", key.second, " has no thread_name");
    *x_events += xs.size();
    std::stable_sort(xs.begin(), xs.end(), [](const X& a, const X& b) {
      return a.ts != b.ts ? a.ts < b.ts : a.dur > b.dur;
    });
    std::vector<int64_t> ends;  // open events' end times
    for (const X& x : xs) {
      while (!ends.empty() && ends.back() <= x.ts) ends.pop_back();
      if (!ends.empty() && x.ts + x.dur > ends.back()) {
        return absl::StrCat("track ", key.second, ": event ", x.order, " [", x.ts, ", ",
                            x.ts + x.dur, ") overlaps its enclosing event ending at ", ends.back());
      }
      ends.push_back(x.ts + x.dur);
    }
  }
  for (const auto& [id, bits] : flow_ids) {
    if (bits != 3) return absl::StrCat("flow ", id, " is not paired");
  }
  *flows = flow_ids.size();
  return "";
}

std::string PlantedTrace() {
  testing::SyntheticTrace tr(1 * kMs, 101 * kMs);
  tr.Property("scheduler_source", "perf");
  tr.NameObject(format::ObjectKind::kLock, 5, "queue \"lock\"\n");  // needs escaping
  const int a = tr.Thread(10, "producer");
  const int b = tr.Thread(11, "consumer");
  tr.Scope(a, "produce", 2 * kMs, 50 * kMs);
  tr.Scope(a, "fill", 3 * kMs, 20 * kMs);
  tr.Hold(a, 5, 4 * kMs, 19 * kMs, true);
  tr.Scope(b, "consume", 2 * kMs, 60 * kMs);
  tr.WaitHold(b, 5, 5 * kMs, 19 * kMs, 21 * kMs, 10);
  tr.RawArg(b, 30 * kMs, format::EventType::kCondWait, 8, 0);
  tr.RawArg(a, 35 * kMs, format::EventType::kCondNotify, 8, 0);
  tr.RawArg(b, 36 * kMs, format::EventType::kCondWake, 8, 10);
  tr.SchedOut(b, 40 * kMs, true);
  tr.SchedIn(b, 42 * kMs);
  tr.Pause(a, "alloc", 45 * kMs, 46 * kMs);
  tr.Stw(a, "gc", 70 * kMs, 75 * kMs);
  return tr.Encode();
}

TEST(ChromeExportTest, ParsesAndNestsAndHasFlows) {
  const Model m = testing::MustLoad(PlantedTrace());
  std::ostringstream out;
  ChromeExportStats st;
  ASSERT_TRUE(WriteChromeTrace(m, out, &st).ok());
  Json root;
  std::string err;
  ASSERT_TRUE(JsonParser::Parse(out.str(), &root, &err)) << err;
  size_t xs = 0, flows = 0;
  EXPECT_EQ(CheckChrome(root, &xs, &flows), "");
  EXPECT_EQ(flows, 2u);  // lock handoff + condvar wake
  EXPECT_EQ(st.flows, 2u);
  EXPECT_GT(xs, 8u);
  EXPECT_EQ(st.bytes, out.str().size());
  // The lock wait slice names the lock and its holder.
  bool found = false;
  for (const Json& e : root["traceEvents"].arr) {
    if (e["name"].str == "lock wait: queue \"lock\"\n") {
      found = true;
      EXPECT_EQ(e["args"]["holder"].str, "producer [10]");
      EXPECT_EQ(e["args"]["holder_scope"].str, "fill");
      EXPECT_EQ(MicrosToNs(e["dur"]), 14 * kMs);
    }
  }
  EXPECT_TRUE(found);
  // Flows name the lock and the holder's scope over the hold, and the condvar.
  size_t handoffs = 0, wakes = 0;
  for (const Json& e : root["traceEvents"].arr) {
    if (e["ph"].str != "s") continue;
    handoffs += e["name"].str == "lock handoff: queue \"lock\"\n (held in fill)";
    wakes += e["name"].str == "condvar wake: condvar 0x8";
  }
  EXPECT_EQ(handoffs, 1u);
  EXPECT_EQ(wakes, 1u);
}

TEST(ChromeExportTest, RandomTracesParseAndNest) {
  for (int seed = 1; seed <= 8; ++seed) {
    const Model m = testing::MustLoad(testing::RandomTrace(seed));
    std::ostringstream out;
    ASSERT_TRUE(WriteChromeTrace(m, out).ok());
    Json root;
    std::string err;
    ASSERT_TRUE(JsonParser::Parse(out.str(), &root, &err)) << "seed " << seed << ": " << err;
    size_t xs = 0, flows = 0;
    EXPECT_EQ(CheckChrome(root, &xs, &flows), "") << "seed " << seed;
  }
}

std::string Gunzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  std::string out;
  char buf[65536];
  int n;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, n);
  gzclose(f);
  return out;
}

int64_t StateTotal(const Model& m, PprofKind kind) {
  const StateDurations d = TotalStates(m);
  int64_t total = 0;
  for (ThreadState s : PprofStates(kind)) total += Get(d, s);
  return total;
}

TEST(PprofExportTest, ProfilesDecodeAndTotalsMatchTheAnalysis) {
  const Model m = testing::MustLoad(PlantedTrace());
  for (PprofKind kind : {PprofKind::kSync, PprofKind::kSched, PprofKind::kPause}) {
    const std::string path = TempPath("profile.pb.gz");
    PprofStats st;
    ASSERT_TRUE(WritePprofFile(m, kind, path, &st).ok());
    perftools::profiles::Profile p;
    ASSERT_TRUE(p.ParseFromString(Gunzip(path)));
    std::remove(path.c_str());
    ASSERT_GT(p.string_table_size(), 0);
    EXPECT_EQ(p.string_table(0), "");
    ASSERT_EQ(p.sample_type_size(), 2);
    EXPECT_EQ(p.string_table(p.sample_type(1).type()), "delay");
    EXPECT_EQ(p.string_table(p.sample_type(1).unit()), "nanoseconds");
    std::set<uint64_t> ids;
    for (const auto& l : p.location()) ids.insert(l.id());
    int64_t total = 0;
    for (const auto& s : p.sample()) {
      total += s.value(1);
      ASSERT_GT(s.location_id_size(), 0);
      for (uint64_t id : s.location_id()) EXPECT_TRUE(ids.contains(id));
    }
    EXPECT_EQ(total, PprofTotal(m, kind));
    EXPECT_EQ(total, StateTotal(m, kind));
    EXPECT_EQ(st.total_ns, total);
    EXPECT_GT(total, 0);
  }
  // sync = 14 ms lock wait + 6 ms condvar; sched = 2 ms; pause = 1 ms own + 2 x 5 ms stw.
  EXPECT_EQ(PprofTotal(m, PprofKind::kSync), 20 * kMs);
  EXPECT_EQ(PprofTotal(m, PprofKind::kSched), 2 * kMs);
  EXPECT_EQ(PprofTotal(m, PprofKind::kPause), 11 * kMs);
}

TEST(PprofExportTest, StacksFollowTheScopeNesting) {
  const Model m = testing::MustLoad(PlantedTrace());
  perftools::profiles::Profile p;
  ASSERT_TRUE(p.ParseFromString(BuildPprofProfile(m, PprofKind::kSync)));
  std::map<uint64_t, std::string> names;
  for (const auto& f : p.function()) names[f.id()] = p.string_table(f.name());
  bool lock_stack = false;
  for (const auto& s : p.sample()) {
    std::vector<std::string> stack;
    for (uint64_t id : s.location_id()) stack.push_back(names[id]);  // location id == function id
    if (stack.front() == "lock wait: queue \"lock\"\n") {
      lock_stack = true;
      EXPECT_EQ(stack.size(), 2u);
      EXPECT_EQ(stack[1], "consume");
      EXPECT_EQ(s.value(1), 14 * kMs);
    }
  }
  EXPECT_TRUE(lock_stack);
}

// `go tool pprof` decodes the profile and reports the same total.
TEST(PprofExportTest, GoToolPprofReadsTheProfile) {
  const std::string go = TRACELANE_GO_EXECUTABLE;
  if (go.empty() || access(go.c_str(), X_OK) != 0) GTEST_SKIP() << "go not installed";
  const Model planted = testing::MustLoad(PlantedTrace());
  const Model random = testing::MustLoad(testing::RandomTrace(3));
  for (const auto& [m, kind] : {std::pair<const Model&, PprofKind>{planted, PprofKind::kSync},
                                {planted, PprofKind::kSched},
                                {planted, PprofKind::kPause},
                                {random, PprofKind::kSync},
                                {random, PprofKind::kSched},
                                {random, PprofKind::kPause}}) {
    const std::string path = TempPath("go.pb.gz");
    ASSERT_TRUE(WritePprofFile(m, kind, path).ok());
    const std::string cmd = absl::StrCat("HOME=", ::testing::TempDir(), " ", go,
                                         " tool pprof -top -unit=ns '", path, "' 2>&1");
    FILE* pipe = popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
    const int rc = pclose(pipe);
    std::remove(path.c_str());
    ASSERT_EQ(rc, 0) << output;
    // "Showing nodes accounting for 123ns, 100% of 123ns total" ("0 total" if empty)
    const size_t of = output.find("% of ");
    ASSERT_NE(of, std::string::npos) << output;
    const size_t end = output.find(" total", of);
    ASSERT_NE(end, std::string::npos) << output;
    std::string number = output.substr(of + 5, end - of - 5);
    if (number.size() > 2 && number.substr(number.size() - 2) == "ns")
      number.resize(number.size() - 2);
    int64_t total = -1;
    ASSERT_TRUE(absl::SimpleAtoi(number, &total)) << output;
    EXPECT_EQ(total, PprofTotal(m, kind)) << output;
    if (&m == &planted) {
      EXPECT_GT(total, 0);
    }
  }
}

}  // namespace
}  // namespace tracelane::analysis
