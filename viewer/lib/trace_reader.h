// Reading .tlt trace files (docs/FORMAT.md). No GUI dependency.
#ifndef TRACELANE_VIEWER_TRACE_READER_H_
#define TRACELANE_VIEWER_TRACE_READER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tracelane/format.h"

namespace tracelane::reader {

// One decoded event. 32 bytes.
struct Event {
  int64_t ts_ns;     // CLOCK_MONOTONIC nanoseconds
  uint64_t payload;  // location index (HasLocationPayload) or raw value
  int64_t arg;       // valid when has_arg
  format::EventType type;
  bool has_arg;
};

struct Location {
  std::string name;
  std::string function;
  std::string file;
  uint32_t line = 0;
};

struct Thread {
  int64_t tid = 0;
  std::string name;
  uint64_t dropped = 0;      // events lost for want of buffer space
  uint64_t overwritten = 0;  // events lost to the flight recorder's reuse
  bool exited = false;
  int64_t start_ns = 0;       // registration (first event) time, 0 if unknown
  int64_t exit_ns = 0;        // exit time, 0 if the thread was alive at capture
  std::vector<Event> events;  // in time order
};

struct Object {
  format::ObjectKind kind;
  uint64_t id;
  std::string name;
};

struct Trace {
  std::string path;
  uint32_t version = 0;
  format::ClockSource clock_source = format::ClockSource::kTsc;
  double tsc_hz = 0;
  uint32_t pid = 0;
  int64_t realtime_anchor_ns = 0;
  int64_t monotonic_anchor_ns = 0;
  int64_t capture_start_ns = 0;
  int64_t capture_end_ns = 0;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<std::string> strings;
  std::vector<Location> locations;
  std::vector<Thread> threads;
  std::vector<Object> objects;
  uint64_t file_bytes = 0;
  uint64_t event_count = 0;  // events decoded
  uint64_t dropped = 0;      // sum of per-thread drops
  uint64_t overwritten = 0;  // per-thread overwrites plus losses of vanished threads
  bool complete = false;     // footer present and consistent
  // Problems skipped in salvage mode, each naming the byte offset.
  std::vector<std::string> warnings;

  // Value of a property, or "" if absent.
  const std::string& Property(const std::string& key) const;
  // Time span of all events (first, last); capture bounds if there are none.
  std::pair<int64_t, int64_t> EventSpan() const;
  // The location of a location-payload event; nullptr if out of range.
  const Location* LocationOf(const Event& e) const;
  // CLOCK_REALTIME nanoseconds for a trace timestamp.
  int64_t ToRealtime(int64_t ts_ns) const {
    return ts_ns - monotonic_anchor_ns + realtime_anchor_ns;
  }
};

struct ReadOptions {
  // false: any truncation or corruption is an error. true: decode every intact
  // block, skip damaged ones and record each problem in Trace::warnings.
  bool salvage = false;
  // Called after each block with (bytes consumed, file size). May be empty.
  std::function<void(uint64_t, uint64_t)> progress;
  // Called between blocks; returning true stops the read with absl::CancelledError
  // ("<name>: loading cancelled"). May be empty. Must be cheap: it runs once per block.
  std::function<bool()> cancelled;
  // Parallel readers only (parallel_reader.h): decoding threads, the caller
  // included (0: one per core), and decoded blocks allowed to wait for their
  // consumer at once (0: 2 per worker, at least 4). Results never depend on them.
  int workers = 0;
  int max_blocks_in_flight = 0;
};

// Reads a whole trace file. Errors name the file, the byte offset and the problem:
// "t.tlt: offset 1234: block payload checksum mismatch". Never crashes on bad
// input. Memory: ~32 bytes per event plus the tables. Honours options.cancelled.
absl::StatusOr<Trace> ReadTrace(const std::string& path, const ReadOptions& options = {});

// As ReadTrace, from bytes already in memory; `name` is used in messages.
absl::StatusOr<Trace> ParseTrace(std::string_view bytes, const std::string& name,
                                 const ReadOptions& options = {});

// Receives one decoded, validated event block during streaming reads: the index
// of its thread in `tables.threads` and the block's events in file order. `tables`
// holds the header and every table decoded so far (tables precede event blocks).
using EventBlockFn = std::function<void(const Trace& tables, uint32_t thread_index,
                                        const std::vector<Event>& events)>;

// Streaming form of ReadTrace: the file is memory-mapped (not copied) and decoded
// block by block; each event block goes to `on_events` and is NOT stored, so the
// returned Trace has the tables and counts but empty Thread::events. Salvage,
// errors, progress and cancellation behave as in ReadTrace. Memory: O(largest
// block) + tables.
absl::StatusOr<Trace> StreamTrace(const std::string& path, const EventBlockFn& on_events,
                                  const ReadOptions& options = {});

// As StreamTrace, from bytes already in memory; `name` is used in messages.
absl::StatusOr<Trace> StreamParseTrace(std::string_view bytes, const std::string& name,
                                       const EventBlockFn& on_events,
                                       const ReadOptions& options = {});

// Short name of an event type ("scope_begin", "lock_wait", ...).
const char* EventTypeName(format::EventType type);

}  // namespace tracelane::reader

#endif  // TRACELANE_VIEWER_TRACE_READER_H_
