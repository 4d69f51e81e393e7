// Helper process for env_test: a traced program that references no capture API at
// all, so everything it serves comes from the environment (TRACELANE_ENDPOINT,
// TRACELANE_SIGNAL_DIR, TRACELANE_CRASH_DIR) via the autostart object.
// Usage: capture_env_child SECONDS [crash]
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "tracelane/trace.h"

namespace {
void Tick() { TRACE_SCOPE("env_tick"); }
}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 10;
  TRACE_THREAD_NAME("env-main");
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    for (int i = 0; i < 100; ++i) Tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (argc > 2 && std::strcmp(argv[2], "crash") == 0) std::abort();
  return 0;
}
