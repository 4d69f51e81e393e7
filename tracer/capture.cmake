# Capture on demand (issue 4): next-N / last-N captures, flight-recorder retention,
# the loopback HTTP endpoint, the signal trigger and crash capture. See docs/CAPTURE.md.
#
# cpp-httplib: Debian's libcpp-httplib-dev ships the *split* httplib.h (declarations
# only) and libcpp-httplib.so, built with OpenSSL, zlib and brotli support. Class
# layouts (Request, ClientImpl, ...) depend on the CPPHTTPLIB_*_SUPPORT macros, so every
# file including httplib.h must be compiled with the same definitions as the .so, i.e.
# pkg-config's cflags: compiling it header-only without SSL is not possible with this
# package. We use no TLS; the .so brings its own libssl/libz/libbrotli dependencies,
# and we link only the .so itself. Only tracer/capture/endpoint.cc includes httplib.h.
pkg_check_modules(TRACELANE_HTTPLIB REQUIRED cpp-httplib)
set(TRACELANE_HTTPLIB_CFLAGS ${TRACELANE_HTTPLIB_CFLAGS_OTHER})
set(TRACELANE_HTTPLIB_LIBS ${TRACELANE_HTTPLIB_LINK_LIBRARIES})

target_sources(tracelane PRIVATE
  capture/autostart.cc
  capture/capture.cc
  capture/crash_capture.cc
  capture/crash_writer.cc
  capture/crash_writer_output.cc
  capture/endpoint.cc
  capture/endpoint_request.cc
  capture/endpoint_util.cc
  capture/files.cc
  capture/index_page.cc
  capture/signal_trigger.cc
  capture/window_stream.cc
)
set_source_files_properties(capture/endpoint.cc PROPERTIES
  COMPILE_OPTIONS "${TRACELANE_HTTPLIB_CFLAGS}"
  INCLUDE_DIRECTORIES "${TRACELANE_HTTPLIB_INCLUDE_DIRS}")
target_link_libraries(tracelane
  PUBLIC absl::statusor
  PRIVATE ${TRACELANE_HTTPLIB_LIBS} absl::str_format absl::time)
# Keep the autostart object (TRACELANE_ENDPOINT & co.) in static links.
target_link_options(tracelane INTERFACE "LINKER:-u,tracelane_capture_autostart")
