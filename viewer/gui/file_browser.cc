#include "viewer/gui/file_browser.h"

#include <imgui.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tracelane::gui {
namespace fs = std::filesystem;
namespace {

std::string Bytes(uintmax_t n) {
  if (n < 1024) return absl::StrCat(n, " B");
  if (n < (uintmax_t{1} << 20)) return absl::StrFormat("%.1f KiB", n / 1024.0);
  if (n < (uintmax_t{1} << 30)) return absl::StrFormat("%.1f MiB", n / 1048576.0);
  return absl::StrFormat("%.2f GiB", n / 1073741824.0);
}

}  // namespace

void FileBrowser::Open(const std::string& dir) {
  std::error_code ec;
  dir_ = dir.empty() ? fs::current_path(ec).string() : dir;
  open_request_ = true;
  selected_ = -1;
  Read();
}

void FileBrowser::Read() {
  entries_.clear();
  error_.clear();
  std::snprintf(path_buf_, sizeof(path_buf_), "%s", dir_.c_str());
  std::error_code ec;
  fs::directory_iterator it(dir_, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    error_ = absl::StrCat(dir_, ": ", ec.message());
    return;
  }
  for (const fs::directory_entry& e : it) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code ec2;
    const bool is_dir = e.is_directory(ec2);
    if (!is_dir && !show_all_ && !absl::EndsWith(name, ".tlt")) continue;
    entries_.push_back({name, is_dir, is_dir ? 0 : e.file_size(ec2)});
  }
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.dir != b.dir ? a.dir : a.name < b.name;
  });
}

std::optional<std::string> FileBrowser::Draw() {
  if (open_request_) {
    ImGui::OpenPopup("Open trace");
    open_request_ = false;
  }
  std::optional<std::string> chosen;
  ImGui::SetNextWindowSize(ImVec2(720, 480), ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal("Open trace", nullptr)) return chosen;
  if (ImGui::Button("Up")) {
    dir_ = fs::path(dir_).parent_path().string();
    // Move-assigned: assigning the literal trips g++ 12's false -Wrestrict in
    // Release builds (GCC bug 105329).
    if (dir_.empty()) dir_ = std::string("/");
    selected_ = -1;
    Read();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-200);
  if (ImGui::InputText("##path", path_buf_, sizeof(path_buf_),
                       ImGuiInputTextFlags_EnterReturnsTrue)) {
    std::error_code ec;
    if (fs::is_directory(path_buf_, ec)) {
      dir_ = path_buf_;
      Read();
    } else if (fs::is_regular_file(path_buf_, ec)) {
      chosen = std::string(path_buf_);
    } else {
      error_ = absl::StrCat(path_buf_, ": no such file or directory");
    }
  }
  ImGui::SameLine();
  if (ImGui::Checkbox("all files", &show_all_)) Read();
  if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());
  ImGui::BeginChild("entries", ImVec2(0, -ImGui::GetFrameHeightWithSpacing() - 4), true);
  for (int i = 0; i < static_cast<int>(entries_.size()); ++i) {
    const Entry& e = entries_[i];
    const std::string label =
        e.dir ? absl::StrCat("[dir] ", e.name) : absl::StrCat(e.name, "   (", Bytes(e.size), ")");
    if (ImGui::Selectable(label.c_str(), selected_ == i, ImGuiSelectableFlags_AllowDoubleClick)) {
      selected_ = i;
      if (ImGui::IsMouseDoubleClicked(0)) {
        const std::string path = (fs::path(dir_) / e.name).string();
        if (e.dir) {
          dir_ = path;
          selected_ = -1;
          Read();
          break;
        }
        chosen = path;
      }
    }
  }
  if (entries_.empty() && error_.empty()) ImGui::TextDisabled("no .tlt files here");
  ImGui::EndChild();
  const bool can_open =
      selected_ >= 0 && selected_ < static_cast<int>(entries_.size()) && !entries_[selected_].dir;
  if (!can_open) ImGui::BeginDisabled();
  if (ImGui::Button("Open") && can_open) {
    chosen = (fs::path(dir_) / entries_[selected_].name).string();
  }
  if (!can_open) ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
    ImGui::CloseCurrentPopup();
  }
  if (chosen) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
  return chosen;
}

}  // namespace tracelane::gui
