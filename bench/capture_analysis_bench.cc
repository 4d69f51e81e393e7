// Analysis of a real capture, as a user runs it. Records a large trace with the
// real recorder (bench/record_busy: worker threads running nested scopes around
// a shared tracelane::Mutex, counters, instants, pauses, stop-the-world, in a
// streamed next-N capture whose drainer loses events on a busy 2-core machine),
// then times the CLI on it, each run a child process whose peak RSS (ru_maxrss)
// is reported:
//   BM_Info             `tracelane info FILE` (header, tables and footer)
//   BM_Summary/W        `tracelane summary FILE`: load + full analysis, W loading
//                       workers (TRACELANE_LOAD_WORKERS; 0 = one per core)
// Counters: events (in the file), lost (dropped + overwritten), file_mb,
// peak_rss_mb, bytes_per_event (peak RSS / events), mevents_per_s (wall) and
// cpu_ms (user + system of the child: stable on a shared machine). --cli picks
// another tracelane binary (default: the one built with this benchmark).
//
//   build/bin/tracelane_capture_analysis_bench [--capture PATH] [--events N]
//       [--seconds S] [--threads T] [--cli PATH] [--benchmark_repetitions=3 ...]
//
// The capture is recorded once and reused while PATH exists (default
// $TMPDIR/tracelane_capture_bench.tlt; delete it to record again). Issue 11's
// targets: info <= 50 ms and 20 MB; summary >= 20M events/s and <= 24 B/event.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "viewer/lib/trace_summary.h"

extern char** environ;

namespace {

struct Config {
  std::string cli = TRACELANE_CLI_PATH;
  std::string capture;
  std::string events = "100000000";
  std::string seconds = "10";
  std::string threads = "4";
};
Config g_config;

struct Facts {
  uint64_t events = 0;
  uint64_t lost = 0;
  uint64_t bytes = 0;
};
Facts g_facts;

// Runs argv with extra environment entries, output to /dev/null; returns the exit
// status, its wall time, its CPU time (user + system) and its peak RSS.
int Run(const std::vector<std::string>& argv, const std::vector<std::string>& env, double* seconds,
        long* max_rss_kb, double* cpu_seconds = nullptr) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings = env;
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid;
  if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), envp.data()) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    return -1;
  }
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  *max_rss_kb = ru.ru_maxrss;
  if (cpu_seconds != nullptr) {
    *cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                   static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void RunCli(benchmark::State& state, const std::vector<std::string>& argv,
            const std::vector<std::string>& env) {
  long peak_kb = 0;
  double total = 0, cpu = 0;
  for (auto _ : state) {
    double s = 0, c = 0;
    long kb = 0;
    if (Run(argv, env, &s, &kb, &c) != 0) {
      state.SkipWithError("the CLI failed");
      return;
    }
    state.SetIterationTime(s);
    peak_kb = std::max(peak_kb, kb);
    total += s;
    cpu += c;
  }
  const double events = static_cast<double>(g_facts.events);
  state.counters["events"] = events;
  state.counters["lost"] = static_cast<double>(g_facts.lost);
  state.counters["file_mb"] = static_cast<double>(g_facts.bytes) / 1e6;
  state.counters["peak_rss_mb"] = static_cast<double>(peak_kb) / 1024.0;
  state.counters["bytes_per_event"] = static_cast<double>(peak_kb) * 1024.0 / events;
  state.counters["mevents_per_s"] = events * static_cast<double>(state.iterations()) / total / 1e6;
  // CPU of the child (all its threads): what the run costs whatever else runs.
  state.counters["cpu_ms"] = cpu * 1e3 / static_cast<double>(state.iterations());
}

void BM_Info(benchmark::State& state) {
  RunCli(state, {g_config.cli, "info", g_config.capture}, {});
}
BENCHMARK(BM_Info)->Unit(benchmark::kMillisecond)->Iterations(5)->UseManualTime();

void BM_Summary(benchmark::State& state) {
  RunCli(state, {g_config.cli, "summary", g_config.capture},
         {absl::StrCat("TRACELANE_LOAD_WORKERS=", state.range(0))});
}
BENCHMARK(BM_Summary)
    ->Arg(1)
    ->Arg(2)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseManualTime();

// Takes --capture/--events/--seconds/--threads out of argv.
void ParseFlags(int* argc, char** argv) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string* dst = nullptr;
    if (std::strcmp(argv[i], "--cli") == 0) dst = &g_config.cli;
    if (std::strcmp(argv[i], "--capture") == 0) dst = &g_config.capture;
    if (std::strcmp(argv[i], "--events") == 0) dst = &g_config.events;
    if (std::strcmp(argv[i], "--seconds") == 0) dst = &g_config.seconds;
    if (std::strcmp(argv[i], "--threads") == 0) dst = &g_config.threads;
    if (dst != nullptr && i + 1 < *argc) {
      *dst = argv[++i];
      continue;
    }
    argv[out++] = argv[i];
  }
  *argc = out;
  if (g_config.capture.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    g_config.capture = absl::StrCat(tmp ? tmp : "/tmp", "/tracelane_capture_bench.tlt");
  }
}

}  // namespace

int main(int argc, char** argv) {
  ParseFlags(&argc, argv);
  struct stat st;
  if (stat(g_config.capture.c_str(), &st) != 0) {
    std::fprintf(stderr, "recording %s events in %s s on %s threads into %s ...\n",
                 g_config.events.c_str(), g_config.seconds.c_str(), g_config.threads.c_str(),
                 g_config.capture.c_str());
    double s;
    long kb;
    if (Run({RECORD_BUSY_PATH, g_config.capture, "--events", g_config.events, "--seconds",
             g_config.seconds, "--threads", g_config.threads},
            {}, &s, &kb) != 0) {
      std::fprintf(stderr, "record_busy failed\n");
      return 1;
    }
  }
  absl::StatusOr<tracelane::reader::TraceSummary> f =
      tracelane::reader::ReadTraceSummary(g_config.capture);
  if (!f.ok()) {
    std::fprintf(stderr, "%s\n", std::string(f.status().message()).c_str());
    return 1;
  }
  g_facts.events = f->tables.event_count;
  g_facts.lost = f->tables.dropped + f->tables.overwritten;
  g_facts.bytes = f->tables.file_bytes;
  std::fprintf(stderr, "%s: %llu events, %llu lost, %.1f MB\n", g_config.capture.c_str(),
               static_cast<unsigned long long>(g_facts.events),
               static_cast<unsigned long long>(g_facts.lost),
               static_cast<double>(g_facts.bytes) / 1e6);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
