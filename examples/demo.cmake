# The demo service: real p99 spikes from locks, stop-the-world, allocator pauses,
# scheduler waits and I/O.
add_executable(demo_service demo_service/demo_service.cc)
target_compile_options(demo_service PRIVATE ${TRACELANE_WARNINGS})
target_link_libraries(demo_service PRIVATE tracelane::tracelane absl::flags absl::flags_parse
                      absl::str_format absl::time)
if(TARGET tracelane_alloc_hooks)
  target_link_libraries(demo_service PRIVATE tracelane_alloc_hooks)
endif()
