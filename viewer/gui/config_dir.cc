#include "viewer/gui/config_dir.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace tracelane::gui {

std::string ConfigFilePath(std::string_view name) {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  std::string dir;
  if (xdg != nullptr && xdg[0] == '/') {
    dir = std::string(xdg) + "/tracelane/";
  } else {
    const char* home = std::getenv("HOME");
    dir = std::string(home != nullptr ? home : "/tmp") + "/.config/tracelane/";
  }
  return dir.append(name);
}

bool WriteConfigFile(const std::string& path, const std::string& contents) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << contents;
    if (!out) return false;
  }
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace tracelane::gui
