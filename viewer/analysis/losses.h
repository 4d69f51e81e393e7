// What a model could not observe, in one place: the gaps where threads' events
// were lost (kDataLost) and the spans cut by them or by the capture window. The
// summary prints it next to the loss counts; a viewer can show the same.
#ifndef TRACELANE_VIEWER_ANALYSIS_LOSSES_H_
#define TRACELANE_VIEWER_ANALYSIS_LOSSES_H_

#include <cstdint>

#include "viewer/analysis/model.h"

namespace tracelane::analysis {

struct LossSummary {
  uint64_t gaps = 0;                // DataGaps over all threads
  uint64_t threads_with_gaps = 0;   // threads with at least one
  int64_t gap_ns = 0;               // their total time (Unknown in the states)
  uint64_t gap_events = 0;          // events lost in them, where the count is known
  uint64_t cut_scopes = 0;          // scope instances cut (any reason)
  uint64_t cut_scopes_by_loss = 0;  // of which by lost data
  uint64_t cut_lock_waits = 0;      // waits whose end was not recorded (kOpen, kLost)
  uint64_t cut_pauses = 0;          // own pauses and stop-the-world spans cut
};

// Sums the model's gaps and cut spans. O(threads + gaps + waits + pauses).
LossSummary SummarizeLosses(const Model& m);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_LOSSES_H_
