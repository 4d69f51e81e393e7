// The Capture dialog (File > Capture from a running program, Ctrl+L): asks a
// program's capture endpoint for a trace (address, next or last N seconds,
// bearer token, file), runs the capture in the background (CaptureJob) with a
// progress bar and Cancel, shows the error in the dialog (refused, 4xx with
// the server's message, timeout), and hands the file to the viewer to open.
#ifndef TRACELANE_VIEWER_GUI_CAPTURE_DIALOG_H_
#define TRACELANE_VIEWER_GUI_CAPTURE_DIALOG_H_

#include <memory>
#include <optional>
#include <string>

#include "viewer/gui/capture_job.h"

namespace tracelane::gui {

class CaptureDialog {
 public:
  // Shows the dialog (keeps the previous entries). O(1).
  void Open();
  bool is_open() const { return open_; }
  // True while a capture runs (the app redraws for the progress bar). O(1).
  bool busy() const { return job_ != nullptr; }
  // Draws the dialog if open. Returns the file of a finished capture, once, for
  // the caller to open (the dialog then closes). O(1) per frame.
  std::optional<std::string> Draw();

 private:
  void Start();

  bool open_ = false;
  bool focus_ = false;
  char address_[256] = "127.0.0.1:6060";
  int mode_ = 0;  // 0: the next N seconds, 1: the last N seconds
  float seconds_ = 5;
  char token_[256] = "";
  char file_[1024] = "";  // empty: capture-<host>-<port>-<time>.tlt in the current directory
  std::unique_ptr<CaptureJob> job_;
  std::string error_;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_CAPTURE_DIALOG_H_
