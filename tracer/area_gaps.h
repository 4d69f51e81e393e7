// Finding where a thread's events were lost, from the AreaStamps of the chunks a
// trace writer sees (docs/FORMAT.md, kDataLost). Plain arithmetic, no
// allocation: async-signal-safe, so the crash writer uses it too.
#ifndef TRACELANE_TRACER_AREA_GAPS_H_
#define TRACELANE_TRACER_AREA_GAPS_H_

#include <cstdint>

namespace tracelane::internal {

// One thread's position in its own sequence of areas, as a writer walks its
// chunks in order (across the batches of a streaming capture too). Between two
// consecutive chunks the writer sees, a jump in `area_seq` (chunks reused by the
// flight recorder, drop areas) or in the event count (events dropped in between)
// is a loss; it is held as pending until the writer puts a kDataLost record in
// front of the thread's next event.
struct AreaCursor {
  bool started = false;      // an area (or a baseline) has been seen
  uint64_t area_seq = 0;     // the last one
  uint64_t events_end = 0;   // its events_before plus its events ...
  bool events_known = true;  // ... unless the baseline left it unknown

  bool loss_pending = false;      // a loss not yet written
  uint64_t lost_areas = 0;        // areas missing (the kDataLost payload)
  uint64_t lost_events = 0;       // events missing (the kDataLost argument) ...
  bool lost_events_known = true;  // ... when the stamps were consistent

  // Starts from a baseline instead of the first chunk seen: every area numbered
  // `first_seq` (>= 1) or above belongs to the capture, so areas missing between
  // it and the first chunk seen are a loss too. The count of events lost there
  // is exact when `first_seq` is 1 (the thread's whole life is in the capture),
  // unknown otherwise. No effect once started. O(1).
  void StartAt(uint64_t first_seq) {
    if (started || first_seq == 0) return;
    started = true;
    area_seq = first_seq - 1;
    events_end = 0;
    events_known = first_seq == 1;
  }

  // Takes the next chunk of the thread: its stamp (`area_seq` 0 is unknown and
  // ignored) and the events it held. A chunk numbered at or below the last one
  // (seen already, or older than the baseline) is ignored. Returns true if a loss
  // is pending afterwards. O(1).
  bool Advance(uint64_t seq, uint64_t events_before, uint64_t events) {
    if (seq == 0 || (started && seq <= area_seq)) return loss_pending;
    if (started && (seq != area_seq + 1 || (events_known && events_before != events_end))) {
      loss_pending = true;
      lost_areas += seq - area_seq - 1;
      if (events_known && events_before >= events_end) {
        lost_events += events_before - events_end;
      } else {
        lost_events_known = false;
      }
    }
    started = true;
    area_seq = seq;
    events_end = events_before + events;
    events_known = true;
    return loss_pending;
  }

  // Marks the pending loss written. O(1).
  void ClearLoss() {
    loss_pending = false;
    lost_areas = 0;
    lost_events = 0;
    lost_events_known = true;
  }
};

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_AREA_GAPS_H_
