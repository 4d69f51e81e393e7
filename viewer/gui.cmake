# The desktop viewer (viewer/gui/): the pure layout library (no GL, unit-tested)
# and tracelane-viewer, a Dear ImGui 1.86 + GLFW 3.3 + OpenGL 3 application, all
# from Debian packages (libimgui-dev with its GLFW/OpenGL3 backends compiled in,
# libglfw3-dev, libgl-dev, libstb-dev). Included from viewer/CMakeLists.txt.
include(${CMAKE_CURRENT_SOURCE_DIR}/gui/layout/layout.cmake)

option(TRACELANE_BUILD_GUI "Build tracelane-viewer (needs libimgui-dev, libglfw3-dev)" ON)
if(NOT TRACELANE_BUILD_GUI)
  return()
endif()
pkg_check_modules(TRACELANE_IMGUI IMPORTED_TARGET GLOBAL imgui)
pkg_check_modules(TRACELANE_GLFW IMPORTED_TARGET GLOBAL glfw3)
pkg_check_modules(TRACELANE_STB IMPORTED_TARGET GLOBAL stb)
find_package(OpenGL)
if(NOT TRACELANE_IMGUI_FOUND OR NOT TRACELANE_GLFW_FOUND OR NOT TRACELANE_STB_FOUND
   OR NOT TARGET OpenGL::GL)
  message(WARNING "tracelane-viewer not built: install libimgui-dev libglfw3-dev libgl-dev "
                  "libstb-dev (scripts/install-deps.sh)")
  return()
endif()

add_executable(tracelane_viewer
  gui/app.cc
  gui/blame_chain_view.cc
  gui/capture_dialog.cc
  gui/capture_job.cc
  gui/colors.cc
  gui/config_dir.cc
  gui/counter_tracks.cc
  gui/cut_scope_text.cc
  gui/document.cc
  gui/explain_panel.cc
  gui/file_browser.cc
  gui/frame_stats.cc
  gui/lane_painter.cc
  gui/loader.cc
  gui/lock_highlight.cc
  gui/locks_panel.cc
  gui/main.cc
  gui/mmu_job.cc
  gui/mmu_panel.cc
  gui/options.cc
  gui/panel_area.cc
  gui/panel_layout.cc
  gui/range_limit.cc
  gui/recent_files.cc
  gui/scope_histogram.cc
  gui/scopes_panel.cc
  gui/screenshot.cc
  gui/selection_panel.cc
  gui/threads_panel.cc
  gui/timeline_input.cc
  gui/timeline_tooltip.cc
  gui/timeline_view.cc
  gui/trace_info_panel.cc
  gui/view_dump.cc
)
set_target_properties(tracelane_viewer PROPERTIES OUTPUT_NAME tracelane-viewer)
target_compile_options(tracelane_viewer PRIVATE ${TRACELANE_WARNINGS})
target_include_directories(tracelane_viewer PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(tracelane_viewer PRIVATE
  tracelane_gui_layout tracelane_analysis tracelane_capture_client absl::synchronization absl::str_format
  PkgConfig::TRACELANE_IMGUI PkgConfig::TRACELANE_GLFW PkgConfig::TRACELANE_STB OpenGL::GL
  ${CMAKE_DL_LIBS} Threads::Threads)
install(TARGETS tracelane_viewer RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
