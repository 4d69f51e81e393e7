#include "viewer/lib/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace tracelane::reader {

int ResolveWorkers(int requested) {
  if (requested > 0) return std::min(requested, 64);
  const unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 1u, 64u));
}

void RunWorkers(int workers, const std::function<void(int worker)>& body) {
  workers = std::max(workers, 1);
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(workers - 1));
  for (int w = 1; w < workers; ++w) pool.emplace_back(body, w);
  body(0);
  for (std::thread& t : pool) t.join();
}

void ParallelForWorker(int workers, size_t n, const std::function<void(int worker, size_t i)>& fn) {
  if (n == 0) return;
  workers = static_cast<int>(std::min<size_t>(static_cast<size_t>(std::max(workers, 1)), n));
  if (workers == 1) {
    for (size_t i = 0; i < n; ++i) fn(0, i);
    return;
  }
  std::atomic<size_t> next{0};
  RunWorkers(workers, [&](int worker) {
    for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < n;
         i = next.fetch_add(1, std::memory_order_relaxed)) {
      fn(worker, i);
    }
  });
}

void ParallelFor(int workers, size_t n, const std::function<void(size_t i)>& fn) {
  ParallelForWorker(workers, n, [&fn](int, size_t i) { fn(i); });
}

}  // namespace tracelane::reader
