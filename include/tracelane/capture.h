// tracelane/capture.h: turning the always-on flight recorder into .tlt traces.
//
// Tracing is always on into a bounded pool of per-thread buffers (the flight
// recorder: 64 MiB and a 10 s retention target by default; TRACELANE_BUFFER_MB,
// TRACELANE_KEEP_SECONDS). A capture turns part of it into a trace file:
//
//   tracelane::CaptureOptions o;                 // default: the last 5 seconds
//   absl::StatusOr<std::string> t = tracelane::Capture(o);
//   o.mode = tracelane::CaptureMode::kNext;       // the next 5 s, like Go's ?seconds=5
//   absl::Status s = tracelane::CaptureToFile(o, "spike.tlt");
//
// Other ways in: the loopback HTTP endpoint (endpoint.h), a signal (SIGUSR2 with
// EnableSignalTrigger) and crash capture (EnableCrashCapture). docs/CAPTURE.md
// describes the modes, the loss accounting and the trace properties each sets.
#ifndef TRACELANE_CAPTURE_H_
#define TRACELANE_CAPTURE_H_

#include <csignal>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tracelane/config.h"

namespace tracelane {

// Writes everything currently buffered (all threads, live and exited) as a .tlt
// trace to `path`. The recording threads keep running and are never blocked; a
// chunk overwritten while it is being copied is counted as overwritten, not lost
// silently. Cost: one copy of the buffered events plus zstd compression
// (~100-200 MB/s of events); allocates the copy.
absl::Status WriteTrace(const std::string& path);

// As above, to a stream opened in binary mode.
absl::Status WriteTrace(std::ostream& out);

// ---- Captures ----------------------------------------------------------------

enum class CaptureMode {
  // Records from now for `seconds`, then writes that window. Data older than the
  // window is left out; losses are counted for the window only (see CaptureStats).
  // One kNext capture at a time per process.
  kNext,
  // Writes the flight recorder's last `seconds` right away. How far back the data
  // really reaches depends on the budget: see FlightRecorderStatus.
  kLast,
};

struct CaptureOptions {
  CaptureMode mode = CaptureMode::kLast;
  // Window length in seconds; must be in (0, 3600].
  double seconds = 5;
  // Optional. Polled about every 50 ms while a kNext capture records; returning
  // true ends it early with absl::CancelledError.
  std::function<bool()> cancelled;
  // Extra key/value properties stored in the trace (e.g. {"trigger", "http"}).
  std::vector<std::pair<std::string, std::string>> properties;
};

// What a capture wrote.
struct CaptureStats {
  uint64_t events = 0;  // events in the trace
  uint64_t bytes = 0;   // size of the .tlt file
  // Events lost in the window: dropped for want of a chunk, or overwritten by the
  // flight recorder before the capture could copy them. Exact for kNext (window
  // counts); for kLast these are the threads' lifetime counts (see docs).
  uint64_t dropped = 0;
  uint64_t overwritten = 0;
  int64_t start_ns = 0;  // CLOCK_MONOTONIC bounds of the window
  int64_t end_ns = 0;
};

// Captures a trace and returns the .tlt file's bytes. kNext blocks the caller for
// `seconds` (sleeping; the recorder does the work) and fails with
// absl::UnavailableError if another kNext capture is running. kLast returns after
// one copy of the window's events plus compression (~tens of ms for a full 64 MiB
// buffer). Never blocks recording threads. Allocates the copy and the result.
absl::StatusOr<std::string> Capture(const CaptureOptions& options, CaptureStats* stats = nullptr);

// As Capture, written to `path` (through a temporary file renamed into place, so
// `path` never holds a partial trace).
absl::Status CaptureToFile(const CaptureOptions& options, const std::string& path,
                           CaptureStats* stats = nullptr);

// ---- Flight recorder ------------------------------------------------------------

// Sets the retention target: buffered data older than `seconds` is discarded
// first (its chunks are reused before fresh ones), so memory tracks the window
// actually needed and captures hold no stale data. The memory budget
// (RecorderOptions::buffer_bytes) always wins: under heavier load less than
// `seconds` is kept and the reuse is counted as overwritten. 0 disables aging
// (keep as much as the budget holds). Range [0, 86400]. O(1); any time.
absl::Status SetKeepSeconds(double seconds);
// The retention target in seconds (default 10, or TRACELANE_KEEP_SECONDS).
double KeepSeconds();

// What the flight recorder holds right now. O(chunks) (~4096 relaxed loads).
struct FlightRecorderStatus {
  uint64_t budget_bytes = 0;   // memory of the chunk pool (fixed)
  uint64_t used_bytes = 0;     // chunks holding data or being written
  double keep_seconds = 0;     // retention target
  double retained_seconds = 0; // age of the oldest buffered event
  OverflowPolicy policy = OverflowPolicy::kOverwriteOldest;
  uint64_t threads_live = 0;
  uint64_t threads_retained = 0;     // exited threads whose data is still buffered
  uint64_t events_dropped = 0;       // lifetime, all threads
  uint64_t events_overwritten = 0;   // lifetime, all threads (budget-forced reuse)
  uint64_t events_aged_out = 0;      // discarded by retention (not a loss)
  bool next_capture_running = false; // a kNext window is open
};
FlightRecorderStatus GetFlightRecorderStatus();

// ---- Signal trigger ------------------------------------------------------------

struct SignalTriggerOptions {
  // The signal that requests a capture. Must not be one the process needs for
  // something else; SIGKILL, SIGSTOP and the crash signals are refused.
  int signal = SIGUSR2;
  // Where captures go: <directory>/tracelane-<process>-<pid>-<UTC time>.tlt. Must
  // exist and be writable.
  std::string directory = ".";
  // Each capture is a kLast capture of this many seconds; (0, 3600].
  double last_seconds = 10;
  // Print one line to stderr per capture written (or failed).
  bool log = true;
  // In a child of fork(): true enables the trigger again in the child (its own
  // thread and pipe; files named with the child's pid), from inside fork(), at
  // the cost of one thread start. False (the default): the signal does nothing in
  // the child (never a capture of the parent, never the signal's default action)
  // until EnableSignalTrigger is called there. TRACELANE_SIGNAL_CHILD=1 sets it.
  bool restart_in_child = false;
};

// Installs a handler for `options.signal` that only writes a byte to a pipe
// (async-signal-safe), and starts one tracer thread (excluded from traces) that
// writes a capture per signal. Signals arriving during a capture are coalesced
// into one more capture. Off unless called, or enabled by the environment
// (TRACELANE_SIGNAL_DIR, TRACELANE_SIGNAL=USR2|USR1|<number>,
// TRACELANE_SIGNAL_SECONDS). Fails if already enabled or the directory is not
// writable.
absl::Status EnableSignalTrigger(const SignalTriggerOptions& options = {});
// Restores the previous signal disposition and stops the thread. Idempotent.
void DisableSignalTrigger();
// Number of signal-triggered captures written so far (for tests and status pages).
uint64_t SignalCapturesWritten();

// ---- Crash capture ---------------------------------------------------------------

struct CrashCaptureOptions {
  // File to write; if empty, <directory>/tracelane-crash-<pid>-<unix seconds>.tlt.
  std::string path;
  std::string directory = ".";
  // Signals that trigger the write.
  std::vector<int> signals = {SIGSEGV, SIGABRT, SIGBUS};
};

// Opt-in: on one of `signals` the flight recorder's contents are written to a
// trace file using async-signal-safe calls only (open/write/lseek/close; no
// allocation, no blocking locks; everything is preallocated here), then the
// previous disposition is restored and the signal re-raised, so the process still
// dies (and dumps core) as it would have. Events are stored uncompressed. The file
// records how far the write got (property "crash_write"); a write cut short still
// opens with the reader's salvage mode. Snapshot hooks (scheduler data) do not run.
// Allocates about 3 MiB up front. Also enabled by TRACELANE_CRASH_DIR.
absl::Status EnableCrashCapture(const CrashCaptureOptions& options = {});
// Restores the previous handlers. Idempotent.
void DisableCrashCapture();

}  // namespace tracelane

#endif  // TRACELANE_CAPTURE_H_
