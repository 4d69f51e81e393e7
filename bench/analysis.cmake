# Analysis engine benchmarks (issue 5).
# Run: build/bin/tracelane_analysis_bench
#   BM_LoadAndAnalyze10M  load + full analysis of a 10M-event trace (target < 5 s)
#   BM_MmuCurve100        MMU curve, 100 windows, over 1M pause intervals (target < 1 s)
add_executable(tracelane_analysis_bench analysis_bench.cc)
target_compile_options(tracelane_analysis_bench PRIVATE ${TRACELANE_WARNINGS})
target_include_directories(tracelane_analysis_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(tracelane_analysis_bench PRIVATE tracelane_analysis tracelane::tracelane
  absl::flat_hash_map absl::synchronization benchmark::benchmark)
