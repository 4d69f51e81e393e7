// The facts of a .tlt file (what `tracelane info` prints) without decoding its
// events: the header, the table blocks, the block headers and the footer
// (docs/FORMAT.md section 13). No GUI dependency.
#ifndef TRACELANE_VIEWER_LIB_TRACE_SUMMARY_H_
#define TRACELANE_VIEWER_LIB_TRACE_SUMMARY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::reader {

// Where a summary's counts came from.
enum class SummarySource {
  kFooter,  // the footer, checked against the tables and the block headers
  kScan,    // decoding every block (StreamTrace)
};

// How ReadTraceSummary may answer.
enum class SummaryMethod {
  kPreferFooter,  // the footer when it is present and consistent, else a scan
  kScan,          // always decode every block (also checks every event block)
};

struct TraceSummary {
  // Header, properties, strings, locations, threads and objects, with the counts a
  // full read gives: file_bytes, event_count, dropped, overwritten, complete and
  // warnings. Thread::events are empty.
  Trace tables;
  // What Trace::EventSpan() gives for the whole trace: the earliest and latest event
  // times, or the capture bounds when there are no events.
  int64_t first_event_ns = 0;
  int64_t last_event_ns = 0;
  uint64_t event_blocks = 0;  // event blocks in the file (decoded ones for a scan)
  SummarySource source = SummarySource::kFooter;
  // Why the footer was not used, e.g. "footer missing or damaged (...)"; empty
  // when source is kFooter.
  std::string scan_reason;
  // Bytes read from the file on the footer path (file header, block headers, table
  // and footer payloads); the file size for a scan.
  uint64_t bytes_read = 0;
};

// Reads the facts of a trace file. On the footer path it reads the file header,
// every block header (24 bytes each, with a seek over each event payload), the
// table and footer payloads (checksums verified, tables decoded), and checks the
// footer against them: its thread count, dropped and lost totals, the number of
// event blocks, an event count the blocks' sizes can hold. The event span comes
// from the first_event_ns / last_event_ns properties. Cost: O(blocks) time, with
// memory and reads of the tables' size; event payloads are neither read nor
// checked (SummaryMethod::kScan checks them).
//
// It scans instead (StreamTrace: O(file) time, O(largest block) memory) when the
// footer is missing, damaged or inconsistent, or the span properties are absent
// (older writers), and says why in scan_reason. In strict mode a structural problem
// (truncated file, corrupt block header, a table or footer that fails its checksum)
// is the error a full read gives: "t.tlt: offset 1234: block payload checksum
// mismatch"; with options.salvage the scan recovers what is intact and records
// warnings. Honours options.cancelled and options.progress.
absl::StatusOr<TraceSummary> ReadTraceSummary(const std::string& path,
                                              const ReadOptions& options = {},
                                              SummaryMethod method = SummaryMethod::kPreferFooter);

// "footer" or "scan".
const char* SummarySourceName(SummarySource source);

}  // namespace tracelane::reader

#endif  // TRACELANE_VIEWER_LIB_TRACE_SUMMARY_H_
