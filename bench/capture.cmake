# Capture benchmarks (issue 4): tracing overhead with the endpoint idle, and a
# next-N capture over HTTP. Run: build/bin/capture_bench [--rounds 5 --capture 5]
pkg_check_modules(TRACELANE_HTTPLIB_BENCH REQUIRED cpp-httplib)
add_executable(capture_bench capture_bench.cc)
target_compile_options(capture_bench PRIVATE ${TRACELANE_WARNINGS}
  ${TRACELANE_HTTPLIB_BENCH_CFLAGS_OTHER})
target_include_directories(capture_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(capture_bench PRIVATE tracelane::tracelane
  ${TRACELANE_HTTPLIB_BENCH_LINK_LIBRARIES})

# A large, realistic capture with the real recorder, for the viewer's frame
# benchmark and analysis measurements: build/bin/record_busy OUT.tlt --events N
add_executable(record_busy record_busy.cc)
target_compile_options(record_busy PRIVATE ${TRACELANE_WARNINGS})
target_link_libraries(record_busy PRIVATE tracelane::tracelane absl::time absl::strings)
