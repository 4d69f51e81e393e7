// Records a few scopes on two threads and writes them with tracelane::WriteTrace.
// Usage: consumer OUT.tlt. Exits non-zero if the file is missing or too small.
#include <cstdio>
#include <fstream>
#include <thread>

#include "tracelane/tracelane.h"

static int Fib(int n) {
  TRACE_SCOPE();
  return n < 2 ? n : Fib(n - 1) + Fib(n - 2);
}

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: %s OUT.tlt\n", argv[0]), 2;
  std::thread worker([] {
    TRACE_THREAD_NAME("consumer-worker");
    TRACE_COUNTER("fib", Fib(12));
  });
  {
    TRACE_SCOPE("main_work");
    TRACE_INSTANT("started");
    Fib(10);
  }
  worker.join();
  if (absl::Status s = tracelane::WriteTrace(argv[1]); !s.ok()) {
    return std::fprintf(stderr, "consumer: %s\n", s.ToString().c_str()), 1;
  }
  std::ifstream in(argv[1], std::ios::binary | std::ios::ate);
  const long size = static_cast<long>(in.tellg());
  if (size <= 72 + 24) return std::fprintf(stderr, "consumer: trace too small\n"), 1;
  std::printf("consumer: wrote %s (%ld bytes)\n", argv[1], size);
  return 0;
}
