// Offscreen rendering target and PNG writing for --screenshot: the frame is
// drawn into a framebuffer object of the requested size (independent of the
// screen), read back with glReadPixels and written with stb_image_write.
#ifndef TRACELANE_VIEWER_GUI_SCREENSHOT_H_
#define TRACELANE_VIEWER_GUI_SCREENSHOT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace tracelane::gui {

class OffscreenTarget {
 public:
  // Creates a width x height RGBA framebuffer. Needs a current GL 3 context.
  absl::Status Init(int width, int height);
  ~OffscreenTarget();
  // Makes it the render target of the following draws.
  void Bind() const;
  // Reads the pixels back and writes a PNG (top row first). O(width x height).
  absl::Status WritePng(const std::string& path) const;

 private:
  int width_ = 0, height_ = 0;
  uint32_t fbo_ = 0, color_ = 0;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_SCREENSHOT_H_
