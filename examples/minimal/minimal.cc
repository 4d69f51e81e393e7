// The smallest traced program: a few threads doing nested work under TRACE_SCOPE.
// Usage: minimal OUT.tlt
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

#include "tracelane/tracelane.h"

double Work(int n) {
  TRACE_SCOPE();  // named after the function: "Work"
  double x = 0;
  for (int i = 0; i < n; ++i) x += std::sqrt(i);
  return x;
}

void Worker(int id) {
  TRACE_THREAD_NAME(id % 2 ? "odd-worker" : "even-worker");
  for (int i = 0; i < 20000; ++i) {
    TRACE_SCOPE("request");
    TRACE_COUNTER("request_id", i);
    Work(200 + id * 50);
  }
}

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: %s OUT.tlt\n", argv[0]), 2;
  std::vector<std::thread> threads;
  for (int id = 0; id < 4; ++id) threads.emplace_back(Worker, id);
  for (auto& t : threads) t.join();
  if (absl::Status s = tracelane::WriteTrace(argv[1]); !s.ok()) {
    return std::fprintf(stderr, "minimal: %s\n", s.ToString().c_str()), 1;
  }
  std::printf("minimal: wrote %s\n", argv[1]);
  return 0;
}
