// Where tracelane-viewer keeps its small per-user files (recent files, panel
// layout): $XDG_CONFIG_HOME/tracelane/, or ~/.config/tracelane/ when
// XDG_CONFIG_HOME is unset or not absolute.
#ifndef TRACELANE_VIEWER_GUI_CONFIG_DIR_H_
#define TRACELANE_VIEWER_GUI_CONFIG_DIR_H_

#include <string>
#include <string_view>

namespace tracelane::gui {

// The path of the config file `name` in that directory (which may not exist
// yet). Reads the environment; O(1).
std::string ConfigFilePath(std::string_view name);

// Writes `contents` to `path` through a temporary file and a rename, creating
// the directory first. Returns false on any failure (the caller's file is then
// unchanged). O(contents).
bool WriteConfigFile(const std::string& path, const std::string& contents);

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_CONFIG_DIR_H_
