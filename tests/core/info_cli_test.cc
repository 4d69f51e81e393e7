// `tracelane info`, run as a user would: from the footer it prints exactly what a
// scan of every block prints; a truncated file falls back and says so; on a large
// file it takes milliseconds and a few MB (peak RSS of the child process, measured
// with wait4).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/analysis/json_parse.h"
#include "tests/core/test_util.h"
#include "tests/core/tlt_builder.h"
#include "tracelane/tracelane.h"

namespace tracelane {
namespace {

using testing::Json;
using testing::JsonParser;
using testing::ScopedFile;
using testing::TempPath;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
  long max_rss_kb = 0;
  absl::Duration wall;
};

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// Runs the CLI with `args`, capturing stdout, stderr, exit code and peak RSS.
CliRun Cli(const std::vector<std::string>& args) {
  const std::string out_path = TempPath("info_cli_out.txt");
  const std::string err_path = TempPath("info_cli_err.txt");
  std::vector<std::string> argv_s = {TRACELANE_CLI_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  CliRun r;
  const absl::Time start = absl::Now();
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) return r;
  r.wall = absl::Now() - start;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.max_rss_kb = ru.ru_maxrss;
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return r;
}

Json MustJson(const CliRun& r) {
  EXPECT_EQ(r.code, 0) << r.err;
  Json j;
  std::string error;
  EXPECT_TRUE(JsonParser::Parse(r.out, &j, &error)) << error << "\n" << r.out;
  return j;
}

// A real capture: three threads of nested scopes and counters, several blocks each.
const std::string& Capture() {
  static const std::string* bytes = [] {
    EXPECT_TRUE(Configure(RecorderOptions{}).ok());
    std::vector<std::thread> threads;
    for (int k = 0; k < 3; ++k) {
      threads.emplace_back([k] {
        TRACE_THREAD_NAME(("info-" + std::to_string(k)).c_str());
        for (int i = 0; i < 30000 + 5000 * k; ++i) {
          TRACE_SCOPE("outer");
          TRACE_COUNTER("i", i);
          TRACE_SCOPE();
        }
      });
    }
    for (auto& t : threads) t.join();
    std::ostringstream out;
    EXPECT_TRUE(WriteTrace(out).ok());
    return new std::string(out.str());
  }();
  return *bytes;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(InfoCliTest, FooterAnswerIsWhatAScanPrints) {
  ScopedFile file(TempPath("info_cli.tlt"));
  WriteFile(file.path(), Capture());
  const CliRun text = Cli({"info", file.path()});
  const CliRun scanned = Cli({"info", file.path(), "--scan"});
  ASSERT_EQ(text.code, 0) << text.err;
  ASSERT_EQ(scanned.code, 0) << scanned.err;
  EXPECT_EQ(text.out, scanned.out);
  EXPECT_EQ(text.out.find("note:"), std::string::npos) << text.out;
  const std::vector<std::string> lines = absl::StrSplit(text.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 10u) << text.out;
  for (const char* prefix : {"file ", "process ", "duration ", "threads ", "events ", "dropped ",
                             "overwritten ", "clock ", "scheduler data ", "bytes/event "}) {
    bool found = false;
    for (const std::string& l : lines) found |= l.rfind(prefix, 0) == 0;
    EXPECT_TRUE(found) << prefix;
  }

  const Json j = MustJson(Cli({"info", file.path(), "--json"}));
  const Json s = MustJson(Cli({"info", file.path(), "--json", "--scan"}));
  EXPECT_EQ(j["source"].str, "footer");
  EXPECT_EQ(j["scan_reason"].str, "");
  EXPECT_EQ(s["source"].str, "scan");
  ASSERT_EQ(j.obj.size(), s.obj.size());
  for (size_t i = 0; i < j.obj.size(); ++i) {
    const auto& [key, value] = j.obj[i];
    EXPECT_EQ(key, s.obj[i].first);
    if (key == "source" || key == "scan_reason") continue;
    EXPECT_EQ(value.raw_number, s.obj[i].second.raw_number) << key;
    EXPECT_EQ(value.str, s.obj[i].second.str) << key;
    EXPECT_EQ(value.b, s.obj[i].second.b) << key;
  }
  for (const char* k :
       {"file", "duration_ns", "threads", "events", "dropped", "overwritten", "bytes_per_event",
        "file_bytes", "clock_source", "tsc_hz", "pid", "process_name", "scheduler_source",
        "start_realtime_ns", "complete", "source", "scan_reason", "warnings"}) {
    EXPECT_TRUE(j.Has(k)) << k;
  }
  EXPECT_TRUE(j["complete"].b);
  EXPECT_GT(j["events"].Int(), 3 * 30000 * 5);
  EXPECT_GT(j["duration_ns"].Int(), 0);
}

TEST(InfoCliTest, TruncatedFileFallsBackAndSaysSo) {
  ScopedFile file(TempPath("info_cli_trunc.tlt"));
  const std::string& bytes = Capture();
  WriteFile(file.path(), bytes.substr(0, bytes.size() - 10));
  const CliRun strict = Cli({"info", file.path()});
  EXPECT_EQ(strict.code, 1);
  EXPECT_TRUE(strict.out.empty()) << strict.out;
  EXPECT_EQ(strict.err.rfind(absl::StrCat("tracelane: ", file.path(), ": offset "), 0), 0u)
      << strict.err;
  EXPECT_NE(strict.err.find("--salvage"), std::string::npos) << strict.err;

  const CliRun salvaged = Cli({"info", file.path(), "--salvage"});
  ASSERT_EQ(salvaged.code, 0) << salvaged.err;
  EXPECT_NE(salvaged.out.find("[INCOMPLETE: salvaged]"), std::string::npos) << salvaged.out;
  EXPECT_NE(salvaged.out.find("\nnote: footer missing or damaged (offset "), std::string::npos)
      << salvaged.out;
  EXPECT_NE(salvaged.out.find("; counted by decoding every block\n"), std::string::npos)
      << salvaged.out;
  EXPECT_NE(salvaged.err.find("tracelane: warning: "), std::string::npos) << salvaged.err;
  const Json j = MustJson(Cli({"info", file.path(), "--salvage", "--json"}));
  EXPECT_EQ(j["source"].str, "scan");
  EXPECT_EQ(j["scan_reason"].str.rfind("footer missing or damaged", 0), 0u) << j["scan_reason"].str;
  EXPECT_FALSE(j["complete"].b);
  EXPECT_FALSE(j["warnings"].arr.empty());
}

// 64 MB of event blocks (a real capture's blocks, repeated): `info` reads ~1 KB of
// each MB and holds none of it.
TEST(InfoCliTest, LargeFileInMillisecondsAndAFewMegabytes) {
  const std::string& bytes = Capture();
  std::vector<std::pair<uint64_t, uint64_t>> event_blocks;  // [offset, end)
  uint64_t footer_offset = 0;
  for (uint64_t off = 72; off + 24 <= bytes.size();) {
    uint16_t type;
    uint32_t stored;
    std::memcpy(&type, bytes.data() + off + 4, 2);
    std::memcpy(&stored, bytes.data() + off + 8, 4);
    if (type == 6) event_blocks.emplace_back(off, off + 24 + stored);
    if (type == 15) footer_offset = off;
    off += 24 + stored;
  }
  ASSERT_FALSE(event_blocks.empty());
  const std::string events =
      bytes.substr(event_blocks.front().first, footer_offset - event_blocks.front().first);
  const int copies = static_cast<int>((64u << 20) / events.size()) + 1;
  ScopedFile small(TempPath("info_cli_small.tlt"));
  WriteFile(small.path(), bytes);
  const Json one = MustJson(Cli({"info", small.path(), "--json"}));
  int64_t footer[4];
  uint32_t threads;
  std::memcpy(footer, bytes.data() + footer_offset + 24, 32);
  std::memcpy(&threads, bytes.data() + footer_offset + 24 + 32, 4);
  ScopedFile big(TempPath("info_cli_big.tlt"));
  {
    std::ofstream out(big.path(), std::ios::binary | std::ios::trunc);
    out << bytes.substr(0, event_blocks.front().first);
    for (int i = 0; i < copies; ++i) out << events;
    out << testing::Block(15, testing::FooterPayload(footer[0] * copies, footer[1] * copies,
                                                     footer[2], footer[3], threads));
  }
  const CliRun baseline = Cli({"info", "--help"});
  const CliRun r = Cli({"info", big.path(), "--json"});
  const Json j = MustJson(r);
  EXPECT_EQ(j["source"].str, "footer") << j["scan_reason"].str;
  EXPECT_EQ(j["events"].Int(), one["events"].Int() * copies);
  EXPECT_EQ(j["duration_ns"].Int(), one["duration_ns"].Int());
  EXPECT_GT(j["file_bytes"].Int(), 64 << 20);
  // Peak RSS within a few MB of the binary's own; the file is 64 MB.
  EXPECT_LT(r.max_rss_kb - baseline.max_rss_kb, 6 * 1024)
      << r.max_rss_kb << " KB vs " << baseline.max_rss_kb << " KB for --help";
  EXPECT_LT(r.wall, absl::Seconds(2));  // milliseconds when the machine is idle
}

}  // namespace
}  // namespace tracelane
