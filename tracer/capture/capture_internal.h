// Internal pieces shared by the capture front ends (API, endpoint, signal
// trigger, crash capture). Not part of the public API.
#ifndef TRACELANE_TRACER_CAPTURE_CAPTURE_INTERNAL_H_
#define TRACELANE_TRACER_CAPTURE_CAPTURE_INTERNAL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tracelane::internal {

// Adds the flight-recorder properties (retention, aged-out events, overwrite
// horizon) to every snapshot, WriteTrace included. Idempotent.
void InstallCaptureSnapshotHook();

// The process name from /proc/self/comm, reduced to [A-Za-z0-9._-] for use in
// file names ("proc" if unknown).
std::string FileSafeProcessName();

// "<directory>/tracelane-<process>-<pid>-<UTC yyyymmddThhmmss.mmmZ>.tlt".
std::string TimestampedTracePath(const std::string& directory);

// Writes `bytes` to `path` through "<path>.tmp-<pid>" and rename(2), so readers
// never see a partial file. Errors name the path and the errno text.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view bytes);

// Checks that `directory` exists and is writable by this process.
absl::Status CheckWritableDirectory(const std::string& directory);

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_CAPTURE_CAPTURE_INTERNAL_H_
