#include "viewer/gui/capture_dialog.h"

#include <imgui.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace tracelane::gui {

void CaptureDialog::Open() {
  open_ = true;
  focus_ = true;
  if (token_[0] == '\0') {
    // As `tracelane capture`: the token may come from the environment.
    if (const char* t = std::getenv("TRACELANE_TOKEN"); t != nullptr) {
      std::snprintf(token_, sizeof(token_), "%s", t);
    }
  }
}

void CaptureDialog::Start() {
  CaptureJobOptions o;
  o.request.address = address_;
  o.request.last = mode_ == 1;
  o.request.seconds = seconds_;
  o.request.token = token_;
  o.path = file_;
  error_.clear();
  job_ = std::make_unique<CaptureJob>(std::move(o));
}

std::optional<std::string> CaptureDialog::Draw() {
  std::optional<std::string> opened;
  if (job_ != nullptr) {
    if (std::optional<absl::StatusOr<std::string>> r = job_->result()) {
      if (r->ok()) {
        opened = **r;
        open_ = false;
      } else if (!absl::IsCancelled(r->status())) {
        error_ = std::string(r->status().message());
      }
      job_.reset();
    }
  }
  if (!open_) return opened;
  ImGui::SetNextWindowSize(ImVec2(560, 0), ImGuiCond_Appearing);
  const ImVec2 centre = ImGui::GetMainViewport()->GetCenter();
  ImGui::SetNextWindowPos(centre, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (focus_) ImGui::SetNextWindowFocus();
  focus_ = false;
  bool keep_open = true;
  if (!ImGui::Begin("Capture from a running program", &keep_open,
                    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    open_ = keep_open;
    return opened;
  }
  const bool running = job_ != nullptr;
  ImGui::TextWrapped(
      "The program must serve the tracelane endpoint (TRACELANE_ENDPOINT=127.0.0.1:6060 or "
      "tracelane::StartEndpoint).");
  ImGui::Spacing();
  ImGui::BeginDisabled(running);
  ImGui::SetNextItemWidth(260);
  const bool enter = ImGui::InputText("endpoint (HOST:PORT)", address_, sizeof(address_),
                                      ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::RadioButton("record the next", &mode_, 0);
  ImGui::SameLine();
  ImGui::RadioButton("the last (flight recorder)", &mode_, 1);
  ImGui::SetNextItemWidth(120);
  ImGui::InputFloat("seconds", &seconds_, 1, 5, "%.1f");
  if (seconds_ < 0.1f) seconds_ = 0.1f;
  if (seconds_ > 3600) seconds_ = 3600;
  ImGui::SetNextItemWidth(260);
  ImGui::InputText("bearer token (if the endpoint has one)", token_, sizeof(token_),
                   ImGuiInputTextFlags_Password);
  ImGui::SetNextItemWidth(380);
  ImGui::InputTextWithHint("save as", "capture-<host>-<port>-<time>.tlt here", file_,
                           sizeof(file_));
  ImGui::EndDisabled();
  ImGui::Spacing();
  if (running) {
    ImGui::ProgressBar(job_->fraction(), ImVec2(-1, 0), job_->status_text().c_str());
    if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
      job_->Cancel();
  } else {
    if (ImGui::Button("Capture") || enter) Start();
    ImGui::SameLine();
    if (ImGui::Button("Close")) keep_open = false;
  }
  if (!error_.empty()) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.4f, 0.4f, 1));
    ImGui::TextWrapped("%s", error_.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::End();
  if (!keep_open) {
    if (job_ != nullptr) job_->Cancel();
    open_ = false;
  }
  return opened;
}

}  // namespace tracelane::gui
