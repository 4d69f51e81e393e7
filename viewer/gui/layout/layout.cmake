# Timeline layout library (viewer/gui/layout/): time <-> pixel mapping, the
# ruler, level-of-detail layout of lane rows, wakeup arrows and lane geometry.
# Pure computation over the analysis model: no ImGui or GL dependency, so it is
# unit-tested without a GL context (tests/viewer/). Included from viewer/gui.cmake.
add_library(tracelane_gui_layout STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lane_geometry.cc
  ${CMAKE_CURRENT_LIST_DIR}/lane_layout.cc
  ${CMAKE_CURRENT_LIST_DIR}/ruler.cc
  ${CMAKE_CURRENT_LIST_DIR}/state_index.cc
  ${CMAKE_CURRENT_LIST_DIR}/time_axis.cc
  ${CMAKE_CURRENT_LIST_DIR}/wakeups.cc
)
target_include_directories(tracelane_gui_layout PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
target_compile_options(tracelane_gui_layout PRIVATE ${TRACELANE_WARNINGS})
target_link_libraries(tracelane_gui_layout
  PUBLIC tracelane_analysis absl::strings
  PRIVATE absl::str_format)
