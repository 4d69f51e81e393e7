// Helper process for crash_capture_test: traces, then crashes.
// Usage: capture_crash_child DIR segv|abort [BYTE_LIMIT]
#include <cstdlib>
#include <cstring>
#include <thread>

#include "tracelane/tracelane.h"
#include "tracer/capture/crash_testing.h"

namespace {

void WorkerStep() { TRACE_SCOPE("worker_step"); }
void MainStep() { TRACE_SCOPE("main_step"); }

[[gnu::noinline]] void Crash(const char* how) {
  TRACE_SCOPE("final_outer");
  {
    TRACE_SCOPE("final_inner");
    if (std::strcmp(how, "abort") == 0) std::abort();
    *static_cast<volatile int*>(nullptr) = 42;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  tracelane::CrashCaptureOptions o;
  o.directory = argv[1];
  if (!tracelane::EnableCrashCapture(o).ok()) return 3;
  if (argc > 3) tracelane::internal::SetCrashWriteByteLimitForTesting(std::strtoull(argv[3], nullptr, 10));
  TRACE_THREAD_NAME("crash-main");
  std::thread worker([] {
    TRACE_THREAD_NAME("crash-worker");
    for (int i = 0; i < 20000; ++i) WorkerStep();
  });
  worker.join();
  for (int i = 0; i < 100000; ++i) MainStep();
  Crash(argv[2]);
  return 0;
}
