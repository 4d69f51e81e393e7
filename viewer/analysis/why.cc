#include "viewer/analysis/why.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/cut_cursor.h"
#include "viewer/analysis/thread_states.h"

namespace tracelane::analysis {

WhyReport Why(const Model& m, const WhyOptions& options) {
  WhyReport r;
  r.scope = options.scope;
  // Pass 1: the complete instances' durations (8 bytes each), for the threshold.
  std::vector<const std::vector<ScopeRef>*> lists;
  for (uint32_t loc = 0; loc < m.scopes_by_location.size(); ++loc) {
    if (m.LocationName(loc) == options.scope) lists.push_back(&m.scopes_by_location[loc]);
  }
  std::vector<int64_t> d;
  {
    CutCursor cuts(m);
    for (const std::vector<ScopeRef>* refs : lists) {
      for (const ScopeRef ref : *refs) {
        bool by_loss = false;
        if (cuts.IsCut(ref, &by_loss)) {
          ++r.cut;
          r.cut_by_loss += by_loss ? 1 : 0;
          continue;
        }
        const Scope& s = m.scope(ref);
        d.push_back(s.end_ns - s.begin_ns);
      }
    }
  }
  r.count = d.size();
  if (d.empty()) return r;
  if (options.above_ns >= 0) {
    r.threshold_ns = options.above_ns;
  } else {
    // Nearest rank: the smallest duration with at least p% of instances <= it.
    const double p = std::clamp(options.percentile, 0.0, 100.0);
    size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(d.size()) - 1e-9));
    rank = std::clamp<size_t>(rank, 1, d.size()) - 1;
    std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(rank), d.end());
    r.threshold_ns = d[rank];
  }
  std::vector<int64_t>().swap(d);
  // Pass 2: the instances at or above it.
  std::vector<ScopeInstance> above;
  {
    CutCursor cuts(m);
    for (const std::vector<ScopeRef>* refs : lists) {
      for (const ScopeRef ref : *refs) {
        const Scope& s = m.scope(ref);
        if (s.end_ns - s.begin_ns < r.threshold_ns || cuts.IsCut(ref)) continue;
        above.push_back(ScopeInstance{ref, s.begin_ns, s.end_ns - s.begin_ns, false});
      }
    }
  }
  r.above = above.size();
  std::sort(above.begin(), above.end(), SlowerThan);
  if (above.size() > options.max_instances) above.resize(options.max_instances);
  r.explained = above.size();

  absl::flat_hash_map<std::string, size_t> index;
  for (const ScopeInstance& inst : above) {
    const Explanation ex = Explain(m, inst);
    r.total_ns += inst.duration_ns;
    for (int s = 0; s < kNumStates; ++s) r.states[s] += ex.states[s];
    // This instance's time per aggregated cause (a key may occur several times).
    absl::flat_hash_map<size_t, int64_t> mine;
    for (const Cause& c : ex.parts) {
      std::string key = SummarizeWait(m, c);
      auto [it, inserted] = index.try_emplace(key, r.causes.size());
      if (inserted) {
        r.causes.push_back(WhyCause{std::move(key), c});
      }
      WhyCause& w = r.causes[it->second];
      w.duration_ns += c.duration_ns;
      mine[it->second] += c.duration_ns;
      if (c.duration_ns > w.sample.duration_ns) w.sample = c;
      if (std::string root = SummarizeRoot(m, c); !root.empty()) {
        auto r = std::find_if(w.roots.begin(), w.roots.end(),
                              [&](const WhyRoot& x) { return x.root == root; });
        if (r == w.roots.end()) r = w.roots.insert(w.roots.end(), WhyRoot{std::move(root)});
        r->duration_ns += c.duration_ns;
      }
    }
    for (const auto& [i, ns] : mine) {
      WhyCause& w = r.causes[i];
      ++w.instances;
      w.examples.push_back(WhyExample{inst, ns});
      std::sort(w.examples.begin(), w.examples.end(), [](const WhyExample& a, const WhyExample& b) {
        if (a.part_ns != b.part_ns) return a.part_ns > b.part_ns;
        return SlowerThan(a.instance, b.instance);
      });
      if (w.examples.size() > static_cast<size_t>(std::max(0, options.examples))) {
        w.examples.pop_back();
      }
    }
  }
  for (WhyCause& w : r.causes) {
    w.fraction = r.total_ns > 0 ? static_cast<double>(w.duration_ns) / r.total_ns : 0;
    std::stable_sort(w.roots.begin(), w.roots.end(), [](const WhyRoot& a, const WhyRoot& b) {
      return a.duration_ns > b.duration_ns;
    });
  }
  std::stable_sort(r.causes.begin(), r.causes.end(), [](const WhyCause& a, const WhyCause& b) {
    if (a.duration_ns != b.duration_ns) return a.duration_ns > b.duration_ns;
    return a.key < b.key;
  });
  return r;
}

}  // namespace tracelane::analysis
