// Encodes a Snapshot as a .tlt file (docs/FORMAT.md).
#ifndef TRACELANE_TRACER_TRACE_WRITER_H_
#define TRACELANE_TRACER_TRACE_WRITER_H_

#include <memory>
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

// Builds a .tlt file in two steps: event blocks first (encoded and compressed as
// they are added, so a streaming capture holds about 1 byte per event), then
// Finish writes the header, the tables those events need, the blocks and the
// footer. Not thread-safe.
class TraceEncoder {
 public:
  explicit TraceEncoder(const Calibration& cal);
  ~TraceEncoder();
  TraceEncoder(const TraceEncoder&) = delete;
  TraceEncoder& operator=(const TraceEncoder&) = delete;

  // Encodes `t.events` merged by time with `t.extra` as event blocks of thread
  // table index `ti`. A thread's calls must come in time order. O(events).
  void AddEvents(uint32_t ti, const ThreadSnapshot& t);
  // Writes the file. `meta.threads[i]` describes thread index i (its events and
  // extras are ignored: only what AddEvents saw is written); the header, objects
  // and properties also come from `meta`.
  // Before writing, a thread of `meta` that had exited (ThreadSnapshot::last_area)
  // whose last areas did not reach the encoder gets a kDataLost record at its
  // exit (docs/FORMAT.md, section 8.1).
  absl::Status Finish(const Snapshot& meta, std::ostream& out, WriteStats* stats = nullptr);

  uint64_t events() const;        // events added so far
  uint64_t stored_bytes() const;  // compressed event bytes held

 private:
  // Adds the kDataLost records of losses after threads' last chunks. O(threads).
  void AddTrailingLosses(const Snapshot& meta);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes `snap` to `out`. Events are converted from ticks to CLOCK_MONOTONIC ns
// with the snapshot's calibration. Fails only if the stream fails.
absl::Status EncodeTrace(const Snapshot& snap, std::ostream& out, WriteStats* stats = nullptr);

// As EncodeTrace, into memory: the complete .tlt file as a string.
absl::StatusOr<std::string> EncodeTraceToString(const Snapshot& snap, WriteStats* stats = nullptr);

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_TRACE_WRITER_H_
