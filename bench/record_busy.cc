// Records a large, realistic trace with the real recorder: `--threads` workers
// run nested scopes, share a tracelane::Mutex (some contention), emit counters
// and instants, and now and then pause, sleep or stop the world, paced so the
// whole process writes about `--events` events in a `--seconds` next-N capture,
// which is written to OUT. Used by the viewer's frame benchmark
// (bench/viewer_frames.sh) and for measuring analysis on real captures.
//
//   record_busy OUT.tlt [--events 10000000] [--seconds 5] [--threads 4]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tracelane/tracelane.h"

namespace {

// Events one iteration writes: request, parse, lookup and update scopes (2 each),
// a contended-or-not lock (2-3) and, every 8th, a counter (2 slots, 1 event).
constexpr double kEventsPerIteration = 10.2;

std::atomic<uint64_t> g_sink{0};

inline uint64_t Work(uint64_t x, int k) {
  for (int j = 0; j < k; ++j) x = x * 6364136223846793005ull + 1442695040888963407ull;
  return x;
}

void Worker(int index, double per_second, std::atomic<bool>* stop, tracelane::Mutex* mu) {
  const std::string name = absl::StrCat("worker-", index);
  TRACE_THREAD_NAME(name.c_str());
  uint64_t x = static_cast<uint64_t>(index) + 1;
  const absl::Time t0 = absl::Now();
  int64_t i = 0;
  while (!stop->load(std::memory_order_relaxed)) {
    for (int k = 0; k < 32; ++k, ++i) {
      TRACE_SCOPE("handle_request");
      {
        TRACE_SCOPE("parse");
        x = Work(x, 40);
      }
      {
        TRACE_SCOPE("lookup");
        std::lock_guard<tracelane::Mutex> lock(*mu);
        TRACE_SCOPE("update");
        x = Work(x, 20);
      }
      if (i % 8 == 0) TRACE_COUNTER("queue_depth", static_cast<double>((x >> 7) % 64));
      if (i % 5000 == 0) TRACE_INSTANT("checkpoint");
      if (i % 20000 == 7) {
        TRACE_PAUSE("gc_assist");
        std::this_thread::sleep_for(std::chrono::microseconds(300));
      }
      if (index == 0 && i % 100000 == 50) {
        TRACE_STOP_THE_WORLD("compaction");
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    const absl::Time due = t0 + absl::Seconds(static_cast<double>(i) / per_second);
    const absl::Duration ahead = due - absl::Now();
    if (ahead > absl::ZeroDuration()) tracelane::SleepFor(ahead);  // a recorded sleep
  }
  g_sink += x;
}

double Flag(int argc, char** argv, const char* name, double def) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atof(argv[i + 1]);
  }
  return def;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: record_busy OUT.tlt [--events N] [--seconds S] [--threads T]\n");
    return 2;
  }
  const std::string out = argv[1];
  const double events = Flag(argc, argv, "--events", 10e6);
  const double seconds = Flag(argc, argv, "--seconds", 5);
  const int threads = static_cast<int>(Flag(argc, argv, "--threads", 4));
  TRACE_THREAD_NAME("main");
  tracelane::Mutex mu("shared-state");
  std::atomic<bool> stop{false};
  const double per_thread = events / kEventsPerIteration / seconds / threads;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(Worker, t, per_thread, &stop, &mu);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  tracelane::CaptureOptions co;
  co.mode = tracelane::CaptureMode::kNext;
  co.seconds = seconds;
  tracelane::CaptureStats stats;
  const absl::Status s = tracelane::CaptureToFile(co, out, &stats);
  stop = true;
  for (std::thread& t : pool) t.join();
  if (!s.ok()) {
    std::fprintf(stderr, "record_busy: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  std::printf("record_busy: wrote %s: %llu events, %llu bytes, %llu lost in the window\n",
              out.c_str(), static_cast<unsigned long long>(stats.events),
              static_cast<unsigned long long>(stats.bytes),
              static_cast<unsigned long long>(stats.dropped + stats.overwritten));
  return 0;
}
