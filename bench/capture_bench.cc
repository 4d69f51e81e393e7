// Capture benchmarks (issue 4). A plain program rather than Google Benchmark: the
// questions are about a whole traced process, not a hot loop.
//
//   capture_bench [--seconds S] [--rounds R] [--capture N] [--rate SCOPES_PER_S] [--work K]
//
// 1. Overhead: 2 threads run a workload calibrated to 5M scopes/s each when traced.
//    Rounds alternate untraced (the same loop without TRACE_SCOPE), tracing
//    disabled at run time, traced with the HTTP endpoint started but idle, and
//    traced without the endpoint; reports median throughputs and ratios (target:
//    traced+endpoint >= 97% of untraced). --work K fixes the work size instead of
//    calibrating it (calibration is noisy on a loaded machine).
// 2. Capture: while the traced workload runs, GET /debug/tracelane/trace?seconds=N
//    over loopback; reports wall time (target <= N + 1 s) and bytes per event
//    (target <= 6), plus what the window kept.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "tracelane/tracelane.h"
#include "tracer/snapshot.h"
#include "tracer/trace_writer.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The unit of work between scopes: a dependent multiply chain (no memory traffic),
// `k` steps long. Returns a value so the compiler keeps it.
inline uint64_t Work(uint64_t x, int k) {
  for (int j = 0; j < k; ++j) x = x * 6364136223846793005ull + 1442695040888963407ull;
  return x;
}

[[gnu::noinline]] uint64_t UntracedIteration(uint64_t x, int k) { return Work(x, k); }

[[gnu::noinline]] uint64_t TracedIteration(uint64_t x, int k) {
  TRACE_SCOPE("request");
  return Work(x, k);
}

std::atomic<uint64_t> g_sink{0};

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Runs `threads` threads for `seconds`; returns iterations per second of CPU time
// the threads got (summed over threads), so other load on a shared machine does not
// skew the comparison. `wall_rate`, if given, receives iterations per wall second.
double Run(bool traced, int threads, int k, double seconds, double* wall_rate = nullptr) {
  std::atomic<bool> stop{false};
  std::vector<uint64_t> counts(threads);
  std::vector<double> cpu(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const double c0 = ThreadCpuSeconds();
      uint64_t x = t + 1, n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 1024; ++i) {
          x = traced ? TracedIteration(x, k) : UntracedIteration(x, k);
        }
        n += 1024;
      }
      counts[t] = n;
      cpu[t] = ThreadCpuSeconds() - c0;
      g_sink.fetch_add(x, std::memory_order_relaxed);
    });
  }
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  const double elapsed = Seconds(Clock::now() - t0);
  uint64_t total = 0;
  double cpu_total = 0;
  for (int t = 0; t < threads; ++t) {
    total += counts[t];
    cpu_total += cpu[t];
  }
  if (wall_rate != nullptr) *wall_rate = total / elapsed;
  return total / cpu_total * threads;  // per CPU-second per thread, times threads
}

// Picks the work size so that one traced thread runs `rate` scopes per second.
int Calibrate(double rate) {
  int lo = 1, hi = 4096;
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (Run(true, 1, mid, 0.05) > rate) lo = mid + 1; else hi = mid;
  }
  return lo;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double Flag(int argc, char** argv, const char* name, double def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atof(argv[i + 1]);
  }
  return def;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = Flag(argc, argv, "--seconds", 1.0);
  const int rounds = static_cast<int>(Flag(argc, argv, "--rounds", 5));
  const double capture_seconds = Flag(argc, argv, "--capture", 5);
  const double rate = Flag(argc, argv, "--rate", 5e6);
  constexpr int kThreads = 2;

  if (Flag(argc, argv, "--encode-only", 0) > 0) {  // profiling aid: fill, then encode
    Run(true, 2, 20, 1.0);
    for (int i = 0; i < static_cast<int>(Flag(argc, argv, "--encode-only", 0)); ++i) {
      const auto s0 = Clock::now();
      const double c0 = ThreadCpuSeconds();
      tracelane::internal::Snapshot snap = tracelane::internal::TakeSnapshot();
      const auto s1 = Clock::now();
      const double c1 = ThreadCpuSeconds();
      tracelane::internal::WriteStats ws;
      (void)tracelane::internal::EncodeTraceToString(snap, &ws);
      std::printf("snapshot %.0f ms (%.0f ms CPU), encode %.0f ms (%.0f ms CPU), %llu events\n",
                  1e3 * Seconds(s1 - s0), 1e3 * (c1 - c0), 1e3 * Seconds(Clock::now() - s1),
                  1e3 * (ThreadCpuSeconds() - c1), static_cast<unsigned long long>(ws.events));
    }
    return 0;
  }
  if (absl::Status s = tracelane::StartEndpoint("127.0.0.1:0"); !s.ok()) {
    std::fprintf(stderr, "capture_bench: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  const int k = Flag(argc, argv, "--work", 0) > 0 ? static_cast<int>(Flag(argc, argv, "--work", 0))
                                                 : Calibrate(rate);
  std::printf("workload: %d threads, work size %d (~%.1f M scopes/s per thread when traced)\n",
              kThreads, k, Run(true, 1, k, 0.2) / 1e6);
  std::printf("recorder: %.0f MiB budget, keep %g s; endpoint %s (idle)\n",
              tracelane::GetFlightRecorderStatus().budget_bytes / 1048576.0,
              tracelane::KeepSeconds(), tracelane::EndpointAddress().c_str());

  // 1. Overhead, interleaved so machine noise hits every variant alike.
  std::vector<double> untraced, disabled, traced_idle, traced_off, ratio, endpoint_ratio;
  for (int r = 0; r < rounds; ++r) {
    const double u = Run(false, kThreads, k, seconds);
    tracelane::SetEnabled(false);
    const double d = Run(true, kThreads, k, seconds);
    tracelane::SetEnabled(true);
    const double t = Run(true, kThreads, k, seconds);  // endpoint listening, idle
    tracelane::StopEndpoint();
    const double o = Run(true, kThreads, k, seconds);  // no endpoint
    if (absl::Status s = tracelane::StartEndpoint("127.0.0.1:0"); !s.ok()) return 1;
    untraced.push_back(u);
    disabled.push_back(d);
    traced_idle.push_back(t);
    traced_off.push_back(o);
    ratio.push_back(t / u);
    endpoint_ratio.push_back(t / o);
    std::printf("  round %d: untraced %.2f, disabled %.2f, traced+endpoint %.2f, traced %.2f "
                "M it/s; traced+endpoint/untraced %.1f%%\n",
                r, u / 1e6, d / 1e6, t / 1e6, o / 1e6, 100 * t / u);
  }
  std::printf("overhead (medians, M it/s per CPU-second x %d threads): untraced %.2f, tracing disabled %.2f, "
              "traced with endpoint idle %.2f (%.2f M scopes/s per thread), traced without "
              "endpoint %.2f\n",
              kThreads, Median(untraced) / 1e6, Median(disabled) / 1e6, Median(traced_idle) / 1e6,
              Median(traced_idle) / kThreads / 1e6, Median(traced_off) / 1e6);
  std::printf("overhead: traced+endpoint idle keeps %.1f%% of untraced throughput (target >= 97%%); "
              "the idle endpoint itself: %.1f%% of traced-without-endpoint\n",
              100 * Median(ratio), 100 * Median(endpoint_ratio));

  // 2. A next-N capture of the traced workload over HTTP.
  std::atomic<bool> stop{false};
  std::vector<std::thread> pool;
  std::vector<uint64_t> counts(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    pool.emplace_back([&, t] {
      uint64_t x = t + 1, n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 1024; ++i) x = TracedIteration(x, k);
        n += 1024;
      }
      counts[t] = n;
      g_sink.fetch_add(x, std::memory_order_relaxed);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string address = tracelane::EndpointAddress();
  const size_t colon = address.rfind(':');
  httplib::Client client(address.substr(0, colon), std::atoi(address.c_str() + colon + 1));
  client.set_read_timeout(static_cast<time_t>(capture_seconds) + 60, 0);
  const std::string path = "/debug/tracelane/trace?seconds=" + std::to_string(capture_seconds);
  const auto t0 = Clock::now();
  httplib::Result res = client.Get(path);
  const double wall = Seconds(Clock::now() - t0);
  stop = true;
  for (auto& th : pool) th.join();
  if (!res || res->status != 200) {
    std::fprintf(stderr, "capture_bench: capture failed: %s\n",
                 res ? res->body.c_str() : httplib::to_string(res.error()).c_str());
    return 1;
  }
  const double events = std::atof(res->get_header_value("X-Tracelane-Events").c_str());
  const double lost = std::atof(res->get_header_value("X-Tracelane-Lost").c_str());
  const double bytes = static_cast<double>(res->body.size());
  std::printf("capture: next %g s over HTTP took %.2f s wall (target <= %.0f s); %.0f bytes, "
              "%.0f events, %.2f bytes/event (target <= 6)\n",
              capture_seconds, wall, capture_seconds + 1, bytes, events, bytes / events);
  std::printf("capture: the window kept %.0f events, lost %.0f to the %.0f MiB budget "
              "(%.1f%% of the window's events kept)\n",
              events, lost, tracelane::GetFlightRecorderStatus().budget_bytes / 1048576.0,
              100 * events / (events + lost));
  // 3. Where a capture's time goes, on the now-full buffer (no workload running).
  {
    const auto s0 = Clock::now();
    tracelane::internal::Snapshot snap = tracelane::internal::TakeSnapshot();
    const auto s1 = Clock::now();
    tracelane::internal::WriteStats ws;
    absl::StatusOr<std::string> enc = tracelane::internal::EncodeTraceToString(snap, &ws);
    const auto s2 = Clock::now();
    std::printf("full buffer: snapshot %.0f ms, encode %.0f ms for %llu events (%.2f bytes/event)\n",
                1e3 * Seconds(s1 - s0), 1e3 * Seconds(s2 - s1),
                static_cast<unsigned long long>(ws.events),
                ws.events ? static_cast<double>(ws.bytes) / ws.events : 0.0);
  }
  tracelane::StopEndpoint();
  return g_sink.load() == 42 ? 2 : 0;
}
