# The client of the capture endpoint (issue 4): viewer/lib/capture_client, used by
# `tracelane capture HOST:PORT` and the viewer's Capture dialog. cpp-httplib is
# compiled with the definitions of Debian's libcpp-httplib.so (see
# tracer/capture.cmake for why the pkg-config cflags are required); only
# capture_client.cc includes httplib.h.
pkg_check_modules(TRACELANE_HTTPLIB_CLIENT REQUIRED cpp-httplib)
add_library(tracelane_capture_client lib/capture_client.cc)
target_include_directories(tracelane_capture_client
  PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
  PRIVATE ${TRACELANE_HTTPLIB_CLIENT_INCLUDE_DIRS})
target_compile_options(tracelane_capture_client
  PRIVATE ${TRACELANE_WARNINGS} ${TRACELANE_HTTPLIB_CLIENT_CFLAGS_OTHER})
target_link_libraries(tracelane_capture_client
  PUBLIC absl::status absl::statusor
  PRIVATE ${TRACELANE_HTTPLIB_CLIENT_LINK_LIBRARIES} absl::strings absl::str_format absl::time)

target_sources(tracelane_cli PRIVATE cli/capture_command.cc)
target_link_libraries(tracelane_cli PRIVATE tracelane_capture_client absl::strings
  absl::str_format)
