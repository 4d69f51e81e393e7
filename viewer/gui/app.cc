#include "viewer/gui/app.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/capture_info.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/frame_stats.h"
#include "viewer/gui/lane_painter.h"
#include "viewer/gui/screenshot.h"
#include "viewer/gui/timeline_input.h"
#include "viewer/gui/timeline_view.h"
#include "viewer/gui/view_dump.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

constexpr const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

void DropCallback(GLFWwindow* w, int count, const char** paths) {
  static_cast<App*>(glfwGetWindowUserPointer(w))->OnDrop(count, paths);
}

void GlfwError(int code, const char* what) {
  std::fprintf(stderr, "tracelane-viewer: GLFW error %d: %s\n", code, what);
}

// Whether reading the intact blocks could still open a file that failed.
bool Salvageable(const absl::Status& s) {
  return s.code() == absl::StatusCode::kDataLoss || s.code() == absl::StatusCode::kOutOfRange ||
         s.code() == absl::StatusCode::kInvalidArgument;
}

void ApplyStyle() {
  ImGui::StyleColorsDark();
  ImGuiStyle& st = ImGui::GetStyle();
  st.WindowRounding = 0;
  st.FrameRounding = 2;
  st.ScrollbarSize = 14;
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini next to the user's traces
  if (std::filesystem::exists(kFontPath)) io.Fonts->AddFontFromFileTTF(kFontPath, 15.0f);
}

}  // namespace

App::App(ViewerOptions options) : options_(std::move(options)) {
  if (options_.headless()) {
    // Screenshots and frame timings do not depend on (or change) the user's layout.
    panels_.persist = false;
  } else {
    panels_.layout = panels_.saved = LoadPanelLayout();
  }
  if (std::optional<PanelTab> tab = ViewTab(options_.view)) panels_.layout.tab = *tab;
}

App::~App() {
  if (window_ != nullptr) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window_);
    glfwTerminate();
  }
}

absl::Status App::InitWindow() {
  glfwSetErrorCallback(GlfwError);
  if (!glfwInit()) {
    return absl::UnavailableError(
        "cannot open a window: no display (set DISPLAY, or run under xvfb-run)");
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  if (options_.headless()) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  window_ = glfwCreateWindow(options_.width, options_.height, "tracelane", nullptr, nullptr);
  if (window_ == nullptr) {
    glfwTerminate();
    return absl::UnavailableError("cannot create an OpenGL 3.3 window");
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(options_.headless() ? 0 : 1);
  glfwSetWindowUserPointer(window_, this);
  glfwSetDropCallback(window_, DropCallback);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ApplyStyle();
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 330");
  return absl::OkStatus();
}

void App::OnDrop(int count, const char** paths) {
  for (int i = 0; i < count; ++i) dropped_.emplace_back(paths[i]);
}

void App::Open(const std::string& path, bool salvage) {
  error_.reset();
  loader_.Start(path, salvage);
}

void App::PollLoader() {
  std::optional<absl::StatusOr<std::unique_ptr<Document>>> r = loader_.TakeResult();
  if (!r) return;
  if (!r->ok()) {
    if (r->status().code() == absl::StatusCode::kCancelled && !options_.headless()) return;
    error_ = r->status();
    error_path_ = loader_.path();
    return;
  }
  ResetPanels(panels_);
  doc_ = std::move(**r);
  timeline_ = TimelineState{};
  startup_view_pending_ = true;
  recent_.Add(doc_->path);
  const std::string title =
      absl::StrCat(std::filesystem::path(doc_->path).filename().string(), " - tracelane");
  glfwSetWindowTitle(window_, title.c_str());
}

// --range and --select-scope, applied once to the first document.
void App::ApplyStartupView() {
  if (!startup_view_pending_ || !doc_) return;
  startup_view_pending_ = false;
  if (options_.range) {
    timeline_.pending_range = std::make_pair(doc_->model.start_ns + options_.range->first,
                                             doc_->model.start_ns + options_.range->second);
    if (options_.limit_to_range) {
      // The range selected, and the panels limited to it (their toggles on).
      timeline_.range = RangeSelection{timeline_.pending_range->first,
                                       timeline_.pending_range->second, std::nullopt};
      panels_.threads.limit_to_range = panels_.locks.limit_to_range =
          panels_.scopes.limit_to_range = true;
    }
  }
  if (!options_.select_scope.empty()) {
    std::optional<analysis::ScopeInstance> inst =
        analysis::NthSlowest(doc_->model, options_.select_scope, options_.rank);
    if (inst) {
      UpdateLanes(*doc_, timeline_);
      timeline_.axis.width = static_cast<float>(options_.width) - kLabelWidth - 14;
      JumpToScope(*doc_, timeline_, inst->ref.thread, inst->ref.index, 0);
      timeline_.pending_range = std::nullopt;
      timeline_.axis_ready = true;
      timeline_.history.clear();
    } else {
      std::fprintf(stderr, "tracelane-viewer: no instance %d of scope '%s'\n", options_.rank,
                   options_.select_scope.c_str());
    }
  }
  options_.range.reset();
  options_.select_scope.clear();
}

void App::BuildFrame() {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (options_.headless()) {
    // Offscreen: the image size, whatever the (hidden) window got.
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize =
        ImVec2(static_cast<float>(options_.width), static_cast<float>(options_.height));
    io.DisplayFramebufferScale = ImVec2(1, 1);
  }
  ImGui::NewFrame();
  for (const std::string& p : dropped_) Open(p, false);
  dropped_.clear();
  PollLoader();
  ApplyStartupView();

  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->Pos);
  ImGui::SetNextWindowSize(vp->Size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 4));
  ImGui::Begin("main", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_MenuBar |
                   ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleVar();
  DrawMenuBar();
  if (loader_.busy()) {
    DrawLoading();
  } else if (error_) {
    DrawError();
  } else if (doc_) {
    DrawHeader();
    if (timeline_.show_legend) DrawLegend();
    ImGui::BeginChild("timeline", ImVec2(0, -PanelAreaHeight(panels_, vp->Size.y)), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    DrawTimeline(*doc_, timeline_);
    ImGui::EndChild();
    DrawPanelArea(doc_, timeline_, panels_);
  } else {
    DrawWelcome();
  }
  if (std::optional<std::string> f = browser_.Draw()) Open(*f, false);
  if (std::optional<std::string> f = capture_.Draw()) Open(*f, false);
  if (show_help_) DrawHelp();
  ImGui::End();

  ImGuiIO& io = ImGui::GetIO();
  if (!io.WantTextInput && io.KeyCtrl) {
    if (ImGui::IsKeyPressed(GLFW_KEY_O, false)) browser_.Open();
    if (ImGui::IsKeyPressed(GLFW_KEY_L, false)) capture_.Open();
    if (ImGui::IsKeyPressed(GLFW_KEY_Q, false)) quit_ = true;
  }
  ImGui::Render();
}

void App::RenderFrame() {
  int w = options_.width, h = options_.height;
  if (!options_.headless()) glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  glClearColor(0.09f, 0.09f, 0.1f, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void App::DrawMenuBar() {
  if (!ImGui::BeginMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open...", "Ctrl+O")) browser_.Open();
    if (ImGui::MenuItem("Capture from a running program...", "Ctrl+L")) capture_.Open();
    if (ImGui::BeginMenu("Open recent", !recent_.files().empty())) {
      std::string pick;
      for (const std::string& f : recent_.files()) {
        if (ImGui::MenuItem(f.c_str())) pick = f;
      }
      ImGui::EndMenu();
      if (!pick.empty()) Open(pick, false);
    }
    if (ImGui::MenuItem("Reload", nullptr, false, doc_ != nullptr))
      Open(doc_->path, doc_->salvaged);
    if (ImGui::MenuItem("Close", nullptr, false, doc_ != nullptr)) {
      ResetPanels(panels_);
      doc_.reset();
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) quit_ = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View", doc_ != nullptr)) {
    if (ImGui::MenuItem("Fit trace or selection", "F")) FitView(*doc_, timeline_, ImGui::GetTime());
    if (ImGui::MenuItem("Undo navigation", "Backspace", false, !timeline_.history.empty())) {
      UndoNavigation(timeline_);
    }
    if (ImGui::BeginMenu("Sort lanes by")) {
      const std::pair<const char*, LaneSort> sorts[] = {
          {"trace order", LaneSort::kTraceOrder},
          {"name", LaneSort::kName},
          {"tid", LaneSort::kTid},
          {"time not running", LaneSort::kNotRunning}};
      for (const auto& [label, sort] : sorts) {
        if (ImGui::MenuItem(label, nullptr, timeline_.sort == sort)) {
          timeline_.sort = sort;
          timeline_.lanes_dirty = true;
        }
      }
      ImGui::EndMenu();
    }
    ImGui::MenuItem("Wake-up arrows", nullptr, &timeline_.show_wakeups);
    ImGui::MenuItem("Legend", nullptr, &timeline_.show_legend);
    if (ImGui::MenuItem("Collapse all lanes")) {
      timeline_.collapsed.assign(doc_->model.threads.size(), true);
      timeline_.lanes_dirty = true;
    }
    if (ImGui::MenuItem("Expand all lanes")) {
      timeline_.collapsed.assign(doc_->model.threads.size(), false);
      timeline_.lanes_dirty = true;
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Keys and mouse")) show_help_ = true;
    ImGui::EndMenu();
  }
  ImGui::EndMenuBar();
}

void App::DrawHeader() {
  const analysis::Model& m = doc_->model;
  const std::string name = std::filesystem::path(doc_->path).filename().string();
  const double ev = static_cast<double>(m.events);
  const std::string events = ev < 1e4   ? absl::StrCat(m.events)
                             : ev < 1e6 ? absl::StrFormat("%.1fK", ev / 1e3)
                                        : absl::StrFormat("%.2fM", ev / 1e6);
  ImGui::Text("%s   %s   %zu threads   %s events", name.c_str(),
              FormatDuration(m.duration_ns()).c_str(), m.threads.size(), events.c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("  scheduler data: %s", analysis::SchedulerLabel(m.scheduler));
  if (doc_->lost_events > 0) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1, 0.65f, 0, 1), "  %lld events lost (hatched where lost)",
                       static_cast<long long>(doc_->lost_events));
  }
  if (doc_->cut_scopes > 0) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "  %llu scopes cut by the capture window",
                       static_cast<unsigned long long>(doc_->cut_scopes));
  }
  if (doc_->data_gaps > 0) {
    ImGui::SameLine();
    const std::string gaps = absl::StrCat(
        "  data lost in ", doc_->data_gaps, doc_->data_gaps == 1 ? " gap, " : " gaps, ",
        doc_->lost_scopes, doc_->lost_scopes == 1 ? " scope" : " scopes", " cut there");
    ImGui::TextColored(ImVec4(1, 0.65f, 0, 1), "%s", gaps.c_str());
  }
  if (doc_->salvaged) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1, 0.65f, 0, 1), "  salvaged: %zu damaged parts skipped",
                       m.info.warnings.size());
  }
}

void App::DrawLegend() {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float h = ImGui::GetTextLineHeight();
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  bool first = true;
  // One entry: a swatch `swatch_w` px wide drawn by `swatch` at its top left,
  // then the label; on a new line when it would not fit on this one.
  const auto item = [&](float swatch_w, const char* label, const auto& swatch) {
    const float need =
        swatch_w + 2 + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(label).x;
    if (!first) {
      ImGui::SameLine(0, 14);
      if (ImGui::GetCursorScreenPos().x + need > right) ImGui::NewLine();
    }
    first = false;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    swatch(p);
    ImGui::Dummy(ImVec2(swatch_w + 2, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(label);
  };
  const auto box = [&](uint32_t color) {
    return [&, color](ImVec2 p) {
      dl->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + h, p.y + h - 1), color);
    };
  };
  for (int i = 0; i < analysis::kNumStates; ++i) {
    const auto st = static_cast<analysis::ThreadState>(i);
    item(h, analysis::StateLabel(st), box(StateColor(st)));
  }
  item(h, "stop-the-world", box(kStwBand));
  const float cut_w = ImGui::CalcTextSize(">|").x;
  item(cut_w, "cut by capture window",
       [&](ImVec2 p) { dl->AddText(p, IM_COL32(255, 77, 77, 255), ">|"); });
  item(2 * h, "data lost (state unknown)", [&](ImVec2 p) {
    DrawLossHatch(dl, ImVec2(p.x, p.y + 2), ImVec2(p.x + 2 * h, p.y + h - 1));
  });
  const char* hint = "wheel zoom  drag pan  Shift+drag select  F fit  Backspace undo";
  ImGui::SameLine(0, 14);
  if (ImGui::GetCursorScreenPos().x + ImGui::CalcTextSize(hint).x <= right) {
    ImGui::TextDisabled("%s", hint);
  } else {
    ImGui::NewLine();
  }
}

void App::DrawLoading() {
  ImGui::Dummy(ImVec2(0, 40));
  ImGui::Text("Loading %s", loader_.path().c_str());
  const float f = loader_.fraction();
  const std::string overlay =
      loader_.indexing() ? std::string("indexing...") : absl::StrFormat("%.0f%%", f * 100);
  ImGui::ProgressBar(f, ImVec2(600, 0), overlay.c_str());
  if (ImGui::Button("Cancel")) loader_.Cancel();
}

void App::DrawError() {
  ImGui::Dummy(ImVec2(0, 30));
  ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "Cannot open %s", error_path_.c_str());
  ImGui::Spacing();
  ImGui::PushTextWrapPos(ImGui::GetContentRegionAvail().x * 0.9f);
  ImGui::TextUnformatted(std::string(error_->message()).c_str());
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  if (Salvageable(*error_) && !loader_.salvage()) {
    ImGui::TextWrapped(
        "The file is damaged. Salvage reads every intact block and skips the "
        "damaged ones (each is listed); what is shown is then incomplete.");
    if (ImGui::Button("Open with salvage")) Open(error_path_, true);
    ImGui::SameLine();
  }
  if (ImGui::Button("Open another file...")) browser_.Open();
  ImGui::SameLine();
  if (ImGui::Button("Dismiss")) error_.reset();
}

void App::DrawWelcome() {
  ImGui::Dummy(ImVec2(0, 30));
  ImGui::Text("tracelane: open a .tlt trace (File > Open, Ctrl+O, or drop a file on this window)");
  ImGui::Spacing();
  if (ImGui::Button("Open...")) browser_.Open();
  ImGui::SameLine();
  if (ImGui::Button("Capture from a running program...")) capture_.Open();
  if (!recent_.files().empty()) {
    ImGui::Spacing();
    ImGui::TextDisabled("Recent");
    for (const std::string& f : recent_.files()) {
      if (ImGui::Selectable(f.c_str())) {
        Open(f, false);
        break;
      }
    }
  }
}

void App::DrawHelp() {
  ImGui::SetNextWindowSize(ImVec2(520, 0), ImGuiCond_Appearing);
  if (!ImGui::Begin("Keys and mouse", &show_help_)) {
    ImGui::End();
    return;
  }
  const char* rows[][2] = {
      {"wheel / W S", "zoom around the cursor"},
      {"drag / A D", "pan"},
      {"Shift+drag", "select a time range (statistics below)"},
      {"Ctrl+click lane name", "limit range statistics to chosen lanes"},
      {"F", "fit the selection, or the whole trace"},
      {"Backspace / Ctrl+Z", "undo the last navigation"},
      {". / ,", "next / previous instance of the hovered or selected scope"},
      {"click a scope", "select it"},
      {"Esc", "clear the selection"},
      {"click the triangle", "fold a lane"},
      {"Ctrl+O / Ctrl+Q", "open a file / quit"},
      {"Ctrl+L", "capture from a running program"},
  };
  for (const auto& r : rows) {
    ImGui::TextUnformatted(r[0]);
    ImGui::SameLine(200);
    ImGui::TextUnformatted(r[1]);
  }
  ImGui::End();
}

int App::Run() {
  if (absl::Status s = InitWindow(); !s.ok()) {
    std::fprintf(stderr, "tracelane-viewer: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  if (!options_.file.empty()) Open(options_.file, options_.salvage);
  return options_.headless() ? RunHeadless() : RunInteractive();
}

int App::RunInteractive() {
  while (!glfwWindowShouldClose(window_) && !quit_) {
    if (loader_.busy() || PanelAreaBusy(panels_) || capture_.busy()) {
      glfwWaitEventsTimeout(1.0 / 30);  // redraw the progress
    } else {
      glfwWaitEventsTimeout(0.5);  // idle: wake on input (and twice a second)
    }
    BuildFrame();
    RenderFrame();
    glfwSwapBuffers(window_);
  }
  return 0;
}

int App::RunHeadless() {
  OffscreenTarget target;
  if (absl::Status s = target.Init(options_.width, options_.height); !s.ok()) {
    std::fprintf(stderr, "tracelane-viewer: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  loader_.Wait();
  FrameStatsReport report;
  report.width = options_.width;
  report.height = options_.height;
  // Two frames let ImGui settle its layout; the second is the first full frame.
  for (int i = 0; i < 2; ++i) {
    BuildFrame();
    target.Bind();
    RenderFrame();
  }
  // Panels computing off the UI thread (the MMU curve) finish before the
  // screenshot or the timed frames; at most about a minute.
  for (int i = 0; i < 6000 && (PanelAreaBusy(panels_) || (doc_ && panels_.tab_request)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    BuildFrame();
    target.Bind();
    RenderFrame();
  }
  glFinish();
  report.first_frame_ms = MsSinceProcessStart();
  const bool failed = error_.has_value() || !doc_;
  if (failed) {
    std::fprintf(stderr, "tracelane-viewer: %s\n",
                 error_ ? std::string(error_->message()).c_str() : "no trace loaded");
  }
  if (!failed && !options_.dump_view_json.empty()) {
    absl::StatusOr<std::string> json = ActivePanelJson(*doc_, panels_);
    if (!json.ok()) {
      std::fprintf(stderr, "tracelane-viewer: %s\n", std::string(json.status().message()).c_str());
      return 1;
    }
    std::FILE* f = std::fopen(options_.dump_view_json.c_str(), "w");
    if (f == nullptr || std::fputs(json->c_str(), f) < 0 || std::fputs("\n", f) < 0 ||
        std::fclose(f) != 0) {
      std::fprintf(stderr, "tracelane-viewer: cannot write %s\n", options_.dump_view_json.c_str());
      return 1;
    }
  }
  if (!failed && options_.frames > 0 && options_.sort_each_frame) {
    panels_.threads.resort_each_frame = panels_.locks.resort_each_frame =
        panels_.scopes.resort_each_frame = 1;
  }
  if (!failed && options_.frames > 0) {
    // Pan and zoom around the requested view: frame i shows it shifted by up to
    // 10% of its width and zoomed by up to 10%, so nothing is served from a
    // previous frame's work.
    const TimeAxis base = timeline_.axis;
    report.visible_start_ns = base.start_ns;
    report.visible_end_ns = base.end_ns();
    for (int i = 0; i < options_.frames; ++i) {
      const double zoom = 1 + 0.1 * std::sin(i * 0.37);
      const double centre =
          base.start_ns + (base.end_ns() - base.start_ns) * (0.5 + 0.1 * std::sin(i * 0.23));
      timeline_.axis.ns_per_px = base.ns_per_px / zoom;
      timeline_.axis.start_frac = 0;
      timeline_.axis.start_ns =
          static_cast<int64_t>(centre - timeline_.axis.ns_per_px * base.width / 2);
      const auto t0 = std::chrono::steady_clock::now();
      BuildFrame();
      const auto t1 = std::chrono::steady_clock::now();
      target.Bind();
      RenderFrame();
      glFinish();
      report.frame_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    timeline_.axis = base;
  } else if (!failed) {
    report.visible_start_ns = timeline_.axis.start_ns;
    report.visible_end_ns = timeline_.axis.end_ns();
  }
  if (!options_.screenshot.empty()) {
    BuildFrame();
    target.Bind();
    RenderFrame();
    glFinish();
    if (absl::Status s = target.WritePng(options_.screenshot); !s.ok()) {
      std::fprintf(stderr, "tracelane-viewer: %s\n", std::string(s.message()).c_str());
      return 1;
    }
  }
  if (options_.frame_stats) {
    if (doc_) {
      report.events = doc_->model.events;
      report.threads = doc_->model.threads.size();
    }
    report.peak_rss_kb = PeakRssKb();
    std::printf("%s\n", FrameStatsJson(report).c_str());
  }
  return failed ? 1 : 0;
}

}  // namespace tracelane::gui
