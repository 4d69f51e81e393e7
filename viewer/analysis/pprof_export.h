// Export of delay profiles in pprof's format (viewer/proto/profile.proto),
// gzip-compressed, as `go tool trace -pprof` does for Go: each sample is the
// time a thread spent in a state, with the scope nesting at that moment as the
// stack and a leaf frame naming the cause ("lock wait: db", "pause: gc").
//   sync:  Lock wait + Condvar wait time
//   sched: Runnable time (scheduler wait)
//   pause: Paused time (own pauses and stop-the-world)
// Sample types: contentions/count and delay/nanoseconds (the default). Samples
// carry "thread" (name) and "tid" labels. The delay total equals
// PprofTotal() — the same numbers `tracelane threads` reports.
#ifndef TRACELANE_VIEWER_ANALYSIS_PPROF_EXPORT_H_
#define TRACELANE_VIEWER_ANALYSIS_PPROF_EXPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "viewer/analysis/model.h"

namespace tracelane::analysis {

enum class PprofKind : uint8_t { kSync, kSched, kPause };

// "sync" | "sched" | "pause"; anything else is an error listing the choices.
absl::StatusOr<PprofKind> ParsePprofKind(std::string_view name);
// The thread states a profile kind counts.
std::vector<ThreadState> PprofStates(PprofKind kind);
// Sum over all threads of the time in PprofStates(kind). O(spans).
int64_t PprofTotal(const Model& m, PprofKind kind);

struct PprofStats {
  uint64_t spans = 0;    // state spans that became sample values
  uint64_t samples = 0;  // distinct (stack, thread) samples
  int64_t total_ns = 0;  // sum of delay values
};

// The serialized (uncompressed) profile.
std::string BuildPprofProfile(const Model& m, PprofKind kind, PprofStats* stats = nullptr);
// Writes the gzip-compressed profile to `path`.
absl::Status WritePprofFile(const Model& m, PprofKind kind, const std::string& path,
                            PprofStats* stats = nullptr);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_PPROF_EXPORT_H_
