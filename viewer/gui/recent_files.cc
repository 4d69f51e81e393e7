#include "viewer/gui/recent_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "viewer/gui/config_dir.h"

namespace tracelane::gui {

std::string RecentFiles::DefaultPath() { return ConfigFilePath("recent"); }

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
  std::string text;
  for (const std::string& f : files_) text.append(f).push_back('\n');
  WriteConfigFile(path_, text);
}

}  // namespace tracelane::gui
