// Environment-driven start-up of the capture front ends, run by a static
// initializer:
//   TRACELANE_ENDPOINT=127.0.0.1:6060  [TRACELANE_ENDPOINT_TOKEN=...]
//                                      [TRACELANE_ENDPOINT_CHILD=127.0.0.1:0: fork() children]
//   TRACELANE_SIGNAL_DIR=/var/tmp      [TRACELANE_SIGNAL=USR2] [TRACELANE_SIGNAL_SECONDS=10]
//                                      [TRACELANE_SIGNAL_CHILD=1: restart in fork() children]
//   TRACELANE_CRASH_DIR=/var/tmp
// tracelane is usually linked as a static library, whose unreferenced objects the
// linker drops; capture.cmake adds -Wl,-u,tracelane_capture_autostart to every
// target linking tracelane so this object (and its initializer) is always kept.
// Problems are reported on stderr, one line each, and never stop the program.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "tracelane/capture.h"
#include "tracelane/endpoint.h"
#include "tracer/capture/capture_internal.h"
#include "tracer/capture/signal_names.h"

namespace tracelane::internal {
namespace {

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && v[0] != '\0' ? v : nullptr;
}

void Warn(const char* var, const char* value, const absl::Status& s) {
  std::fprintf(stderr, "tracelane: %s=%s: %s\n", var, value, std::string(s.message()).c_str());
}

void StartFromEnvironment() {
  InstallCaptureSnapshotHook();
  if (const char* addr = Env("TRACELANE_ENDPOINT")) {
    EndpointOptions o;
    if (const char* token = Env("TRACELANE_ENDPOINT_TOKEN")) o.token = token;
    if (const char* child = Env("TRACELANE_ENDPOINT_CHILD")) o.child_address = child;
    if (absl::Status s = StartEndpoint(addr, o); !s.ok()) Warn("TRACELANE_ENDPOINT", addr, s);
  }
  if (const char* dir = Env("TRACELANE_SIGNAL_DIR")) {
    SignalTriggerOptions o;
    o.directory = dir;
    if (const char* sig = Env("TRACELANE_SIGNAL")) {
      std::optional<int> parsed = ParseSignal(sig);
      if (!parsed) {
        Warn("TRACELANE_SIGNAL", sig, absl::InvalidArgumentError("unknown signal; using SIGUSR2"));
      } else {
        o.signal = *parsed;
      }
    }
    if (const char* secs = Env("TRACELANE_SIGNAL_SECONDS")) {
      double v;
      if (absl::SimpleAtod(secs, &v)) o.last_seconds = v;
    }
    if (const char* child = Env("TRACELANE_SIGNAL_CHILD")) o.restart_in_child = child[0] == '1';
    if (absl::Status s = EnableSignalTrigger(o); !s.ok()) Warn("TRACELANE_SIGNAL_DIR", dir, s);
  }
  if (const char* dir = Env("TRACELANE_CRASH_DIR")) {
    CrashCaptureOptions o;
    o.directory = dir;
    if (absl::Status s = EnableCrashCapture(o); !s.ok()) Warn("TRACELANE_CRASH_DIR", dir, s);
  }
}

const bool g_started = (StartFromEnvironment(), true);

}  // namespace
}  // namespace tracelane::internal

// Referenced by the linker flag above; keeps this object in static links.
extern "C" const bool* tracelane_capture_autostart() { return &tracelane::internal::g_started; }
