// The layout of the panel area below the timeline (its height and the active
// tab), kept between runs in $XDG_CONFIG_HOME/tracelane/layout as key=value
// lines:
//
//   panel_height=320
//   panel_tab=threads
//
// A missing or unreadable file, unknown keys and bad values give the defaults.
#ifndef TRACELANE_VIEWER_GUI_PANEL_LAYOUT_H_
#define TRACELANE_VIEWER_GUI_PANEL_LAYOUT_H_

#include <optional>
#include <string>
#include <string_view>

namespace tracelane::gui {

// The tabs of the panel area, in display order.
enum class PanelTab { kSelection, kThreads, kMmu, kLocks, kScopes, kExplain, kInfo };
inline constexpr int kNumPanelTabs = 7;

// "selection", "threads", "mmu", "locks", "scopes", "explain", "info": the names in the layout file
// and the headless --view names (the "timeline" view is the Selection tab). O(1).
const char* PanelTabKey(PanelTab tab);
// The tab named `key` (as PanelTabKey), or nullopt. O(1).
std::optional<PanelTab> PanelTabFromKey(std::string_view key);
// "Selection", "Threads", "MMU", "Locks", "Scopes", "Explain", "Trace info": tab titles. O(1).
const char* PanelTabTitle(PanelTab tab);

struct PanelLayout {
  static constexpr float kMinHeight = 120;     // px
  static constexpr float kMaxFraction = 0.7f;  // of the window height
  static constexpr float kDefaultHeight = 300;

  float height = kDefaultHeight;  // panel area height in px, splitter excluded
  PanelTab tab = PanelTab::kSelection;

  // The height to use in a window `window_h` px high: height clamped to
  // [kMinHeight, kMaxFraction * window_h] (the minimum wins in tiny windows). O(1).
  float ClampedHeight(float window_h) const;
  bool operator==(const PanelLayout& o) const { return height == o.height && tab == o.tab; }
  bool operator!=(const PanelLayout& o) const { return !(*this == o); }
};

// Parses the file's text. Lines that are not key=value, unknown keys and bad
// values are ignored (their defaults stay). O(text).
PanelLayout ParsePanelLayout(std::string_view text);
// The file's text for `layout`. O(1).
std::string FormatPanelLayout(const PanelLayout& layout);

// $XDG_CONFIG_HOME/tracelane/layout (see viewer/gui/config_dir.h). O(1).
std::string PanelLayoutPath();
// Reads `path` (default: the config file above); missing file = defaults.
PanelLayout LoadPanelLayout(const std::string& path = PanelLayoutPath());
// Writes `layout` to `path` (creating the directory). Returns false if it could
// not be written; the layout is a convenience, so callers may ignore that.
bool SavePanelLayout(const PanelLayout& layout, const std::string& path = PanelLayoutPath());

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_PANEL_LAYOUT_H_
