// Test helpers: capture what the recorder holds and read it back with the
// trace reader, so tests check the events as a trace file carries them.
#ifndef TRACELANE_TESTS_SYNC_TRACE_CAPTURE_H_
#define TRACELANE_TESTS_SYNC_TRACE_CAPTURE_H_

#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tracelane/capture.h"
#include "tracelane/format.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::testing {

// Writes the buffered events as a .tlt trace in memory and parses it.
inline reader::Trace CaptureTrace() {
  std::stringstream out;
  const absl::Status written = WriteTrace(out);
  EXPECT_TRUE(written.ok()) << written;
  absl::StatusOr<reader::Trace> trace = reader::ParseTrace(out.str(), "in-memory.tlt");
  EXPECT_TRUE(trace.ok()) << trace.status();
  return trace.ok() ? *std::move(trace) : reader::Trace{};
}

// The thread with OS id `tid`, or nullptr.
inline const reader::Thread* FindThread(const reader::Trace& trace, int64_t tid) {
  for (const reader::Thread& t : trace.threads) {
    if (t.tid == tid) return &t;
  }
  return nullptr;
}

// The events of `thread` of the given type whose payload is `payload`.
inline std::vector<reader::Event> EventsOf(const reader::Thread& thread, format::EventType type,
                                           uint64_t payload) {
  std::vector<reader::Event> out;
  for (const reader::Event& e : thread.events) {
    if (e.type == type && e.payload == payload) out.push_back(e);
  }
  return out;
}

// All events of `thread` of the given type.
inline std::vector<reader::Event> EventsOf(const reader::Thread& thread, format::EventType type) {
  std::vector<reader::Event> out;
  for (const reader::Event& e : thread.events) {
    if (e.type == type) out.push_back(e);
  }
  return out;
}

// The name of a location-payload event's location ("" if none).
inline std::string LocationName(const reader::Trace& trace, const reader::Event& e) {
  const reader::Location* loc = trace.LocationOf(e);
  return loc != nullptr ? loc->name : "";
}

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_SYNC_TRACE_CAPTURE_H_
