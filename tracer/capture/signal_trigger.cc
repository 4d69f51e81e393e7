// Signal-triggered captures: the handler writes one byte to a pipe (the only
// thing it does, async-signal-safe); a tracer thread, excluded from tracing,
// reads the pipe and writes a last-N capture to the configured directory.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "tracelane/capture.h"
#include "tracelane/internal/recorder.h"
#include "tracer/capture/capture_internal.h"
#include "tracer/capture/signal_names.h"

namespace tracelane::internal {
namespace {

constexpr char kStopByte = 'q';
constexpr char kCaptureByte = 's';

// The pipe is created once and never closed: a handler running concurrently with
// DisableSignalTrigger() must never write to a recycled descriptor.
std::atomic<int> g_pipe_write{-1};
std::atomic<uint64_t> g_written{0};
// Set in a child forked while the trigger was enabled: the thread is not there.
std::atomic<bool> g_forked_child{false};

struct TriggerState {
  absl::Mutex mu;
  bool enabled ABSL_GUARDED_BY(mu) = false;
  int pipe_read ABSL_GUARDED_BY(mu) = -1;
  struct sigaction old_action ABSL_GUARDED_BY(mu) {};
  SignalTriggerOptions options ABSL_GUARDED_BY(mu);
  std::unique_ptr<std::thread> thread ABSL_GUARDED_BY(mu);
};

TriggerState& State() {
  static auto* s = new TriggerState;  // never destroyed (see endpoint.cc)
  return *s;
}

// In a child of fork() the trigger's thread does not exist, and the pipe is the
// parent's: a signal to the child must never make the parent capture. The child
// closes its copies of the pipe, so the signal does nothing there (the handler
// stays installed rather than letting the signal kill the child), and, with
// SignalTriggerOptions::restart_in_child, enables the trigger again with a pipe
// and thread of its own. Runs inside fork() in the child; no other thread exists,
// so locks another thread held are re-created, not waited for.
void AfterForkInChild() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  TriggerState& st = State();
  new (&st.mu) absl::Mutex();
  g_written.store(0);
  const int write_end = g_pipe_write.exchange(-1);
  if (write_end >= 0) close(write_end);
  if (st.pipe_read >= 0) close(st.pipe_read);
  st.pipe_read = -1;
  if (!st.enabled) return;
  g_forked_child.store(true);
  if (!st.options.restart_in_child) return;
  const SignalTriggerOptions options = st.options;
  if (absl::Status s = EnableSignalTrigger(options); !s.ok() && options.log) {
    std::fprintf(stderr, "tracelane: %s: not restarted in child %d: %s\n",
                 SignalName(options.signal).c_str(), static_cast<int>(getpid()),
                 std::string(s.message()).c_str());
  }
}

void OnSignal(int) {
  const int saved = errno;
  const int fd = g_pipe_write.load(std::memory_order_relaxed);
  if (fd >= 0) {
    const char c = kCaptureByte;
    // Non-blocking: a full pipe means captures are already pending.
    [[maybe_unused]] ssize_t n = write(fd, &c, 1);
  }
  errno = saved;
}

void RunTriggerThread(SignalTriggerOptions options, int pipe_read) {
  ExcludeCurrentThread();
  pthread_setname_np(pthread_self(), "tracelane-signal");
  for (;;) {
    char buf[256];
    const ssize_t n = read(pipe_read, buf, sizeof(buf));  // all pending bytes: coalesced
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || std::memchr(buf, kStopByte, static_cast<size_t>(n)) != nullptr) return;
    CaptureOptions co;
    co.mode = CaptureMode::kLast;
    co.seconds = options.last_seconds;
    co.properties = {{"trigger", "signal"}, {"trigger_signal", SignalName(options.signal)}};
    CaptureStats st;
    const std::string path = TimestampedTracePath(options.directory);
    const absl::Status s = CaptureToFile(co, path, &st);
    if (s.ok()) g_written.fetch_add(1, std::memory_order_relaxed);
    if (!options.log) continue;
    if (s.ok()) {
      std::fprintf(stderr, "tracelane: %s: wrote %s (%llu events, last %g s)\n",
                   SignalName(options.signal).c_str(), path.c_str(),
                   static_cast<unsigned long long>(st.events), options.last_seconds);
    } else {
      std::fprintf(stderr, "tracelane: %s: capture failed: %s\n",
                   SignalName(options.signal).c_str(), std::string(s.message()).c_str());
    }
  }
}

absl::Status Validate(const SignalTriggerOptions& o) {
  const int sig = o.signal;
  if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP) {
    return absl::InvalidArgumentError(absl::StrCat("signal ", sig, " cannot be caught"));
  }
  if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGABRT) {
    return absl::InvalidArgumentError(
        absl::StrCat(SignalName(sig), " is a crash signal; use EnableCrashCapture for crashes"));
  }
  if (!std::isfinite(o.last_seconds) || o.last_seconds <= 0 || o.last_seconds > 3600) {
    return absl::InvalidArgumentError("SignalTriggerOptions::last_seconds must be in (0, 3600]");
  }
  return CheckWritableDirectory(o.directory);
}

}  // namespace
}  // namespace tracelane::internal

namespace tracelane {

absl::Status EnableSignalTrigger(const SignalTriggerOptions& options) {
  if (absl::Status s = internal::Validate(options); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("EnableSignalTrigger: ", s.message()));
  }
  internal::InstallCaptureSnapshotHook();
  internal::TriggerState& st = internal::State();
  absl::MutexLock lock(&st.mu);
  static const bool atfork = [] {
    pthread_atfork(nullptr, nullptr, &internal::AfterForkInChild);
    return true;
  }();
  (void)atfork;
  if (st.enabled && internal::g_forked_child.exchange(false)) {
    sigaction(st.options.signal, &st.old_action, nullptr);
    (void)st.thread.release();  // the thread stayed in the parent
    st.enabled = false;
  }
  if (st.enabled) {
    return absl::FailedPreconditionError(absl::StrCat(
        "EnableSignalTrigger: already enabled for ", internal::SignalName(st.options.signal),
        "; DisableSignalTrigger() first"));
  }
  if (st.pipe_read < 0) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      return absl::ResourceExhaustedError(
          absl::StrCat("EnableSignalTrigger: pipe: ", std::strerror(errno)));
    }
    fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    st.pipe_read = fds[0];
    internal::g_pipe_write.store(fds[1]);
  }
  // Drain bytes left from an earlier enable so they do not fire a capture.
  fcntl(st.pipe_read, F_SETFL, fcntl(st.pipe_read, F_GETFL) | O_NONBLOCK);
  char junk[256];
  while (read(st.pipe_read, junk, sizeof(junk)) > 0) {
  }
  fcntl(st.pipe_read, F_SETFL, fcntl(st.pipe_read, F_GETFL) & ~O_NONBLOCK);

  struct sigaction sa {};
  sa.sa_handler = &internal::OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  if (sigaction(options.signal, &sa, &st.old_action) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("EnableSignalTrigger: sigaction(",
                                                   options.signal, "): ", std::strerror(errno)));
  }
  st.options = options;
  st.thread = std::make_unique<std::thread>(internal::RunTriggerThread, options, st.pipe_read);
  st.enabled = true;
  return absl::OkStatus();
}

void DisableSignalTrigger() {
  internal::TriggerState& st = internal::State();
  absl::MutexLock lock(&st.mu);
  if (!st.enabled) return;
  sigaction(st.options.signal, &st.old_action, nullptr);
  if (internal::g_forked_child.exchange(false)) {
    (void)st.thread.release();  // the thread stayed in the parent
    st.enabled = false;
    return;
  }
  const char c = internal::kStopByte;
  // The pipe is non-blocking for writers; retry until the stop byte is queued.
  while (write(internal::g_pipe_write.load(), &c, 1) != 1) usleep(1000);
  st.thread->join();
  st.thread.reset();
  st.enabled = false;
}

uint64_t SignalCapturesWritten() {
  return internal::g_written.load(std::memory_order_relaxed);
}

}  // namespace tracelane
