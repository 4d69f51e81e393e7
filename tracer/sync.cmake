# Locks, blocking scopes, pauses, scheduler switches and allocator pauses
# (issue 3). Included from tracer/CMakeLists.txt.

target_sources(tracelane PRIVATE
  sync/abseil_locks.cc
  sync/block_pause.cc
  sync/lock_events.cc
  sync/subsystem_init.cc
  sched/perf_switch_ring.cc
  sched/sched_collector.cc
  sched/schedstat_reader.cc
  alloc/alloc_pause.cc
)
target_link_libraries(tracelane PUBLIC absl::time PRIVATE absl::str_format)
# Keep the start-up registration (a static constructor) in programs that link the
# static library, and export the allocator sink from executables so a preloaded
# libtracelane_malloc.so records into the program's recorder.
target_link_options(tracelane INTERFACE
  "LINKER:-u,tracelane_sync_subsystems_anchor"
  "LINKER:--export-dynamic-symbol=tracelane_alloc_sink_v1")

# tracelane::alloc_hooks: replaces global operator new/delete with timed versions.
# An object library, so the replacements are always linked.
add_library(tracelane_alloc_hooks OBJECT alloc/operator_new.cc)
add_library(tracelane::alloc_hooks ALIAS tracelane_alloc_hooks)
set_target_properties(tracelane_alloc_hooks PROPERTIES EXPORT_NAME alloc_hooks)
target_include_directories(tracelane_alloc_hooks PRIVATE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
target_compile_options(tracelane_alloc_hooks PRIVATE ${TRACELANE_WARNINGS})
target_link_libraries(tracelane_alloc_hooks PUBLIC tracelane)

# libtracelane_malloc.so: malloc/free/... interposer for LD_PRELOAD. Carries a
# hidden copy of the recorder for programs that do not link tracelane. That copy
# leaves out the capture front ends (tracer/capture/: endpoint, signal and crash
# triggers started from the environment), which must run once per process: in a
# program that links tracelane they belong to the program's recorder.
add_library(tracelane_preload_core STATIC EXCLUDE_FROM_ALL
  $<FILTER:$<TARGET_PROPERTY:tracelane,SOURCES>,EXCLUDE,^capture/>)
target_include_directories(tracelane_preload_core
  PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_options(tracelane_preload_core PRIVATE ${TRACELANE_WARNINGS})
target_link_libraries(tracelane_preload_core
  PUBLIC absl::status absl::statusor absl::synchronization absl::time Threads::Threads
  PRIVATE absl::flat_hash_map absl::strings absl::str_format PkgConfig::ZSTD ZLIB::ZLIB)

add_library(tracelane_malloc SHARED alloc/malloc_preload.cc)
add_library(tracelane::malloc ALIAS tracelane_malloc)
set_target_properties(tracelane_malloc PROPERTIES OUTPUT_NAME tracelane_malloc EXPORT_NAME malloc)
target_include_directories(tracelane_malloc PRIVATE ${PROJECT_SOURCE_DIR})
# -fno-plt: call glibc's __libc_* through the GOT directly (one jump less per call).
target_compile_options(tracelane_malloc PRIVATE ${TRACELANE_WARNINGS} -fno-plt)
target_link_libraries(tracelane_malloc PRIVATE $<BUILD_INTERFACE:tracelane_preload_core>
  ${CMAKE_DL_LIBS})
target_link_options(tracelane_malloc PRIVATE
  "LINKER:-u,tracelane_sync_subsystems_anchor" "LINKER:--exclude-libs,ALL" "LINKER:-z,defs")

install(TARGETS tracelane_alloc_hooks tracelane_malloc EXPORT tracelaneTargets
  OBJECTS DESTINATION ${CMAKE_INSTALL_LIBDIR}/tracelane_alloc_hooks
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
