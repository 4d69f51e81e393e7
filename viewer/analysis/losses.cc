#include "viewer/analysis/losses.h"

#include "viewer/analysis/saturating.h"

namespace tracelane::analysis {

LossSummary SummarizeLosses(const Model& m) {
  LossSummary s;
  for (const ThreadModel& t : m.threads) {
    s.gaps += t.gaps.size();
    s.threads_with_gaps += t.gaps.empty() ? 0 : 1;
    for (const DataGap& g : t.gaps) {
      AddTo(&s.gap_ns, g.end_ns - g.start_ns);
      s.gap_events += g.events_known ? g.lost_events : 0;
    }
    s.cut_scopes += t.cut_scopes.size();
    s.cut_scopes_by_loss += t.lost_scopes.size();
    for (const LockWait& w : t.lock_waits) {
      s.cut_lock_waits += w.outcome == WaitOutcome::kOpen || w.outcome == WaitOutcome::kLost;
    }
    for (const Pause& p : t.pauses) s.cut_pauses += p.cut ? 1 : 0;
  }
  for (const StwSpan& w : m.stw) s.cut_pauses += w.cut ? 1 : 0;
  return s;
}

}  // namespace tracelane::analysis
