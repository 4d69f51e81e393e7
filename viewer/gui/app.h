// tracelane-viewer's application: the GLFW window and Dear ImGui context, the
// menus, opening traces (argument, File > Open, recent files, drag and drop),
// the loading, error and welcome views, the timeline, and the headless modes
// (--screenshot, --frames --frame-stats).
#ifndef TRACELANE_VIEWER_GUI_APP_H_
#define TRACELANE_VIEWER_GUI_APP_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "viewer/gui/capture_dialog.h"
#include "viewer/gui/document.h"
#include "viewer/gui/file_browser.h"
#include "viewer/gui/loader.h"
#include "viewer/gui/options.h"
#include "viewer/gui/panel_area.h"
#include "viewer/gui/recent_files.h"
#include "viewer/gui/timeline_state.h"

struct GLFWwindow;

namespace tracelane::gui {

class App {
 public:
  explicit App(ViewerOptions options);
  ~App();
  // Runs until the window closes (interactive) or the headless job ends.
  // Returns the process exit code.
  int Run();

  // GLFW drop callback target.
  void OnDrop(int count, const char** paths);

 private:
  absl::Status InitWindow();
  int RunInteractive();
  int RunHeadless();
  // Builds one ImGui frame (not rendered).
  void BuildFrame();
  void RenderFrame();
  void Open(const std::string& path, bool salvage);
  void PollLoader();
  void ApplyStartupView();

  void DrawMenuBar();
  void DrawHeader();
  void DrawLegend();
  void DrawLoading();
  void DrawError();
  void DrawWelcome();
  void DrawHelp();

  ViewerOptions options_;
  GLFWwindow* window_ = nullptr;
  Loader loader_;
  std::shared_ptr<const Document> doc_;  // shared with the panels' background work
  TimelineState timeline_;
  PanelArea panels_;
  bool startup_view_pending_ = false;
  // The last failed load: its message, whether salvage could help.
  std::optional<absl::Status> error_;
  std::string error_path_;
  RecentFiles recent_;
  FileBrowser browser_;
  CaptureDialog capture_;
  std::vector<std::string> dropped_;
  bool show_help_ = false;
  bool quit_ = false;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_APP_H_
