// tracelane-viewer: the desktop timeline viewer. See viewer/gui/app.h.
#include <cstdio>
#include <string>

#include "viewer/gui/app.h"
#include "viewer/gui/options.h"

int main(int argc, char** argv) {
  absl::StatusOr<tracelane::gui::ViewerOptions> o = tracelane::gui::ParseViewerOptions(argc, argv);
  if (!o.ok()) {
    if (o.status().code() == absl::StatusCode::kCancelled) {  // --help
      std::fputs(tracelane::gui::ViewerUsage(), stdout);
      return 0;
    }
    std::fprintf(stderr, "%s\n", std::string(o.status().message()).c_str());
    return 2;
  }
  tracelane::gui::App app(*std::move(o));
  return app.Run();
}
