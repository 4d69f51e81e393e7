# Analysis engine benchmarks (issue 5).
# Run: build/bin/tracelane_analysis_bench
#   BM_LoadAndAnalyze10M  load + full analysis of a 10M-event trace (target < 5 s)
#   BM_MmuCurve100        MMU curve, 100 windows, over 1M pause intervals (target < 1 s)
add_executable(tracelane_analysis_bench analysis_bench.cc)
target_compile_options(tracelane_analysis_bench PRIVATE ${TRACELANE_WARNINGS})
target_include_directories(tracelane_analysis_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(tracelane_analysis_bench PRIVATE tracelane_analysis tracelane::tracelane
  absl::flat_hash_map absl::synchronization benchmark::benchmark)

# Real-capture benchmark (issue 11): records with bench/record_busy, then times
# `tracelane info` and `tracelane summary` (load + full analysis) and their peak RSS.
# Run: build/bin/tracelane_capture_analysis_bench [--capture PATH] [--events N]
add_executable(tracelane_capture_analysis_bench capture_analysis_bench.cc)
target_compile_options(tracelane_capture_analysis_bench PRIVATE ${TRACELANE_WARNINGS})
target_link_libraries(tracelane_capture_analysis_bench PRIVATE tracelane_reader
  benchmark::benchmark)
target_compile_definitions(tracelane_capture_analysis_bench PRIVATE
  TRACELANE_CLI_PATH="$<TARGET_FILE:tracelane_cli>" RECORD_BUSY_PATH="$<TARGET_FILE:record_busy>")
add_dependencies(tracelane_capture_analysis_bench tracelane_cli record_busy)
