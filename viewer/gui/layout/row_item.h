// What the level-of-detail layout produces for one row of a lane: items and
// merged blocks in pixel space, with the options and counters of the layout.
#ifndef TRACELANE_VIEWER_GUI_LAYOUT_ROW_ITEM_H_
#define TRACELANE_VIEWER_GUI_LAYOUT_ROW_ITEM_H_

#include <cstdint>

namespace tracelane::gui {

// RowItem::flags bits.
inline constexpr uint8_t kCutBegin = 1;   // a scope whose begin the capture window cut
inline constexpr uint8_t kCutEnd = 2;     // a scope whose end the capture window cut
inline constexpr uint8_t kMerged = 4;     // a merged block (count > 1)
inline constexpr uint8_t kLostBegin = 8;  // a scope whose begin was lost (a DataGap ends there)
inline constexpr uint8_t kLostEnd = 16;   // a scope whose end was lost (a DataGap starts there)

// One thing to draw in a row: a single item, or a run of items each narrower than
// the merge threshold, merged into one block. 24 bytes.
struct RowItem {
  float x0, x1;    // clipped to [axis.x0, axis.x0 + axis.width]; x1 - x0 may be < 1 px
  uint32_t first;  // index of the first item covered (meaning depends on the row kind)
  uint32_t count;  // items covered; 1 = a single item, > 1 = merged block
  uint32_t key;    // colour key: a ThreadState for states, a location index for scopes, ...
  uint8_t
      flags;  // kCutBegin | kCutEnd | kLostBegin | kLostEnd for a cut scope, kMerged for a block

  bool merged() const { return (flags & kMerged) != 0; }
};

// Items the layout touched, so tests can assert the level of detail.
struct LayoutStats {
  uint64_t visited = 0;  // items read one by one (emitted, width-tested or summed)
  uint64_t probes = 0;   // comparisons made by binary searches
};

// Level-of-detail options.
struct LodOptions {
  float merge_px = 3;  // items narrower than this (px) merge with their neighbours
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LAYOUT_ROW_ITEM_H_
