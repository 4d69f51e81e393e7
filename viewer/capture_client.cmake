# `tracelane capture HOST:PORT` (issue 4): the CLI client of the capture endpoint.
# cpp-httplib is compiled with the definitions of Debian's libcpp-httplib.so (see
# tracer/capture.cmake for why the pkg-config cflags are required).
pkg_check_modules(TRACELANE_HTTPLIB_CLIENT REQUIRED cpp-httplib)
target_sources(tracelane_cli PRIVATE cli/capture_command.cc)
set_source_files_properties(cli/capture_command.cc PROPERTIES
  COMPILE_OPTIONS "${TRACELANE_HTTPLIB_CLIENT_CFLAGS_OTHER}"
  INCLUDE_DIRECTORIES "${TRACELANE_HTTPLIB_CLIENT_INCLUDE_DIRS}")
target_link_libraries(tracelane_cli PRIVATE ${TRACELANE_HTTPLIB_CLIENT_LINK_LIBRARIES}
  absl::strings absl::str_format absl::time)
