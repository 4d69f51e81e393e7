// Recording-path benchmarks. Run: build/bin/tracelane_bench
// BM_Floor is the hardware floor a scope cannot beat (two rdtsc, two 16-byte
// stores); BM_TraceScope should sit within 10% of it.
#include <benchmark/benchmark.h>

#include "tracelane/config.h"
#include "tracelane/trace.h"

namespace {

struct alignas(16) Slot {
  uint64_t a, b;
};
thread_local Slot tls_slots[4096];
thread_local unsigned tls_i = 0;

// The raw clock read, with no clock-choice branch: the floor is the hardware.
inline uint64_t FloorTicks() {
#ifdef TRACELANE_HAVE_RDTSC
  return __rdtsc();
#else
  return tracelane::internal::ReadTicks();
#endif
}

void BM_Floor(benchmark::State& state) {
  for (auto _ : state) {
    Slot* s = &tls_slots[tls_i++ & 4094];
    s[0].a = FloorTicks();
    s[0].b = 1;
    benchmark::ClobberMemory();
    s[1].a = FloorTicks();
    s[1].b = 2;
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Floor);
BENCHMARK(BM_Floor)->Threads(2);

void BM_TraceScope(benchmark::State& state) {
  for (auto _ : state) {
    TRACE_SCOPE("bench");
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_TraceScope);
BENCHMARK(BM_TraceScope)->Threads(2);

void BM_TraceScopeDisabled(benchmark::State& state) {
  tracelane::SetEnabled(false);
  for (auto _ : state) {
    TRACE_SCOPE("bench");
    benchmark::ClobberMemory();
  }
  tracelane::SetEnabled(true);
}
BENCHMARK(BM_TraceScopeDisabled);

void BM_TraceCounter(benchmark::State& state) {
  int64_t i = 0;
  for (auto _ : state) TRACE_COUNTER("bench_counter", ++i);
}
BENCHMARK(BM_TraceCounter);

}  // namespace

int main(int argc, char** argv) {
  // A budget that fits in L2 per thread: chunks are reused in place, as a
  // long-running service's buffers are in steady state. TRACELANE_BUFFER_MB
  // overrides it to measure with the default 64 MiB budget.
  tracelane::RecorderOptions o;
  o.buffer_bytes = std::getenv("TRACELANE_BUFFER_MB") ? tracelane::CurrentOptions().buffer_bytes
                                                      : size_t{256} << 10;
  if (!tracelane::Configure(o).ok()) return 1;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
