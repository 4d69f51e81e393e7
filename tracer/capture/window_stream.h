// Streams a next-N capture window out of the flight recorder while it records, so
// a window holding more events than the buffer budget still reaches the trace
// whole (as Go's `?seconds=5` streams its trace).
#ifndef TRACELANE_TRACER_CAPTURE_WINDOW_STREAM_H_
#define TRACELANE_TRACER_CAPTURE_WINDOW_STREAM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "tracelane/internal/clock.h"
#include "tracer/snapshot.h"
#include "tracer/trace_writer.h"

namespace tracelane::internal {

// The capture thread calls Drain every few milliseconds while the window is open:
// it takes the full chunks at the head of the pool that hold window events (they
// leave the pool, so nothing can overwrite them, and go back to the free list at
// once), attaches the scheduler events of the same stretch of time, and encodes
// and compresses them into event blocks (about 1 byte per event held). Finish
// adds what is still in the buffers when the window closes and writes the file.
// Every event is either streamed, left in the pool for the final snapshot, or
// lost to a reuse that the window's loss counts already include. Each chunk goes
// to the encoder with its AreaMark, and the encoder keeps every thread's place
// in its sequence of chunks across batches and the final snapshot, so a loss
// between any two of them is written where it happened (kDataLost).
class WindowStream {
 public:
  // `start_ticks`: the window's first tick. Once `max_stored_bytes` of compressed
  // events are held, Drain stops taking chunks (the rest of the window then
  // behaves as without streaming: losses are counted, never silent).
  WindowStream(uint64_t start_ticks, uint64_t max_stored_bytes);
  // Releases the thread records the stream holds (see ThreadIndex).
  ~WindowStream();
  WindowStream(const WindowStream&) = delete;
  WindowStream& operator=(const WindowStream&) = delete;

  // Moves up to 64 of the window's full chunks out of the pool into event
  // blocks (each chunk is free again once its events are copied), and gives up
  // older chunks at the head of the pool while the writers are short of free
  // ones. Capture thread only. Returns the number of chunks taken or given up;
  // call again until it returns 0. O(events taken).
  size_t Drain();

  // Encodes `final_snap` (taken with SnapshotOptions::min_ticks = start and
  // window_losses) after the streamed blocks and returns the complete .tlt file.
  // `describe` runs on the merged snapshot (thread table, properties) first.
  template <typename Describe>
  absl::StatusOr<std::string> Finish(Snapshot final_snap, Describe describe, WriteStats* stats) {
    Snapshot meta = Merge(std::move(final_snap));
    describe(meta);
    return Write(meta, stats);
  }

  uint64_t chunks() const { return chunks_; }
  // Wall time spent in Drain so far.
  int64_t busy_ns() const { return busy_ns_; }
  bool limit_hit() const { return limit_hit_; }

 private:
  struct StreamThread {
    const void* record;
    int64_t tid;
    uint64_t start_ticks;
    std::string name;
    bool alive;
    uint64_t exit_ticks;
    uint64_t sched_cut;   // scheduler events up to this tick are already encoded
    uint64_t first_area;  // the window's first area of the thread (AreaCursor::StartAt)
  };

  // Stream thread index for the chunk owner `record` (a ThreadRecord), adding an
  // entry on first sight. Each entry holds a reference on its record until the
  // capture ends, so records are not recycled mid-window (a thread storm during a
  // capture keeps that many records until it ends). Registry mutex held.
  uint32_t ThreadIndex(const void* record);
  void ReleaseRecords();
  // Free chunks to keep ahead of the writers, from their measured fill rate.
  uint32_t Reserve();
  // Attaches scheduler events to a drained batch and encodes it.
  void Encode(Snapshot& mini, const std::vector<uint32_t>& stream_index);
  // A thread-table entry (no events) for `st`.
  static ThreadSnapshot Describe(const StreamThread& st);
  // Merges the final snapshot's threads with the streamed ones (by index) and
  // encodes their remaining events; returns the snapshot describing the file.
  Snapshot Merge(Snapshot final_snap);
  absl::StatusOr<std::string> Write(const Snapshot& meta, WriteStats* stats);

  uint64_t start_ticks_;
  uint64_t max_stored_bytes_;
  Calibration cal_;
  TraceEncoder encoder_;
  std::vector<StreamThread> threads_;
  absl::flat_hash_map<const void*, uint32_t> by_record_;
  uint64_t chunks_ = 0;
  uint64_t discarded_ = 0;
  int64_t busy_ns_ = 0;
  // Event buffers of earlier batches, kept for reuse (capacity only).
  std::vector<std::vector<RawEvent>> spare_events_;
  // Writers' fill rate (chunks published per ns), measured between Reserve calls.
  double chunks_per_ns_ = 0;
  int64_t rate_at_ns_ = 0;
  uint64_t released_at_rate_ = 0;
  bool limit_hit_ = false;
};

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_CAPTURE_WINDOW_STREAM_H_
