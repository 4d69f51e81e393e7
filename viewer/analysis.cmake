# Analysis engine (viewer/analysis/): model, thread states, MMU, locks, scopes,
# explain, Chrome and pprof exports; plus the CLI commands over it.
# Included from viewer/CMakeLists.txt.

# pprof's profile.proto, compiled with Debian's protoc into the build tree as
# viewer/proto/profile.pb.{h,cc}.
find_package(Protobuf REQUIRED)
set(TRACELANE_GEN_DIR ${PROJECT_BINARY_DIR}/gen)
set(TRACELANE_PROFILE_PB ${TRACELANE_GEN_DIR}/viewer/proto/profile.pb.cc
                         ${TRACELANE_GEN_DIR}/viewer/proto/profile.pb.h)
add_custom_command(
  OUTPUT ${TRACELANE_PROFILE_PB}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${TRACELANE_GEN_DIR}
  COMMAND protobuf::protoc -I ${PROJECT_SOURCE_DIR} --cpp_out=${TRACELANE_GEN_DIR}
          ${PROJECT_SOURCE_DIR}/viewer/proto/profile.proto
  DEPENDS ${PROJECT_SOURCE_DIR}/viewer/proto/profile.proto protobuf::protoc
  COMMENT "protoc viewer/proto/profile.proto"
  VERBATIM)
# Generated code is compiled without -Werror.
add_library(tracelane_profile_proto STATIC ${TRACELANE_PROFILE_PB})
target_include_directories(tracelane_profile_proto PUBLIC $<BUILD_INTERFACE:${TRACELANE_GEN_DIR}>)
target_link_libraries(tracelane_profile_proto PUBLIC protobuf::libprotobuf)

add_library(tracelane_analysis
  analysis/absl_waits.cc
  analysis/blame.cc
  analysis/blame_tree.cc
  analysis/capture_info.cc
  analysis/chrome_export.cc
  analysis/explain.cc
  analysis/explain_text.cc
  analysis/lock_contention.cc
  analysis/losses.cc
  analysis/mmu.cc
  analysis/model.cc
  analysis/model_builder.cc
  analysis/model_finish.cc
  analysis/pause_stats.cc
  analysis/pprof_export.cc
  analysis/range_stats.cc
  analysis/report_json.cc
  analysis/scope_accumulator.cc
  analysis/scope_stats.cc
  analysis/states.cc
  analysis/thread_states.cc
  analysis/why.cc
)
add_library(tracelane::analysis ALIAS tracelane_analysis)
target_compile_options(tracelane_analysis PRIVATE ${TRACELANE_WARNINGS})
target_link_libraries(tracelane_analysis
  PUBLIC tracelane_reader absl::flat_hash_map absl::status absl::statusor absl::strings
  PRIVATE tracelane_profile_proto ZLIB::ZLIB absl::str_format)

target_sources(tracelane_cli PRIVATE
  cli/analysis_support.cc
  cli/cause_json.cc
  cli/explain_command.cc
  cli/export_command.cc
  cli/locks_command.cc
  cli/mmu_command.cc
  cli/range_command.cc
  cli/scopes_command.cc
  cli/summary_command.cc
  cli/threads_command.cc
  cli/why_command.cc
)
target_link_libraries(tracelane_cli PRIVATE tracelane_analysis)
