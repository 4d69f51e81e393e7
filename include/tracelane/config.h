// tracelane/config.h: recorder configuration and statistics.
#ifndef TRACELANE_CONFIG_H_
#define TRACELANE_CONFIG_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"

namespace tracelane {

// What happens when the buffer budget is used up.
enum class OverflowPolicy {
  kOverwriteOldest,  // flight recorder: reuse the oldest full chunk (default)
  kDropNewest,       // keep what is buffered, drop (and count) new events
};

// Recorder settings. Defaults come from the environment when set:
// TRACELANE_BUFFER_MB (buffer_bytes), TRACELANE_POLICY=drop|overwrite.
struct RecorderOptions {
  // Total memory for event chunks, shared by all threads. Rounded down to whole
  // chunks; at least 4 chunks.
  size_t buffer_bytes = size_t{64} << 20;
  OverflowPolicy policy = OverflowPolicy::kOverwriteOldest;
  // Events per chunk (16 bytes each), rounded up to a multiple of 64 (1 KiB).
  // Each thread owns one chunk at a time.
  uint32_t chunk_events = 1024;
};

// Replaces the recorder's buffers. Discards everything buffered. Fails with
// FailedPrecondition if any thread other than the caller is currently registered
// and alive (their cursors would dangle). Allocates the budget with mmap (pages are
// touched lazily).
absl::Status Configure(const RecorderOptions& options);

// The options in force.
RecorderOptions CurrentOptions();

// Counters over the recorder's lifetime. O(threads).
struct RecorderStats {
  uint64_t chunks_total = 0;      // chunks in the pool
  uint64_t chunks_in_use = 0;     // chunks holding data or being written
  uint64_t bytes_budget = 0;      // memory of the pool
  uint64_t threads_live = 0;      // registered threads still running
  uint64_t threads_retained = 0;  // exited threads whose data is still buffered
  uint64_t events_dropped = 0;    // lost because no chunk was free (kDropNewest)
  uint64_t events_overwritten = 0;  // lost to the flight recorder's reuse
};
RecorderStats GetRecorderStats();

}  // namespace tracelane

#endif  // TRACELANE_CONFIG_H_
