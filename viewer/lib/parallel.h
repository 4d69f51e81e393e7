// A fixed pool of worker threads for one job: the loaders (parallel_reader.h,
// analysis::LoadModel) use it to decode blocks and finish threads on every core.
#ifndef TRACELANE_VIEWER_LIB_PARALLEL_H_
#define TRACELANE_VIEWER_LIB_PARALLEL_H_

#include <cstddef>
#include <functional>

namespace tracelane::reader {

// The number of workers `requested` stands for: itself if positive, else one per
// core (std::thread::hardware_concurrency, at least 1). Capped at 64. O(1).
int ResolveWorkers(int requested);

// Runs `body(worker)` on `workers` threads at once (worker = 0 .. workers-1), the
// calling thread being worker 0, and returns when every call has returned. With
// one worker nothing is started. Cost: workers - 1 thread creations.
void RunWorkers(int workers, const std::function<void(int worker)>& body);

// Calls fn(i) for every i in [0, n) on up to `workers` threads (the caller is one
// of them); indices are handed out one at a time in increasing order, so uneven
// items balance. Returns when all calls have returned. fn must be safe to call
// concurrently for different i. Cost: RunWorkers plus one atomic add per item.
void ParallelFor(int workers, size_t n, const std::function<void(size_t i)>& fn);

// ParallelFor telling each call which worker runs it (0 .. min(workers, n) - 1;
// calls with the same worker never overlap), for per-worker accumulators merged
// afterwards. Same cost.
void ParallelForWorker(int workers, size_t n, const std::function<void(int worker, size_t i)>& fn);

}  // namespace tracelane::reader

#endif  // TRACELANE_VIEWER_LIB_PARALLEL_H_
