// Crash capture: handlers for SIGSEGV/SIGABRT/SIGBUS (configurable) that write
// the flight recorder with CrashWriter, then restore the previous disposition and
// re-raise so the process dies (and dumps core) as it would have.
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "tracelane/capture.h"
#include "tracer/capture/capture_internal.h"
#include "tracer/capture/crash_testing.h"
#include "tracer/capture/crash_writer.h"
#include "tracer/capture/signal_names.h"
#include "tracer/recorder_state.h"

namespace tracelane::internal {
namespace {

constexpr size_t kAltStackBytes = 256 << 10;

// Read by the handler: set before the handlers are installed, never freed.
CrashWriter* g_writer = nullptr;
struct sigaction g_old[NSIG];
// 0 idle, 1 a thread is writing, 2 written.
std::atomic<int> g_crash_state{0};

absl::Mutex g_enable_mu(absl::kConstInit);
bool g_crash_enabled ABSL_GUARDED_BY(g_enable_mu) = false;
std::vector<int> g_signals ABSL_GUARDED_BY(g_enable_mu);

void OnCrash(int sig, siginfo_t*, void*) {
  const int saved = errno;
  int expected = 0;
  if (g_crash_state.compare_exchange_strong(expected, 1)) {
    if (g_writer != nullptr) g_writer->Write(sig);
    g_crash_state.store(2);
  } else {
    // Another thread is writing: let it finish (up to ~30 s) before dying.
    for (int i = 0; i < 30000 && g_crash_state.load() == 1; ++i) {
      timespec ts{0, 1000000};
      nanosleep(&ts, nullptr);
    }
  }
  sigaction(sig, &g_old[sig], nullptr);
  errno = saved;
  raise(sig);  // pending until the handler returns; then the old disposition runs
}

// Gives the calling thread an alternate signal stack so a stack overflow
// (SIGSEGV on a guard page) can still be handled on this thread.
void InstallAltStack() {
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
  static char* stack = new char[kAltStackBytes];  // once per process; never freed
  stack_t ss{};
  ss.ss_sp = stack;
  ss.ss_size = kAltStackBytes;
  sigaltstack(&ss, nullptr);
}

// ---- Per-thread alternate signal stacks ----------------------------------------
// A stack overflow's SIGSEGV can only be handled on an alternate stack, and
// sigaltstack is per thread: while crash capture is enabled every thread that
// registers with the recorder gets one (unless the application gave it its own),
// freed when the thread exits. A guard page below each makes an overflow of the
// alternate stack itself fault instead of corrupting memory.
constexpr size_t kThreadAltStackBytes = 64 << 10;

std::atomic<bool> g_thread_altstacks{false};
std::atomic<int64_t> g_altstacks_live{0};
thread_local char* tls_altstack = nullptr;  // our mapping (guard page first), or null

size_t PageBytes() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

// Thread hook (registration): installs an alternate stack unless one is set.
void AddThreadAltStack(ThreadRecord*) {
  if (!g_thread_altstacks.load(std::memory_order_relaxed) || tls_altstack != nullptr) return;
  stack_t current{};
  if (sigaltstack(nullptr, &current) != 0 || !(current.ss_flags & SS_DISABLE)) return;
  const size_t page = PageBytes();
  void* m = mmap(nullptr, page + kThreadAltStackBytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return;  // no alternate stack: an overflow here is not captured
  auto* base = static_cast<char*>(m);
  mprotect(base, page, PROT_NONE);
  stack_t ss{};
  ss.ss_sp = base + page;
  ss.ss_size = kThreadAltStackBytes;
  if (sigaltstack(&ss, nullptr) != 0) {
    munmap(m, page + kThreadAltStackBytes);
    return;
  }
  tls_altstack = base;
  g_altstacks_live.fetch_add(1, std::memory_order_relaxed);
}

// Thread hook (exit): removes and frees the stack installed above. If the
// application replaced it meanwhile, its own stays in place; ours is unused.
void RemoveThreadAltStack(ThreadRecord*) {
  char* base = tls_altstack;
  if (base == nullptr) return;
  const size_t page = PageBytes();
  stack_t current{};
  if (sigaltstack(nullptr, &current) != 0) return;
  if (current.ss_sp == base + page && !(current.ss_flags & SS_DISABLE)) {
    if (current.ss_flags & SS_ONSTACK) return;  // running on it: keep it
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    if (sigaltstack(&off, nullptr) != 0) return;
  }
  tls_altstack = nullptr;
  munmap(base, page + kThreadAltStackBytes);
  g_altstacks_live.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace

int64_t CrashAltStacksLiveForTesting() { return g_altstacks_live.load(); }

void SetCrashWriteByteLimitForTesting(uint64_t bytes) {
  if (g_writer != nullptr) g_writer->set_byte_limit(bytes);
}

}  // namespace tracelane::internal

namespace tracelane {

absl::Status EnableCrashCapture(const CrashCaptureOptions& options) {
  using namespace internal;  // NOLINT: many internals used below
  if (options.signals.empty()) {
    return absl::InvalidArgumentError("EnableCrashCapture: no signals given");
  }
  for (int sig : options.signals) {
    if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP) {
      return absl::InvalidArgumentError(
          absl::StrCat("EnableCrashCapture: signal ", sig, " cannot be caught"));
    }
  }
  if (options.path.empty()) {
    if (absl::Status s = CheckWritableDirectory(options.directory); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("EnableCrashCapture: ", s.message()));
    }
  }
  absl::MutexLock lock(&g_enable_mu);
  if (g_crash_enabled) {
    return absl::FailedPreconditionError(
        "EnableCrashCapture: already enabled; DisableCrashCapture() first");
  }
  if (g_writer == nullptr) g_writer = new CrashWriter;  // never freed: handlers may run late
  if (absl::Status s = g_writer->Prepare(options.path, options.directory); !s.ok()) return s;
  g_crash_state.store(0);
  static const bool hooks = [] {
    AddThreadHooks(&AddThreadAltStack, &RemoveThreadAltStack);
    return true;
  }();
  (void)hooks;
  g_thread_altstacks.store(true);
  InstallAltStack();
  for (int sig : options.signals) {
    struct sigaction sa {};
    sa.sa_sigaction = &OnCrash;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    if (sigaction(sig, &sa, &g_old[sig]) != 0) {
      const int err = errno;
      for (int done : g_signals) sigaction(done, &g_old[done], nullptr);
      g_signals.clear();
      return absl::InvalidArgumentError(absl::StrCat("EnableCrashCapture: sigaction(",
                                                     SignalName(sig), "): ", std::strerror(err)));
    }
    g_signals.push_back(sig);
  }
  g_crash_enabled = true;
  return absl::OkStatus();
}

void DisableCrashCapture() {
  using internal::g_enable_mu;
  absl::MutexLock lock(&g_enable_mu);
  if (!internal::g_crash_enabled) return;
  for (int sig : internal::g_signals) sigaction(sig, &internal::g_old[sig], nullptr);
  internal::g_signals.clear();
  internal::g_crash_enabled = false;
  // Threads that have one keep it until they exit; new threads get none.
  internal::g_thread_altstacks.store(false);
}

}  // namespace tracelane
