// demo_service: a small request-processing service with real p99 spikes, traced
// by tracelane. Each spike has a different cause, and the trace tells them apart:
//
//   * lock contention: a cache rebuild holds the "cache" lock for ~40 ms every 1.5 s;
//   * stop-the-world: a compactor stops every worker for ~8 ms every 2 s;
//   * allocator pauses: every 400th request frees a large buffer (munmap is slow);
//   * scheduler waits: 4 workers plus a batch job share the machine's cores;
//   * I/O: each request waits ~300 us on a simulated backend call.
//
// Each handle_request samples the counter "demo.request_id" (the request's id),
// so which request got the every-400th buffer is known from the trace
// (tests/analysis/demo_explain_test.cc checks explain against it).
//
// Usage: demo_service [--seconds=8] [--endpoint=127.0.0.1:6060]
//                     [--capture=out.tlt --capture_delay=1 --capture_seconds=5]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tracelane/tracelane.h"

ABSL_FLAG(double, seconds, 8, "how long the service runs");
ABSL_FLAG(std::string, endpoint, "",
          "serve captures on this loopback address, e.g. 127.0.0.1:6060");
ABSL_FLAG(std::string, capture, "", "write an in-process next-N capture to this file");
ABSL_FLAG(double, capture_delay, 1, "seconds to wait before the in-process capture starts");
ABSL_FLAG(double, capture_seconds, 5, "length of the in-process capture");
ABSL_FLAG(int, workers, 4, "worker threads");
ABSL_FLAG(int, rate, 1500, "requests per second offered by the load generator");

namespace {

using Clock = std::chrono::steady_clock;

struct Request {
  uint64_t id;
  Clock::time_point enqueued;
};

// Burns roughly `us` microseconds of CPU.
double Spin(int us) {
  const auto end = Clock::now() + std::chrono::microseconds(us);
  double x = 1;
  while (Clock::now() < end) {
    for (int i = 0; i < 64; ++i) x = std::sqrt(x + i);
  }
  return x;
}

class Service {
 public:
  void Run(double seconds, int workers, int rate) {
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i) threads.emplace_back([this, i] { Worker(i); });
    threads.emplace_back([this] { CacheRebuilder(); });
    threads.emplace_back([this] { Compactor(); });
    threads.emplace_back([this] { BatchJob(); });
    threads.emplace_back([this, rate] { LoadGenerator(rate); });
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < deadline) {
      tracelane::SleepFor(absl::Seconds(1));
      ReportSecond();
    }
    stop_.store(true);
    {
      std::lock_guard<tracelane::Mutex> l(queue_mu_);
      queue_cv_.notify_all();
    }
    for (auto& t : threads) t.join();
    ReportTotal();
  }

 private:
  void LoadGenerator(int rate) {
    TRACE_THREAD_NAME("loadgen");
    const auto interval = std::chrono::nanoseconds(1000000000 / std::max(rate, 1));
    auto next = Clock::now();
    uint64_t id = 0;
    while (!stop_.load(std::memory_order_relaxed)) {
      next += interval;
      {
        TRACE_BLOCK(tracelane::Block::kSleep, "pace");
        std::this_thread::sleep_until(next);
      }
      std::lock_guard<tracelane::Mutex> l(queue_mu_);
      queue_.push_back(Request{id++, Clock::now()});
      queue_cv_.notify_one();
    }
  }

  void Worker(int index) {
    const std::string name = absl::StrFormat("worker-%d", index);
    TRACE_THREAD_NAME(name.c_str());
    std::vector<int64_t> local;
    for (;;) {
      Request r;
      {
        std::unique_lock<tracelane::Mutex> l(queue_mu_);
        queue_cv_.wait(l, [this] { return stop_.load() || !queue_.empty(); });
        if (queue_.empty()) break;
        r = queue_.front();
        queue_.pop_front();
      }
      Handle(r);
      const int64_t us =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - r.enqueued).count();
      std::lock_guard<tracelane::Mutex> l(stats_mu_);
      second_.push_back(us);
      all_.push_back(us);
    }
  }

  void Handle(const Request& r) {
    TRACE_SCOPE("handle_request");
    TRACE_COUNTER("demo.request_id", static_cast<double>(r.id));
    // Workers hold the epoch shared while they work; the compactor takes it
    // exclusively to stop them.
    std::shared_lock<tracelane::SharedMutex> epoch(epoch_mu_);
    {
      TRACE_SCOPE("parse");
      Spin(60);
    }
    {
      TRACE_SCOPE("cache_lookup");
      std::lock_guard<tracelane::Mutex> l(cache_mu_);
      Spin(15);
    }
    {
      TRACE_SCOPE("backend_call");
      TRACE_BLOCK(tracelane::Block::kNetwork, "backend rpc");
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    if (r.id % 400 == 399) {
      TRACE_SCOPE("build_report");
      // A large buffer: malloc maps it, free unmaps it (slow: an allocator pause).
      auto buf = std::make_unique<char[]>(size_t{32} << 20);
      std::memset(buf.get(), 1, size_t{32} << 20);
    }
    {
      TRACE_SCOPE("render");
      Spin(40);
    }
  }

  void CacheRebuilder() {
    TRACE_THREAD_NAME("cache-rebuild");
    while (!Sleep(1.5)) {
      TRACE_SCOPE("rebuild_cache");
      std::lock_guard<tracelane::Mutex> l(cache_mu_);
      Spin(40000);
    }
  }

  void Compactor() {
    TRACE_THREAD_NAME("compactor");
    while (!Sleep(2.0)) {
      std::unique_lock<tracelane::SharedMutex> stop(epoch_mu_);  // every worker is out
      TRACE_STOP_THE_WORLD("compaction");
      Spin(8000);
    }
  }

  void BatchJob() {
    TRACE_THREAD_NAME("batch-job");
    while (!stop_.load(std::memory_order_relaxed)) {
      TRACE_SCOPE("batch_chunk");
      Spin(5000);
    }
  }

  // Sleeps `s` seconds in slices; true if the service is stopping.
  bool Sleep(double s) {
    const auto end = Clock::now() + std::chrono::duration<double>(s);
    while (Clock::now() < end) {
      if (stop_.load()) return true;
      tracelane::SleepFor(absl::Milliseconds(20));
    }
    return stop_.load();
  }

  static int64_t Percentile(std::vector<int64_t>& v, double p) {
    if (v.empty()) return 0;
    const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
    std::nth_element(v.begin(), v.begin() + k, v.end());
    return v[k];
  }

  void ReportSecond() {
    std::vector<int64_t> v;
    {
      std::lock_guard<tracelane::Mutex> l(stats_mu_);
      v.swap(second_);
    }
    const int64_t p50 = Percentile(v, 0.5), p99 = Percentile(v, 0.99);
    const int64_t max = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
    std::printf("demo_service: %5zu req/s  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", v.size(),
                p50 / 1e3, p99 / 1e3, max / 1e3);
    std::fflush(stdout);
  }

  void ReportTotal() {
    std::lock_guard<tracelane::Mutex> l(stats_mu_);
    std::vector<int64_t> v = all_;
    const int64_t p50 = Percentile(v, 0.5), p99 = Percentile(v, 0.99), p999 = Percentile(v, 0.999);
    std::printf("demo_service: %zu requests  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms\n", v.size(),
                p50 / 1e3, p99 / 1e3, p999 / 1e3);
  }

  std::atomic<bool> stop_{false};
  tracelane::Mutex queue_mu_{"request queue"};
  tracelane::CondVar queue_cv_{"request queue cv"};
  std::deque<Request> queue_;
  tracelane::Mutex cache_mu_{"cache"};
  tracelane::SharedMutex epoch_mu_{"epoch"};
  tracelane::Mutex stats_mu_{"stats"};
  std::vector<int64_t> second_, all_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  TRACE_THREAD_NAME("main");
  if (const std::string ep = absl::GetFlag(FLAGS_endpoint); !ep.empty()) {
    if (absl::Status s = tracelane::StartEndpoint(ep); !s.ok()) {
      std::fprintf(stderr, "demo_service: %s\n", s.ToString().c_str());
      return 1;
    }
    std::printf("demo_service: capture endpoint on http://%s/debug/tracelane/\n",
                tracelane::EndpointAddress().c_str());
  }
  std::thread capturer;
  if (const std::string out = absl::GetFlag(FLAGS_capture); !out.empty()) {
    capturer = std::thread([out] {
      tracelane::internal::ExcludeCurrentThread();
      std::this_thread::sleep_for(
          std::chrono::duration<double>(absl::GetFlag(FLAGS_capture_delay)));
      tracelane::CaptureOptions o;
      o.mode = tracelane::CaptureMode::kNext;
      o.seconds = absl::GetFlag(FLAGS_capture_seconds);
      absl::StatusOr<std::string> bytes = tracelane::Capture(o);
      if (!bytes.ok()) {
        std::fprintf(stderr, "demo_service: capture failed: %s\n",
                     bytes.status().ToString().c_str());
        return;
      }
      FILE* f = std::fopen(out.c_str(), "wb");
      if (f == nullptr || std::fwrite(bytes->data(), 1, bytes->size(), f) != bytes->size()) {
        std::fprintf(stderr, "demo_service: cannot write %s\n", out.c_str());
      } else {
        std::printf("demo_service: wrote %s (%zu bytes)\n", out.c_str(), bytes->size());
      }
      if (f != nullptr) std::fclose(f);
    });
  }
  Service service;
  service.Run(absl::GetFlag(FLAGS_seconds), absl::GetFlag(FLAGS_workers),
              absl::GetFlag(FLAGS_rate));
  if (capturer.joinable()) capturer.join();
  tracelane::StopEndpoint();
  return 0;
}
