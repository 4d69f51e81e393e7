// Export to the Chrome trace event format (JSON object form), which Perfetto UI
// and chrome://tracing open: thread names as metadata, scopes as complete ("X")
// events on each thread's track, thread states (lock waits, pauses, ...) on a
// "<thread> states" track beside it, stop-the-world spans on their own track,
// and flow arrows from the thread that released a lock or notified a condvar to
// the thread it woke. Timestamps are microseconds from the trace start, with
// nanosecond decimals.
#ifndef TRACELANE_VIEWER_ANALYSIS_CHROME_EXPORT_H_
#define TRACELANE_VIEWER_ANALYSIS_CHROME_EXPORT_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "viewer/analysis/model.h"

namespace tracelane::analysis {

struct ChromeExportStats {
  uint64_t events = 0;  // trace events written (including metadata and flows)
  uint64_t flows = 0;   // flow arrows (pairs of s/f events)
  uint64_t bytes = 0;
};

// Writes the whole model as one JSON object. Streams through a 1 MiB buffer.
absl::Status WriteChromeTrace(const Model& m, std::ostream& out,
                              ChromeExportStats* stats = nullptr);
// As above, to a file; errors name the path.
absl::Status WriteChromeTraceFile(const Model& m, const std::string& path,
                                  ChromeExportStats* stats = nullptr);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_CHROME_EXPORT_H_
