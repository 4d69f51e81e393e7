// Encodes a Snapshot as a .tlt file (docs/FORMAT.md).
#ifndef TRACELANE_TRACER_TRACE_WRITER_H_
#define TRACELANE_TRACER_TRACE_WRITER_H_

#include <ostream>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tracer/snapshot.h"

namespace tracelane::internal {

// Counts of what EncodeTrace wrote.
struct WriteStats {
  uint64_t events = 0;
  uint64_t bytes = 0;
};

// Writes `snap` to `out`. Events are converted from ticks to CLOCK_MONOTONIC ns
// with the snapshot's calibration. Fails only if the stream fails.
absl::Status EncodeTrace(const Snapshot& snap, std::ostream& out, WriteStats* stats = nullptr);

// As EncodeTrace, into memory: the complete .tlt file as a string.
absl::StatusOr<std::string> EncodeTraceToString(const Snapshot& snap, WriteStats* stats = nullptr);

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_TRACE_WRITER_H_
