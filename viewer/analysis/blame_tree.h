// The blame chains of one explained instance as a tree, hop by hop: each lock
// or condvar wait of the instance (Explanation::causes with a chain) is a path
// of hops — the lock or condvar waited on, the thread that held or notified it
// with its scope over that time — ending at a root (what the last thread was
// doing: running, sleeping, in IO, runnable, ...). Causes that share their first
// hops share those nodes, so each hop carries the time attributed through it
// (the sum of the causes below it) and its children say where that time ended.
// This is what the viewer's Explain panel draws; the numbers are those of
// explain (explain.h), only regrouped.
#ifndef TRACELANE_VIEWER_ANALYSIS_BLAME_TREE_H_
#define TRACELANE_VIEWER_ANALYSIS_BLAME_TREE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "viewer/analysis/explain.h"
#include "viewer/analysis/model.h"

namespace tracelane::analysis {

struct BlameTreeNode {
  // A hop (the previous thread waited via hop.via on hop.what for hop.thread,
  // in hop.scope) or, when `root` is true, where the chains through the parent
  // hop ended (cause.root; label says what that thread was doing).
  bool root = false;
  int depth = 0;   // 0: the explained instance's own wait (the first hop)
  BlameHop hop{};  // hops (hop.thread kNone: nobody known to have held it)
  // For roots: the cause (its root, busy_threads, confidence) whose chain ends
  // here; for hops: the largest cause through it.
  Cause cause{CauseKind::kLockWait, "", 0, kNone, "", 0, 0, 0};
  std::string label;        // roots: DescribeRoot (`running in "f"`, `sleeping in "nap"`, ...)
  uint32_t thread = kNone;  // the hop's thread, or the root's (kNone: unknown / hand-off)
  int64_t duration_ns = 0;  // time attributed through this node (sum of its causes)
  int64_t first_ns = 0;     // start of the earliest span through it
  uint64_t count = 0;       // spans merged
};

// The chains of ex.causes (lock and condvar waits) as a tree in preorder, each
// node's children by time attributed, largest first; top-level hops likewise.
// The roots' durations sum to the waits' time (each nanosecond once), and a
// hop's duration is the sum of its children's. O(causes x chain depth x log).
std::vector<BlameTreeNode> BuildBlameTree(const Model& m, const Explanation& ex);

}  // namespace tracelane::analysis

#endif  // TRACELANE_VIEWER_ANALYSIS_BLAME_TREE_H_
