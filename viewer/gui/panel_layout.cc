#include "viewer/gui/panel_layout.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "viewer/gui/config_dir.h"

namespace tracelane::gui {
namespace {

struct TabName {
  PanelTab tab;
  const char* key;
  const char* title;
};
constexpr TabName kTabs[kNumPanelTabs] = {
    {PanelTab::kSelection, "selection", "Selection"},
    {PanelTab::kThreads, "threads", "Threads"},
    {PanelTab::kMmu, "mmu", "MMU"},
    {PanelTab::kLocks, "locks", "Locks"},
    {PanelTab::kScopes, "scopes", "Scopes"},
    {PanelTab::kExplain, "explain", "Explain"},
    {PanelTab::kInfo, "info", "Trace info"},
};

}  // namespace

const char* PanelTabKey(PanelTab tab) { return kTabs[static_cast<int>(tab)].key; }
const char* PanelTabTitle(PanelTab tab) { return kTabs[static_cast<int>(tab)].title; }

std::optional<PanelTab> PanelTabFromKey(std::string_view key) {
  for (const TabName& t : kTabs) {
    if (key == t.key) return t.tab;
  }
  return std::nullopt;
}

float PanelLayout::ClampedHeight(float window_h) const {
  return std::max(kMinHeight, std::min(height, kMaxFraction * window_h));
}

PanelLayout ParsePanelLayout(std::string_view text) {
  PanelLayout layout;
  const absl::string_view all(text.data(), text.size());
  for (absl::string_view line : absl::StrSplit(all, '\n')) {
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) continue;
    const absl::string_view key = absl::StripAsciiWhitespace(line.substr(0, eq));
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(eq + 1));
    if (key == "panel_height") {
      float h = 0;
      if (absl::SimpleAtof(value, &h) && std::isfinite(h) && h >= PanelLayout::kMinHeight &&
          h <= 8192) {
        layout.height = h;
      }
    } else if (key == "panel_tab") {
      const std::optional<PanelTab> t =
          PanelTabFromKey(std::string_view(value.data(), value.size()));
      if (t) layout.tab = *t;
    }
  }
  return layout;
}

std::string FormatPanelLayout(const PanelLayout& layout) {
  return absl::StrCat("panel_height=", static_cast<int>(std::lround(layout.height)),
                      "\npanel_tab=", PanelTabKey(layout.tab), "\n");
}

PanelLayout LoadPanelLayout(const std::string& path) {
  std::ifstream in(path);
  if (!in) return PanelLayout{};
  std::ostringstream text;
  text << in.rdbuf();
  return ParsePanelLayout(text.str());
}

bool SavePanelLayout(const PanelLayout& layout, const std::string& path) {
  return WriteConfigFile(path, FormatPanelLayout(layout));
}

std::string PanelLayoutPath() { return ConfigFilePath("layout"); }

}  // namespace tracelane::gui
