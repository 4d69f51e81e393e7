// Phase timings for diagnosing where loading and analysis spend their time:
// with TRACELANE_TIMINGS set in the environment, each Lap prints
// "tracelane: timing: <phase> <wall> s wall <cpu> s cpu" (the process's CPU
// time, every thread) to stderr; otherwise a Lap costs a branch. Not for hot
// loops: two clock reads per Lap.
#ifndef TRACELANE_VIEWER_LIB_PHASE_TIMER_H_
#define TRACELANE_VIEWER_LIB_PHASE_TIMER_H_

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace tracelane::reader {

class PhaseTimer {
 public:
  PhaseTimer()
      : on_(std::getenv("TRACELANE_TIMINGS") != nullptr), last_(Clock::now()), last_cpu_(Cpu()) {}

  // Prints the wall time since the previous Lap (or construction) as `phase`.
  void Lap(const char* phase) {
    if (!on_) return;
    const Clock::time_point now = Clock::now();
    const double cpu = Cpu();
    std::fprintf(stderr, "tracelane: timing: %-24s %8.3f s wall %8.3f s cpu\n", phase,
                 std::chrono::duration<double>(now - last_).count(), cpu - last_cpu_);
    last_ = now;
    last_cpu_ = cpu;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static double Cpu() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
  bool on_;
  Clock::time_point last_;
  double last_cpu_;
};

}  // namespace tracelane::reader

#endif  // TRACELANE_VIEWER_LIB_PHASE_TIMER_H_
