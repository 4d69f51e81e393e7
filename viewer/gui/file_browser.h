// An in-app file browser (Dear ImGui has none): a modal listing directories and
// .tlt files of one directory, with a path field, parent navigation and a
// "show all files" toggle. Reading a directory is O(entries), once per change.
#ifndef TRACELANE_VIEWER_GUI_FILE_BROWSER_H_
#define TRACELANE_VIEWER_GUI_FILE_BROWSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tracelane::gui {

class FileBrowser {
 public:
  // Opens the modal at `dir` (the current directory if empty).
  void Open(const std::string& dir = "");
  // Draws the modal if open; returns the chosen file once.
  std::optional<std::string> Draw();

 private:
  struct Entry {
    std::string name;
    bool dir;
    uintmax_t size;
  };
  void Read();

  bool open_request_ = false;
  std::string dir_;
  char path_buf_[1024] = {};
  std::vector<Entry> entries_;
  std::string error_;
  bool show_all_ = false;
  int selected_ = -1;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_FILE_BROWSER_H_
