// A consistent copy of everything buffered, taken without stopping the recording
// threads. The trace writer encodes a Snapshot; capture modes filter it.
#ifndef TRACELANE_TRACER_SNAPSHOT_H_
#define TRACELANE_TRACER_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tracelane/format.h"
#include "tracelane/internal/clock.h"
#include "tracelane/internal/recorder.h"
#include "tracer/recorder_state.h"

namespace tracelane::internal {

// An event that did not come from a thread's own buffer (scheduler switches read
// from perf, for example). Timestamps are on the tick axis.
struct ExtraEvent {
  uint64_t ticks;
  format::EventType type;
  uint64_t payload;
  int64_t arg;
  bool has_arg;
};

// Where one of the thread's chunks begins in ThreadSnapshot::events, with the
// chunk's place in the thread's sequence of areas (AreaStamp). The trace writer
// compares consecutive marks of a thread to find the events lost between them.
struct AreaMark {
  size_t offset = 0;           // index in `events` of the chunk's first kept slot
  uint64_t area_seq = 0;       // AreaStamp::area_seq (0: unknown, never a gap)
  uint64_t events_before = 0;  // AreaStamp::events_before
  uint64_t events = 0;         // events the chunk held (kept or not)
};

struct ThreadSnapshot {
  const void* record = nullptr;
  int64_t tid = 0;
  std::string name;
  uint64_t dropped = 0;
  uint64_t overwritten = 0;
  bool alive = false;
  uint64_t start_ticks = 0;
  uint64_t exit_ticks = 0;
  std::vector<RawEvent> events;   // the thread's buffer, in write order
  std::vector<ExtraEvent> extra;  // merged in by ticks when written
  // One mark per chunk copied into `events`, in order (also for chunks whose
  // events were all older than the window: no events, but their place in the
  // sequence). Empty for events that did not come from chunks.
  std::vector<AreaMark> areas;
  // First area of the thread inside the capture (AreaCursor::StartAt), 0 if
  // unknown (a loss before the first chunk copied is then not reported).
  uint64_t first_area = 0;
  // For a thread that had exited: its last area and the events it emitted in
  // all, so a loss after its last chunk copied is reported (0: unknown).
  uint64_t last_area = 0;
  uint64_t emitted = 0;
};

struct Snapshot {
  Calibration calibration;
  std::vector<ThreadSnapshot> threads;
  std::vector<ObjectName> objects;
  std::vector<std::pair<std::string, std::string>> properties;
  uint64_t lost_recycled = 0;    // events of threads no longer listed (data aged out)
  uint64_t lost_after_exit = 0;  // events emitted after a thread's exit hook
  uint64_t begin_ticks = 0;      // earliest instant covered (0: all buffered)
  uint64_t end_ticks = 0;        // instant of the snapshot

  // Finds or adds the thread with OS id `tid` (for hooks contributing events).
  ThreadSnapshot& ThreadByTid(int64_t tid);
};

struct SnapshotOptions {
  // Drop events older than this tick value (0 keeps everything).
  uint64_t min_ticks = 0;
  // Per-thread dropped/overwritten counts of the open capture window (see
  // RecorderState::window_start_ticks) instead of lifetime counts, and the
  // window's first area per thread. Threads whose window events were all lost are
  // still listed, with their counts.
  bool window_losses = false;
};

// Copies every Full chunk and every live thread's partially filled chunk, with an
// AreaMark per chunk. Chunks overwritten during the copy are detected (generation
// check) and left out; their events are already counted as overwritten (and show
// as a gap between the marks around them). Takes the registry mutex (blocking
// thread registration, never event recording) for the duration of the copy.
Snapshot TakeSnapshot(const SnapshotOptions& options = {});

// Appends the events of [events, events + n) at or after `min_ticks` to `*dst`,
// with their argument slots; pad slots and older events are left out. O(n).
void AppendEventsSince(const RawEvent* events, size_t n, uint64_t min_ticks,
                       std::vector<RawEvent>* dst);

// A function that adds events or properties to every snapshot (e.g. the perf
// scheduler collector). Hooks run after the buffers are copied.
using SnapshotHook = void (*)(Snapshot& snapshot);
void AddSnapshotHook(SnapshotHook hook);
// Runs every hook on `snapshot` (TakeSnapshot does this; a streaming capture runs
// them on each batch it moves out of the buffers, to attach scheduler events).
void RunSnapshotHooks(Snapshot& snapshot);

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_SNAPSHOT_H_
