#include "viewer/gui/recent_files.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace tracelane::gui {

std::string RecentFiles::DefaultPath() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/tracelane/recent";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/tmp") + "/.config/tracelane/recent";
}

RecentFiles::RecentFiles(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  std::string line;
  while (files_.size() < kMax && std::getline(in, line)) {
    if (!line.empty() && std::find(files_.begin(), files_.end(), line) == files_.end()) {
      files_.push_back(line);
    }
  }
}

void RecentFiles::Add(const std::string& file) {
  std::error_code ec;
  std::string abs = std::filesystem::absolute(file, ec).lexically_normal().string();
  if (ec) abs = file;
  files_.erase(std::remove(files_.begin(), files_.end(), abs), files_.end());
  files_.insert(files_.begin(), abs);
  if (files_.size() > kMax) files_.resize(kMax);
  Save();
}

void RecentFiles::Remove(const std::string& file) {
  files_.erase(std::remove(files_.begin(), files_.end(), file), files_.end());
  Save();
}

void RecentFiles::Save() const {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return;
    for (const std::string& f : files_) out << f << '\n';
    if (!out) return;
  }
  std::filesystem::rename(tmp, path_, ec);
}

}  // namespace tracelane::gui
