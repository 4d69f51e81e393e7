#include "viewer/gui/screenshot.h"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>
#include <GLFW/glfw3.h>
#include <stb_image_write.h>  // Debian's libstb (implementation in libstb.so)

#include <vector>

#include "absl/strings/str_cat.h"

namespace tracelane::gui {
namespace {

// GL 3 framebuffer entry points, loaded through GLFW (no GL loader library).
struct FboApi {
  PFNGLGENFRAMEBUFFERSPROC gen_framebuffers;
  PFNGLBINDFRAMEBUFFERPROC bind_framebuffer;
  PFNGLDELETEFRAMEBUFFERSPROC delete_framebuffers;
  PFNGLGENRENDERBUFFERSPROC gen_renderbuffers;
  PFNGLBINDRENDERBUFFERPROC bind_renderbuffer;
  PFNGLRENDERBUFFERSTORAGEPROC renderbuffer_storage;
  PFNGLDELETERENDERBUFFERSPROC delete_renderbuffers;
  PFNGLFRAMEBUFFERRENDERBUFFERPROC framebuffer_renderbuffer;
  PFNGLCHECKFRAMEBUFFERSTATUSPROC check_framebuffer_status;
  bool ok = false;
};

const FboApi& Api() {
  static const FboApi api = [] {
    FboApi a{};
    auto get = [](const char* name) { return glfwGetProcAddress(name); };
    a.gen_framebuffers = reinterpret_cast<PFNGLGENFRAMEBUFFERSPROC>(get("glGenFramebuffers"));
    a.bind_framebuffer = reinterpret_cast<PFNGLBINDFRAMEBUFFERPROC>(get("glBindFramebuffer"));
    a.delete_framebuffers =
        reinterpret_cast<PFNGLDELETEFRAMEBUFFERSPROC>(get("glDeleteFramebuffers"));
    a.gen_renderbuffers = reinterpret_cast<PFNGLGENRENDERBUFFERSPROC>(get("glGenRenderbuffers"));
    a.bind_renderbuffer = reinterpret_cast<PFNGLBINDRENDERBUFFERPROC>(get("glBindRenderbuffer"));
    a.renderbuffer_storage =
        reinterpret_cast<PFNGLRENDERBUFFERSTORAGEPROC>(get("glRenderbufferStorage"));
    a.delete_renderbuffers =
        reinterpret_cast<PFNGLDELETERENDERBUFFERSPROC>(get("glDeleteRenderbuffers"));
    a.framebuffer_renderbuffer =
        reinterpret_cast<PFNGLFRAMEBUFFERRENDERBUFFERPROC>(get("glFramebufferRenderbuffer"));
    a.check_framebuffer_status =
        reinterpret_cast<PFNGLCHECKFRAMEBUFFERSTATUSPROC>(get("glCheckFramebufferStatus"));
    a.ok = a.gen_framebuffers && a.bind_framebuffer && a.delete_framebuffers &&
           a.gen_renderbuffers && a.bind_renderbuffer && a.renderbuffer_storage &&
           a.delete_renderbuffers && a.framebuffer_renderbuffer && a.check_framebuffer_status;
    return a;
  }();
  return api;
}

}  // namespace

absl::Status OffscreenTarget::Init(int width, int height) {
  const FboApi& gl = Api();
  if (!gl.ok) return absl::UnavailableError("OpenGL framebuffer objects are not available");
  width_ = width;
  height_ = height;
  gl.gen_framebuffers(1, &fbo_);
  gl.bind_framebuffer(GL_FRAMEBUFFER, fbo_);
  gl.gen_renderbuffers(1, &color_);
  gl.bind_renderbuffer(GL_RENDERBUFFER, color_);
  gl.renderbuffer_storage(GL_RENDERBUFFER, GL_RGBA8, width, height);
  gl.framebuffer_renderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color_);
  const GLenum status = gl.check_framebuffer_status(GL_FRAMEBUFFER);
  if (status != GL_FRAMEBUFFER_COMPLETE) {
    return absl::UnavailableError(
        absl::StrCat("offscreen framebuffer incomplete (0x", absl::Hex(status), ")"));
  }
  return absl::OkStatus();
}

OffscreenTarget::~OffscreenTarget() {
  if (fbo_ == 0) return;
  const FboApi& gl = Api();
  gl.bind_framebuffer(GL_FRAMEBUFFER, 0);
  gl.delete_renderbuffers(1, &color_);
  gl.delete_framebuffers(1, &fbo_);
}

void OffscreenTarget::Bind() const {
  Api().bind_framebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, width_, height_);
}

absl::Status OffscreenTarget::WritePng(const std::string& path) const {
  std::vector<unsigned char> pixels(static_cast<size_t>(width_) * height_ * 4);
  Bind();
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  // GL's rows run bottom-up; PNG's top-down.
  stbi_flip_vertically_on_write(1);
  if (stbi_write_png(path.c_str(), width_, height_, 4, pixels.data(), width_ * 4) == 0) {
    return absl::UnavailableError(absl::StrCat(path, ": cannot write the PNG"));
  }
  return absl::OkStatus();
}

}  // namespace tracelane::gui
