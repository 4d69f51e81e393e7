// The recent-files list, kept between runs in $XDG_CONFIG_HOME/tracelane/recent
// (~/.config/tracelane/recent when unset): one absolute path per line, most
// recent first, at most 12.
#ifndef TRACELANE_VIEWER_GUI_RECENT_FILES_H_
#define TRACELANE_VIEWER_GUI_RECENT_FILES_H_

#include <string>
#include <vector>

namespace tracelane::gui {

class RecentFiles {
 public:
  static constexpr size_t kMax = 12;
  // Reads the list from `path` (default: the config file above); a missing or
  // unreadable file gives an empty list.
  explicit RecentFiles(std::string path = DefaultPath());
  // Moves `file` (made absolute) to the front and saves. Failure to save is
  // ignored: the list is a convenience.
  void Add(const std::string& file);
  void Remove(const std::string& file);
  const std::vector<std::string>& files() const { return files_; }
  static std::string DefaultPath();

 private:
  void Save() const;
  std::string path_;
  std::vector<std::string> files_;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_RECENT_FILES_H_
