// One live capture for the viewer's Capture dialog, on a worker thread: fetches
// a trace from a program's endpoint (viewer/lib/capture_client, the code behind
// `tracelane capture`), checks that it reads back, and writes it to a file the
// viewer then opens. The UI polls progress and the result without waiting; no
// ImGui here, so tests drive it against a real endpoint.
#ifndef TRACELANE_VIEWER_GUI_CAPTURE_JOB_H_
#define TRACELANE_VIEWER_GUI_CAPTURE_JOB_H_

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "viewer/lib/capture_client.h"

namespace tracelane::gui {

struct CaptureJobOptions {
  CaptureRequest request;
  // File to write; empty: DefaultCaptureFileName in `directory`.
  std::string path;
  std::string directory = ".";
};

// What the job is doing, for the progress bar.
enum class CapturePhase : uint8_t {
  kRecording,  // connected or connecting; the server records the window
  kReceiving,  // the trace is arriving
  kChecking,   // reading it back and writing the file
  kDone,       // result() is set
};

class CaptureJob {
 public:
  // Starts the capture on a worker thread. O(1) on the calling thread.
  explicit CaptureJob(CaptureJobOptions options);
  // Cancels and joins (the connection is closed at once).
  ~CaptureJob();
  CaptureJob(const CaptureJob&) = delete;
  CaptureJob& operator=(const CaptureJob&) = delete;

  CapturePhase phase() const { return phase_.load(std::memory_order_acquire); }
  // Progress in [0, 1]: the share of the recording window elapsed while the
  // server records (a last-N capture skips it), then of the bytes received
  // when the server sent a length. O(1).
  float fraction() const;
  // "recording 2.1 of 5 s", "received 3.2 MiB of 8.0 MiB", "checking the trace". O(1).
  std::string status_text() const;
  // Asks the job to stop; the result becomes Cancelled soon. Thread-safe, O(1).
  void Cancel();
  // The file written (the trace reads back), or the error with a message for
  // the dialog: the client's (refused, 4xx with the server's message, timeout),
  // "the server sent a trace that does not read back: ...", or a write error.
  // nullopt until phase() is kDone. O(1).
  std::optional<absl::StatusOr<std::string>> result() const;
  // Blocks until the job is done (tests). Returns result().
  absl::StatusOr<std::string> Wait();
  const CaptureJobOptions& options() const { return options_; }

 private:
  void Run();

  const CaptureJobOptions options_;
  const std::chrono::steady_clock::time_point start_;
  CaptureClient client_;
  std::atomic<CapturePhase> phase_{CapturePhase::kRecording};
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> total_{0};
  mutable absl::Mutex mu_;
  std::optional<absl::StatusOr<std::string>> result_ ABSL_GUARDED_BY(mu_);
  std::thread worker_;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_CAPTURE_JOB_H_
