// The viewer's palette: one colour per thread state (the legend and the state
// strips use these), stable colours for scope names, and the overlay colours.
// Colours are ImGui's packed ABGR (IM_COL32).
#ifndef TRACELANE_VIEWER_GUI_COLORS_H_
#define TRACELANE_VIEWER_GUI_COLORS_H_

#include <cstdint>
#include <string_view>

#include "viewer/analysis/states.h"

namespace tracelane::gui {

// Fill colour of a thread state. O(1).
uint32_t StateColor(analysis::ThreadState s);
// A stable, readable fill colour for a scope name (hash of the name). O(name).
uint32_t ScopeColor(std::string_view name);
// Text colour that reads on top of `fill` (black or white). O(1).
uint32_t TextOn(uint32_t fill);
// `c` with its alpha replaced. O(1).
uint32_t WithAlpha(uint32_t c, uint8_t alpha);

inline constexpr uint32_t kStwBand = 0x402222E0;  // stop-the-world band (translucent red)
inline constexpr uint32_t kSelectionFill = 0x30FFC850;
inline constexpr uint32_t kSelectionEdge = 0xC0FFC850;
inline constexpr uint32_t kMergedScope = 0xFF8A8A8A;  // a block of merged scopes
inline constexpr uint32_t kCutMark = 0xFF2020FF;      // where a capture window cut a span
inline constexpr uint32_t kLossMark = 0xFF00A5FF;     // where data was lost
inline constexpr uint32_t kWakeupArrow = 0xE0F0F0F0;
inline constexpr uint32_t kLaneHeader = 0xFF3A3330;
inline constexpr uint32_t kLaneBackground = 0xFF221E1C;
inline constexpr uint32_t kGrid = 0x30FFFFFF;
inline constexpr uint32_t kLossHighlight =
    0xFF00457A;                                    // table cell of a non-zero loss (dark orange)
inline constexpr uint32_t kMmuCurve = 0xFFFFB182;  // the MMU curve (light blue)
// The Locks panel's selected lock on the timeline: its waits' outline (cyan)
// and the current wait's fill.
inline constexpr uint32_t kLockHighlight = 0xFFFFFF00;
inline constexpr uint32_t kLockCurrent = 0x90FFFF00;
// The Scopes panel's histogram: bars (steel blue), the picked bucket (amber),
// the p50 (green) and p99 (red) markers.
inline constexpr uint32_t kHistogramBar = 0xFFD0A048;
inline constexpr uint32_t kHistogramSelected = 0xFF50D0FF;
inline constexpr uint32_t kP50Marker = 0xFF80E080;
inline constexpr uint32_t kP99Marker = 0xFF5050F0;

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_COLORS_H_
