#include "viewer/gui/capture_job.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::gui {
namespace {

std::string Mib(uint64_t bytes) {
  if (bytes < (uint64_t{1} << 20)) return absl::StrFormat("%.1f KiB", bytes / 1024.0);
  return absl::StrFormat("%.1f MiB", bytes / 1048576.0);
}

}  // namespace

CaptureJob::CaptureJob(CaptureJobOptions options)
    : options_(std::move(options)), start_(std::chrono::steady_clock::now()) {
  worker_ = std::thread([this] { Run(); });
}

CaptureJob::~CaptureJob() {
  Cancel();
  worker_.join();
}

void CaptureJob::Cancel() { client_.Cancel(); }

void CaptureJob::Run() {
  absl::StatusOr<std::string> out = [&]() -> absl::StatusOr<std::string> {
    absl::StatusOr<CaptureTarget> target = ParseCaptureTarget(options_.request.address);
    if (!target.ok()) return target.status();
    const std::string path =
        !options_.path.empty() ? options_.path
                               : absl::StrCat(options_.directory.empty() ? "." : options_.directory,
                                              "/", DefaultCaptureFileName(*target));
    absl::StatusOr<std::string> bytes =
        client_.Fetch(options_.request, [&](uint64_t received, uint64_t total) {
          phase_.store(CapturePhase::kReceiving, std::memory_order_release);
          received_.store(received, std::memory_order_relaxed);
          total_.store(total, std::memory_order_relaxed);
        });
    if (!bytes.ok()) {
      if (absl::IsUnauthenticated(bytes.status())) {
        return absl::UnauthenticatedError(
            absl::StrCat(bytes.status().message(), " (enter the endpoint's bearer token)"));
      }
      if (absl::IsAborted(bytes.status())) {
        return absl::AbortedError(
            absl::StrCat(bytes.status().message(), " (retry when the running capture finishes)"));
      }
      return bytes.status();
    }
    phase_.store(CapturePhase::kChecking, std::memory_order_release);
    absl::StatusOr<reader::Trace> trace = reader::ParseTrace(*bytes, path);
    if (!trace.ok()) {
      return absl::DataLossError(absl::StrCat("the server sent a trace that does not read back: ",
                                              trace.status().message()));
    }
    if (absl::Status s = WriteTraceFile(path, *bytes); !s.ok()) return s;
    return path;
  }();
  absl::MutexLock lock(&mu_);
  result_ = std::move(out);
  phase_.store(CapturePhase::kDone, std::memory_order_release);
}

float CaptureJob::fraction() const {
  switch (phase()) {
    case CapturePhase::kRecording: {
      if (options_.request.last || options_.request.seconds <= 0) return 0;
      const double t =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      return static_cast<float>(std::min(1.0, t / options_.request.seconds));
    }
    case CapturePhase::kReceiving: {
      const uint64_t total = total_.load(std::memory_order_relaxed);
      return total == 0
                 ? 0
                 : static_cast<float>(std::min(1.0, static_cast<double>(received_.load()) / total));
    }
    case CapturePhase::kChecking:
    case CapturePhase::kDone:
      return 1;
  }
  return 0;
}

std::string CaptureJob::status_text() const {
  switch (phase()) {
    case CapturePhase::kRecording: {
      if (options_.request.last) return "the program is writing its flight recorder...";
      const double t =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      if (t > options_.request.seconds) return "recorded; the program is writing the trace...";
      return absl::StrFormat("recording %.1f of %g s", t, options_.request.seconds);
    }
    case CapturePhase::kReceiving: {
      const uint64_t total = total_.load(std::memory_order_relaxed);
      return absl::StrCat("received ", Mib(received_.load(std::memory_order_relaxed)),
                          total != 0 ? absl::StrCat(" of ", Mib(total)) : "");
    }
    case CapturePhase::kChecking:
      return "checking the trace and writing the file";
    case CapturePhase::kDone:
      return "done";
  }
  return "";
}

std::optional<absl::StatusOr<std::string>> CaptureJob::result() const {
  absl::MutexLock lock(&mu_);
  return result_;
}

absl::StatusOr<std::string> CaptureJob::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](std::optional<absl::StatusOr<std::string>>* r) { return r->has_value(); }, &result_));
  return *result_;
}

}  // namespace tracelane::gui
