#include "viewer/analysis/blame_tree.h"

#include <algorithm>
#include <utility>

#include "viewer/analysis/saturating.h"

namespace tracelane::analysis {
namespace {

bool SameHop(const BlameHop& a, const BlameHop& b) {
  return a.via == b.via && a.object_id == b.object_id && a.thread == b.thread &&
         a.scope == b.scope && a.hold_cut == b.hold_cut && a.confidence == b.confidence;
}

struct Building {
  BlameTreeNode node;
  std::vector<size_t> children;  // indices into the pool
};

// Adds cause `c` to `n` (a hop or a root): its time, spans and first span.
void Count(BlameTreeNode& n, const Cause& c) {
  n.first_ns = n.count == 0 ? c.first_ns : std::min(n.first_ns, c.first_ns);
  if (n.count == 0 || c.duration_ns > n.cause.duration_ns) n.cause = c;
  AddTo(&n.duration_ns, c.duration_ns);
  n.count += c.count;
}

void Emit(std::vector<Building>& pool, size_t at, std::vector<BlameTreeNode>* out) {
  std::vector<size_t> kids = pool[at].children;
  std::stable_sort(kids.begin(), kids.end(), [&pool](size_t a, size_t b) {
    const BlameTreeNode &x = pool[a].node, &y = pool[b].node;
    if (x.duration_ns != y.duration_ns) return x.duration_ns > y.duration_ns;
    return x.first_ns < y.first_ns;
  });
  for (size_t k : kids) {
    out->push_back(std::move(pool[k].node));
    Emit(pool, k, out);
  }
}

}  // namespace

std::vector<BlameTreeNode> BuildBlameTree(const Model& m, const Explanation& ex) {
  std::vector<Building> pool(1);  // pool[0]: above the first hops
  for (const Cause& c : ex.causes) {
    if (c.kind != CauseKind::kLockWait && c.kind != CauseKind::kCondvarWait) continue;
    std::vector<BlameHop> hops = c.chain;
    if (hops.empty()) {
      // No hop with a known thread (the holder was not traced, or the lock was
      // free already): the wait itself is the hop.
      hops.push_back(BlameHop{c.kind, c.what, c.object_id, kNone, "", false, c.confidence});
    }
    size_t parent = 0;
    for (size_t d = 0; d < hops.size(); ++d) {
      size_t found = 0;
      for (size_t k : pool[parent].children) {
        if (!pool[k].node.root && SameHop(pool[k].node.hop, hops[d])) found = k;
      }
      if (found == 0) {
        found = pool.size();
        Building b;
        b.node.depth = static_cast<int>(d);
        b.node.hop = hops[d];
        b.node.thread = hops[d].thread;
        pool.push_back(std::move(b));
        pool[parent].children.push_back(found);
      }
      Count(pool[found].node, c);
      parent = found;
    }
    Building leaf;
    leaf.node.root = true;
    leaf.node.depth = static_cast<int>(hops.size());
    leaf.node.label = DescribeRoot(m, c);
    leaf.node.thread = c.root.thread;
    Count(leaf.node, c);
    pool.push_back(std::move(leaf));
    pool[parent].children.push_back(pool.size() - 1);
  }
  std::vector<BlameTreeNode> out;
  out.reserve(pool.size() - 1);
  Emit(pool, 0, &out);
  return out;
}

}  // namespace tracelane::analysis
