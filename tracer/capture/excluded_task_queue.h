// A cpp-httplib task queue whose worker threads are excluded from tracing, so
// serving captures never shows up in (or perturbs) the traces being served.
#ifndef TRACELANE_TRACER_CAPTURE_EXCLUDED_TASK_QUEUE_H_
#define TRACELANE_TRACER_CAPTURE_EXCLUDED_TASK_QUEUE_H_

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "tracelane/internal/recorder.h"

namespace tracelane::internal {

// Blocks SIGPIPE in the calling thread. cpp-httplib sends without MSG_NOSIGNAL, so
// a client that disconnects mid-response would otherwise kill the traced program;
// with the signal blocked in the server's threads, send() fails with EPIPE instead
// (the thread-directed signal stays pending on that thread and is discarded).
inline void BlockSigpipe() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

class ExcludedTaskQueue : public httplib::TaskQueue {
 public:
  // Starts `workers` threads named "tracelane-http".
  explicit ExcludedTaskQueue(int workers) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~ExcludedTaskQueue() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(std::move(fn));
    }
    cv_.notify_one();
  }

  // Runs the queued jobs to completion, then joins the workers. Idempotent.
  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Work() {
    ExcludeCurrentThread();
    BlockSigpipe();
    pthread_setname_np(pthread_self(), "tracelane-http");
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // shutting down and drained
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_CAPTURE_EXCLUDED_TASK_QUEUE_H_
