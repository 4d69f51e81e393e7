# tracelane-viewer end to end (headless, under xvfb-run when there is no DISPLAY).
# Included from tests/viewer/CMakeLists.txt when the viewer is built.
if(TARGET tracelane_viewer)
  tracelane_test(viewer_app_test viewer_app_test.cc ${PROJECT_SOURCE_DIR}/viewer/gui/colors.cc
    ${PROJECT_SOURCE_DIR}/viewer/gui/config_dir.cc ${PROJECT_SOURCE_DIR}/viewer/gui/panel_layout.cc
    LIBS tracelane_analysis tracelane::tracelane PkgConfig::TRACELANE_STB absl::strings
    LABELS "viewer;gui")
  target_compile_definitions(viewer_app_test PRIVATE
    TRACELANE_VIEWER_PATH="$<TARGET_FILE:tracelane_viewer>")
  add_dependencies(viewer_app_test tracelane_viewer)
endif()
# The Locks and Scopes views and the panels' data against the CLI's --json.
if(TARGET tracelane_viewer)
  tracelane_test(viewer_panels_test viewer_panels_test.cc ${PROJECT_SOURCE_DIR}/viewer/gui/colors.cc
    LIBS tracelane_analysis tracelane::tracelane PkgConfig::TRACELANE_STB absl::strings
    LABELS "viewer;gui")
  target_compile_definitions(viewer_panels_test PRIVATE
    TRACELANE_VIEWER_PATH="$<TARGET_FILE:tracelane_viewer>"
    TRACELANE_CLI_PATH="$<TARGET_FILE:tracelane_cli>")
  add_dependencies(viewer_panels_test tracelane_viewer tracelane_cli)
endif()
