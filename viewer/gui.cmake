include(${CMAKE_CURRENT_SOURCE_DIR}/gui/layout/layout.cmake)
