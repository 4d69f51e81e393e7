// Reading a .tlt file on every core (docs/ARCHITECTURE.md, "Loading"). Event
// blocks decode independently (docs/FORMAT.md section 3), so a fixed pool of
// workers checks, decompresses and decodes them in parallel while the blocks of
// each trace thread are handed over in file order, one at a time per trace
// thread: consumers can build per-thread state without locks, and different
// threads' blocks are consumed concurrently.
//
// Errors, warnings and the returned Trace are exactly those of StreamTrace on the
// same bytes, whatever the number of workers: blocks are checked in parallel but
// problems are reported in file order, and a strict read stops at the first one.
#ifndef TRACELANE_VIEWER_LIB_PARALLEL_READER_H_
#define TRACELANE_VIEWER_LIB_PARALLEL_READER_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::reader {

// Called once on the calling thread with the header and every table, before any
// event block is handed over. The Trace it sees is not modified while the events
// are consumed, so event consumers may keep reading it.
using TablesFn = std::function<void(const Trace& tables)>;

// Parallel form of StreamTrace. Before decoding anything it walks the block
// headers (seeking over payloads) and decodes the tables; then
// ResolveWorkers(options.workers) threads (the caller included) decode the event
// blocks, at most options.max_blocks_in_flight decoded blocks waiting at once.
//
// Threading contract: `on_events` runs on the workers; calls for the same
// thread_index never overlap and arrive in file order; calls for different
// thread indices may run concurrently. options.progress and options.cancelled are
// called on the workers, never concurrently; progress is monotonic and ends at
// (file size, file size) on success. A cancelled read stops within one block per
// worker and returns CancelledError("<name>: loading cancelled").
//
// Memory: the tables, one block index entry (~80 bytes) per block, and at most
// max_blocks_in_flight decoded blocks (32 bytes per event each). The file is
// memory-mapped and the pages already decoded are released as the read advances.
// Time: the serial decode divided by the workers, as long as consumers keep up.
absl::StatusOr<Trace> ParallelStreamTrace(const std::string& path, const TablesFn& on_tables,
                                          const EventBlockFn& on_events,
                                          const ReadOptions& options = {});

// As ParallelStreamTrace, from bytes already in memory; `name` is used in messages.
absl::StatusOr<Trace> ParallelStreamParseTrace(std::string_view bytes, const std::string& name,
                                               const TablesFn& on_tables,
                                               const EventBlockFn& on_events,
                                               const ReadOptions& options = {});

}  // namespace tracelane::reader

#endif  // TRACELANE_VIEWER_LIB_PARALLEL_READER_H_
