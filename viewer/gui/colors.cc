#include "viewer/gui/colors.h"

#include <cmath>

namespace tracelane::gui {
namespace {

constexpr uint32_t Rgb(uint32_t r, uint32_t g, uint32_t b) {
  return 0xFF000000u | (b << 16) | (g << 8) | r;
}

}  // namespace

uint32_t StateColor(analysis::ThreadState s) {
  using analysis::ThreadState;
  switch (s) {
    case ThreadState::kRunning:
      return Rgb(67, 160, 71);  // green
    case ThreadState::kRunnable:
      return Rgb(253, 216, 53);  // yellow
    case ThreadState::kLockWait:
      return Rgb(229, 57, 53);  // red
    case ThreadState::kCondvarWait:
      return Rgb(171, 71, 188);  // purple
    case ThreadState::kIoWait:
      return Rgb(30, 136, 229);  // blue
    case ThreadState::kSleep:
      return Rgb(96, 125, 139);  // slate
    case ThreadState::kSyscall:
      return Rgb(0, 172, 193);  // cyan
    case ThreadState::kPaused:
      return Rgb(255, 112, 67);  // deep orange
    case ThreadState::kUnknown:
      return Rgb(117, 117, 117);  // grey
    default:
      break;  // a state added to the model later: grey until it gets its own colour
  }
  return Rgb(117, 117, 117);
}

uint32_t ScopeColor(std::string_view name) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  // Muted hues at fixed saturation and lightness, so scopes never look like a state.
  const float hue = static_cast<float>(h % 360) / 60.0f;
  const float s = 0.45f, l = 0.62f;
  const float c = (1 - std::fabs(2 * l - 1)) * s;
  const float x = c * (1 - std::fabs(std::fmod(hue, 2.0f) - 1));
  float r = 0, g = 0, b = 0;
  switch (static_cast<int>(hue)) {
    case 0:
      r = c, g = x;
      break;
    case 1:
      r = x, g = c;
      break;
    case 2:
      g = c, b = x;
      break;
    case 3:
      g = x, b = c;
      break;
    case 4:
      r = x, b = c;
      break;
    default:
      r = c, b = x;
      break;
  }
  const float m = l - c / 2;
  return Rgb(static_cast<uint32_t>((r + m) * 255), static_cast<uint32_t>((g + m) * 255),
             static_cast<uint32_t>((b + m) * 255));
}

uint32_t TextOn(uint32_t fill) {
  const uint32_t r = fill & 0xFF, g = (fill >> 8) & 0xFF, b = (fill >> 16) & 0xFF;
  return (r * 299 + g * 587 + b * 114) / 1000 > 140 ? 0xFF000000u : 0xFFFFFFFFu;
}

uint32_t WithAlpha(uint32_t c, uint8_t alpha) {
  return (c & 0x00FFFFFFu) | (static_cast<uint32_t>(alpha) << 24);
}

}  // namespace tracelane::gui
