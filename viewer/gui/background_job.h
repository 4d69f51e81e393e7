// A computation for a panel on its own worker thread (the pattern of MmuJob,
// for any result type): the UI starts it, draws its progress, and reads the
// result once ready without ever waiting; destroying the job cancels it (the
// function polls JobControl::cancelled()) and joins the thread.
//
//   auto job = std::make_unique<BackgroundJob<std::vector<LockReport>>>(
//       [doc](const JobControl& c) { return analysis::LockContention(doc->model); });
//   if (job->ready()) Draw(job->result()); else ProgressBar(job->progress());
#ifndef TRACELANE_VIEWER_GUI_BACKGROUND_JOB_H_
#define TRACELANE_VIEWER_GUI_BACKGROUND_JOB_H_

#include <algorithm>
#include <atomic>
#include <functional>
#include <optional>
#include <thread>
#include <utility>

namespace tracelane::gui {

// What the running function sees: whether to stop, and where to report progress.
class JobControl {
 public:
  JobControl(const std::atomic<bool>* cancel, std::atomic<float>* progress)
      : cancel_(cancel), progress_(progress) {}
  // True once the job is being destroyed: return early (the result is dropped). O(1).
  bool cancelled() const { return cancel_->load(std::memory_order_relaxed); }
  // Reports the share done, clamped to [0, 1]. O(1).
  void Progress(double f) const {
    progress_->store(static_cast<float>(std::clamp(f, 0.0, 1.0)), std::memory_order_relaxed);
  }

 private:
  const std::atomic<bool>* cancel_;
  std::atomic<float>* progress_;
};

template <typename T>
class BackgroundJob {
 public:
  using Fn = std::function<T(const JobControl&)>;

  // Starts `fn` on a new thread. `fn` must own (or share) what it reads, e.g.
  // hold the document's shared_ptr. O(1) on the calling thread.
  explicit BackgroundJob(Fn fn) {
    worker_ = std::thread([this, f = std::move(fn)] {
      T r = f(JobControl(&cancel_, &progress_));
      if (!cancel_.load(std::memory_order_relaxed)) result_.emplace(std::move(r));
      ready_.store(true, std::memory_order_release);
    });
  }
  // Asks the function to stop and joins it.
  ~BackgroundJob() {
    cancel_.store(true, std::memory_order_relaxed);
    if (worker_.joinable()) worker_.join();
  }
  BackgroundJob(const BackgroundJob&) = delete;
  BackgroundJob& operator=(const BackgroundJob&) = delete;

  // Whether the result is there to read. O(1).
  bool ready() const { return ready_.load(std::memory_order_acquire) && result_.has_value(); }
  // The result; only after ready() returned true. O(1).
  const T& result() const { return *result_; }
  T& result() { return *result_; }
  // The share done as last reported, in [0, 1]. O(1).
  float progress() const { return progress_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancel_{false};
  std::atomic<bool> ready_{false};
  std::atomic<float> progress_{0};
  std::optional<T> result_;  // written by the worker before ready_
  std::thread worker_;
};

}  // namespace tracelane::gui

#endif  // TRACELANE_VIEWER_GUI_BACKGROUND_JOB_H_
