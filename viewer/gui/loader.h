// Loads traces on a worker thread so the window stays responsive: the UI polls
// progress each frame, can cancel, and takes the finished Document.
#ifndef TRACELANE_VIEWER_GUI_LOADER_H_
#define TRACELANE_VIEWER_GUI_LOADER_H_

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "viewer/gui/document.h"

namespace tracelane::gui {

class Loader {
 public:
  Loader() = default;
  ~Loader();  // cancels and joins a load in flight
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // Starts loading `path` (cancelling and joining any load in flight). O(1) on
  // the calling thread.
  void Start(const std::string& path, bool salvage);
  // Asks the load in flight to stop at the next block; TakeResult then yields a
  // kCancelled status.
  void Cancel();
  bool busy() const;
  const std::string& path() const { return path_; }
  bool salvage() const { return salvage_; }
  // Fraction of the file read, in [0, 1]; 1 while indexing.
  float fraction() const;
  bool indexing() const { return progress_ && progress_->indexing.load(); }
  // The finished load's result, once; nullopt while loading or when idle.
  std::optional<absl::StatusOr<std::unique_ptr<Document>>> TakeResult();
  // Blocks until the load in flight ends (headless modes).
  void Wait();

 private:
  void Join();

  std::string path_;
  bool salvage_ = false;
  std::unique_ptr<LoadProgress> progress_;
  std::thread worker_;
  mutable absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::StatusOr<std::unique_ptr<Document>>> result_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_LOADER_H_
