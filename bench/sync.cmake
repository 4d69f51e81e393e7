# Locks, allocator hooks and scheduler-switch capture (issue 3).
# Run: build/bin/tracelane_sync_bench            (Google Benchmark)
#      build/bin/tracelane_sync_bench --sched_throughput=2   (perf switch overhead)
add_executable(tracelane_sync_bench sync_bench.cc)
target_compile_options(tracelane_sync_bench PRIVATE ${TRACELANE_WARNINGS})
target_link_libraries(tracelane_sync_bench PRIVATE tracelane::tracelane benchmark::benchmark)
if(NOT TRACELANE_SANITIZE)
  # Linked (not preloaded) so the benchmark always runs with the malloc hooks;
  # the untraced baseline calls glibc's __libc_malloc/__libc_free directly.
  target_link_libraries(tracelane_sync_bench PRIVATE tracelane_malloc)
  target_compile_definitions(tracelane_sync_bench PRIVATE TRACELANE_BENCH_MALLOC_HOOKS=1)
endif()
