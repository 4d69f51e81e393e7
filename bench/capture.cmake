# Capture benchmarks (issue 4): tracing overhead with the endpoint idle, and a
# next-N capture over HTTP. Run: build/bin/capture_bench [--rounds 5 --capture 5]
pkg_check_modules(TRACELANE_HTTPLIB_BENCH REQUIRED cpp-httplib)
add_executable(capture_bench capture_bench.cc)
target_compile_options(capture_bench PRIVATE ${TRACELANE_WARNINGS}
  ${TRACELANE_HTTPLIB_BENCH_CFLAGS_OTHER})
target_include_directories(capture_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(capture_bench PRIVATE tracelane::tracelane
  ${TRACELANE_HTTPLIB_BENCH_LINK_LIBRARIES})
