// Analysis benchmarks. Run: build/bin/tracelane_analysis_bench
//
// BM_LoadAndAnalyze10M: streaming load of a generated 10M-event trace plus the
// full analysis (thread states per thread and per name, scope statistics, lock
// contention, pauses, the MMU curve and an explain). Target: < 5 s on 2 cores.
// Counters: events, peak_bytes_per_event (peak RSS growth during the load and
// analysis / events; target <= 48) and model_bytes_per_event (heap held by the
// model's vectors).
// BM_MmuCurve100: the MMU curve over 100 log-spaced windows of a utilization
// with 1M pause intervals. Target: < 1 s.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <time.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/analysis/synthetic_trace.h"
#include "viewer/analysis/explain.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/analysis/mmu.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/pause_stats.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"

namespace {

using tracelane::format::BlockKind;
using tracelane::format::EventType;
using tracelane::testing::SyntheticTrace;
namespace analysis = tracelane::analysis;

constexpr int64_t kUs = 1000, kMs = 1000000, kSec = 1000000000;

// A service-like trace: 8 workers serving requests (scope > parse/query
// scopes, a shared lock contended 10% of the time, io blocks, scheduler
// switches, allocator pauses) and a gc thread stopping the world every 10 ms.
std::string Generate(uint64_t target_events, const std::string& path, uint64_t* events) {
  constexpr int kWorkers = 8;
  constexpr uint64_t kLock = 1;
  std::mt19937_64 rng(1);
  const int64_t per_worker = static_cast<int64_t>(target_events / kWorkers);
  // ~9.5 events per request at ~20 us per request.
  const int64_t duration = per_worker / 10 * 20 * kUs;
  SyntheticTrace tr(1 * kSec, 1 * kSec + duration + 10 * kMs);
  tr.Property("scheduler_source", "perf");
  tr.NameObject(tracelane::format::ObjectKind::kLock, kLock, "table_lock");
  uint64_t n = 0;
  for (int w = 0; w < kWorkers; ++w) {
    const int th = tr.Thread(1000 + w, absl::StrCat("worker-", w % 4));
    auto& extra = tr.snapshot().threads[th].extra;
    extra.reserve(static_cast<size_t>(per_worker) + 64);
    int64_t t = 1 * kSec + w * 1000;
    while (static_cast<int64_t>(extra.size()) < per_worker) {
      tr.At(th, t, EventType::kScopeBegin, "request");
      tr.At(th, t + 1 * kUs, EventType::kScopeBegin, "parse");
      tr.At(th, t + 4 * kUs, EventType::kScopeEnd, "parse");
      tr.At(th, t + 5 * kUs, EventType::kScopeBegin, "query");
      const int r = static_cast<int>(rng() % 100);
      int64_t q = t + 6 * kUs;
      if (r < 10) {
        tr.RawArg(th, q, EventType::kLockWait, kLock, 0);
        q += 2 * kUs + static_cast<int64_t>(rng() % 5000);
        tr.RawArg(th, q, EventType::kLockAcquired, kLock, 1000 + (w + 1) % kWorkers);
      } else {
        tr.RawArg(th, q, EventType::kLockAcquired, kLock, 0);
      }
      q += 2 * kUs;
      tr.RawArg(th, q, EventType::kLockReleased, kLock, r < 12 ? 1 : 0);
      if (r % 5 == 0) {
        tr.AtArg(th, q + 1 * kUs, EventType::kBlockBegin, "read",
                 static_cast<int64_t>(BlockKind::kIo));
        tr.SchedOut(th, q + 2 * kUs, false);
        tr.SchedIn(th, q + 6 * kUs);
        tr.At(th, q + 7 * kUs, EventType::kBlockEnd, "read");
        q += 8 * kUs;
      }
      if (r % 7 == 0) {
        tr.SchedOut(th, q + 1 * kUs, true);
        tr.SchedIn(th, q + 3 * kUs);
        q += 3 * kUs;
      }
      if (r % 20 == 3) {
        tr.AtArg(th, q + 1 * kUs, EventType::kPauseBegin, "malloc", 1 << 20);
        tr.At(th, q + 40 * kUs, EventType::kPauseEnd, "malloc");
        q += 40 * kUs;
      }
      tr.At(th, q + 1 * kUs, EventType::kScopeEnd, "query");
      tr.At(th, q + 2 * kUs, EventType::kScopeEnd, "request");
      t = q + 2 * kUs + 2 * kUs + static_cast<int64_t>(rng() % 4000);
    }
    n += extra.size();
  }
  const int gc = tr.Thread(2000, "gc");
  for (int64_t t = 1 * kSec + 5 * kMs; t < 1 * kSec + duration; t += 10 * kMs) {
    tr.Stw(gc, "gc_stw", t, t + 200 * kUs);
    n += 2;
  }
  *events = n;
  const std::string bytes = tr.Encode();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

const std::string& TracePath(uint64_t* events) {
  static uint64_t n = 0;
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    return Generate(10000000, absl::StrCat(tmp ? tmp : "/tmp", "/tracelane_analysis_bench.tlt"),
                    &n);
  }();
  *events = n;
  return path;
}

int64_t StatusKb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key, 0) == 0) return std::atoll(line.c_str() + std::strlen(key));
  }
  return 0;
}

// Returns freed heap to the OS and restarts the peak-RSS counter (VmHWM).
double ProcessCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

void ResetPeakRss() {
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
}

template <typename T>
size_t Cap(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}
// A PodVector's capacity past its size is address space only (never written,
// never resident).
template <typename T>
size_t Cap(const tracelane::PodVector<T>& v) {
  return v.size() * sizeof(T);
}

size_t ModelBytes(const analysis::Model& m) {
  size_t b = 0;
  for (const analysis::ThreadModel& t : m.threads) {
    b += Cap(t.states) + Cap(t.scopes) + Cap(t.cut_scopes) + Cap(t.lock_waits) + Cap(t.lock_holds) +
         Cap(t.cond_waits) + Cap(t.cond_notifies) + Cap(t.blocks) + Cap(t.pauses);
    for (const auto& d : t.scopes_by_depth) b += Cap(d);
  }
  for (const auto& l : m.scopes_by_location) b += Cap(l);
  return b + Cap(m.stw);
}

void BM_LoadAndAnalyze10M(benchmark::State& state) {
  uint64_t events = 0;
  const std::string& path = TracePath(&events);
  for (auto _ : state) {
    ResetPeakRss();
    const int64_t rss0 = StatusKb("VmRSS:");
    absl::StatusOr<analysis::Model> m = analysis::LoadModel(path);
    if (!m.ok()) {
      state.SkipWithError(std::string(m.status().message()).c_str());
      return;
    }
    const auto rows = analysis::ThreadStates(*m);
    const auto groups = analysis::ThreadStatesByName(*m);
    const auto scopes = analysis::ComputeScopeStats(*m);
    const auto locks = analysis::LockContention(*m);
    const auto pauses = analysis::ComputePauseStats(*m);
    const analysis::MmuCalculator mmu(analysis::SystemUtilization(*m));
    const auto curve = mmu.Curve(analysis::LogSpacedWindows(1000, m->duration_ns(), 30));
    const auto worst = mmu.Worst(10 * kMs, 5);
    const auto slowest = analysis::NthSlowest(*m, "request", 1);
    const auto ex = analysis::Explain(*m, *slowest);
    benchmark::DoNotOptimize(rows.data());
    benchmark::DoNotOptimize(groups.data());
    benchmark::DoNotOptimize(scopes.data());
    benchmark::DoNotOptimize(locks.data());
    benchmark::DoNotOptimize(curve.data());
    benchmark::DoNotOptimize(worst.data());
    benchmark::DoNotOptimize(ex.causes.data());
    benchmark::DoNotOptimize(pauses.count);
    const int64_t peak = StatusKb("VmHWM:");
    state.counters["events"] = static_cast<double>(m->info.event_count);
    state.counters["peak_bytes_per_event"] =
        static_cast<double>(peak - rss0) * 1024.0 / static_cast<double>(m->info.event_count);
    state.counters["model_bytes_per_event"] =
        static_cast<double>(ModelBytes(*m)) / static_cast<double>(m->info.event_count);
  }
  (void)events;
}
BENCHMARK(BM_LoadAndAnalyze10M)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

void BM_Load10M(benchmark::State& state) {
  uint64_t events = 0;
  const std::string& path = TracePath(&events);
  for (auto _ : state) {
    absl::StatusOr<analysis::Model> m = analysis::LoadModel(path);
    benchmark::DoNotOptimize(m->threads.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events));
}
BENCHMARK(BM_Load10M)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

// A utilization with 1M pause intervals: 16 threads, pauses of random length.
analysis::Utilization MillionPauses() {
  std::mt19937_64 rng(2);
  analysis::Model m;
  constexpr int kThreads = 16;
  constexpr int kPauses = 1000000 / kThreads;
  m.start_ns = 0;
  m.threads.resize(kThreads);
  int64_t end = 0;
  for (auto& t : m.threads) {
    t.life_start_ns = 0;
    int64_t x = 0;
    t.states.push_back({0, analysis::ThreadState::kRunning});
    for (int i = 0; i < kPauses; ++i) {
      x += 1 + static_cast<int64_t>(rng() % 100000);
      t.states.push_back({x, analysis::ThreadState::kPaused});
      x += 1 + static_cast<int64_t>(rng() % 20000);
      t.states.push_back({x, analysis::ThreadState::kRunning});
    }
    end = std::max(end, x + 1);
  }
  for (auto& t : m.threads) t.life_end_ns = end;
  m.end_ns = end;
  return analysis::SystemUtilization(m);
}

void BM_SystemUtilization1MPauses(benchmark::State& state) {
  for (auto _ : state) {
    const analysis::Utilization u = MillionPauses();
    state.counters["steps"] = static_cast<double>(u.values.size());
  }
}
BENCHMARK(BM_SystemUtilization1MPauses)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_MmuCurve100(benchmark::State& state) {
  static const analysis::MmuCalculator calc(MillionPauses());
  const auto windows = analysis::LogSpacedWindows(1000, calc.utilization().duration_ns(), 100);
  double cpu_ms = 0;
  for (auto _ : state) {
    const double c0 = ProcessCpuMs();
    const auto curve = calc.Curve(windows);
    benchmark::DoNotOptimize(curve.data());
    cpu_ms += ProcessCpuMs() - c0;
  }
  // CPU of all threads (Curve runs windows in parallel): the cost on an idle machine.
  state.counters["process_cpu_ms"] = cpu_ms / static_cast<double>(state.iterations());
  state.counters["steps"] = static_cast<double>(calc.utilization().values.size());
  state.counters["windows"] = static_cast<double>(windows.size());
}
BENCHMARK(BM_MmuCurve100)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_MmuWorst5(benchmark::State& state) {
  static const analysis::MmuCalculator calc(MillionPauses());
  for (auto _ : state) {
    const auto w = calc.Worst(10 * kMs, 5);
    benchmark::DoNotOptimize(w.data());
  }
}
BENCHMARK(BM_MmuWorst5)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
