#include "viewer/analysis/why.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "viewer/analysis/cut_cursor.h"
#include "viewer/analysis/saturating.h"
#include "viewer/analysis/scope_accumulator.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/lib/parallel.h"

namespace tracelane::analysis {

namespace {

// One share of one location's instance list.
struct Share {
  const PodVector<ScopeRef>* refs;
  size_t begin, end;
};

// Calls fn(ref, scope, cut, by_loss) for every instance of the share, in order.
template <typename Fn>
void ForEachInstance(const Model& m, const Share& sh, Fn fn) {
  CutCursor cuts(m);
  // The instances of one location are scattered among the thread's scopes (a
  // new 4 KiB page every few dozen), beyond what the hardware prefetcher
  // follows: fetch a few ahead, or each costs a memory latency.
  constexpr size_t kAhead = 16;
  for (size_t i = sh.begin; i < sh.end; ++i) {
    if (i + kAhead < sh.end) __builtin_prefetch(&m.scope((*sh.refs)[i + kAhead]));
    const ScopeRef ref = (*sh.refs)[i];
    bool by_loss = false;
    const bool cut = cuts.IsCut(ref, &by_loss);
    fn(ref, m.scope(ref), cut, by_loss);
  }
}

// Pass 1 of one worker: the complete instances' fine histogram, the cut ones counted.
struct Counts {
  internal::FineHistogram fine;
  uint64_t count = 0, cut = 0, cut_by_loss = 0;
};

}  // namespace

WhyReport Why(const Model& m, const WhyOptions& options) {
  WhyReport r;
  r.scope = options.scope;
  // The instances of every location with that name, in shares for the workers.
  constexpr size_t kPerShare = size_t{1} << 18;
  std::vector<Share> shares;
  for (uint32_t loc = 0; loc < m.scopes_by_location.size(); ++loc) {
    if (m.LocationName(loc) != options.scope) continue;
    const PodVector<ScopeRef>& refs = m.scopes_by_location[loc];
    for (size_t b = 0; b < refs.size(); b += kPerShare) {
      shares.push_back(Share{&refs, b, std::min(refs.size(), b + kPerShare)});
    }
  }
  const int workers = std::min<int>(reader::ResolveWorkers(options.workers),
                                    static_cast<int>(std::max<size_t>(1, shares.size())));
  // Runs fn(worker, share) over every share on the workers.
  const auto run = [&](const std::function<void(int, const Share&)>& fn) {
    reader::ParallelForWorker(workers, shares.size(),
                              [&](int worker, size_t i) { fn(worker, shares[i]); });
  };
  // Pass 1, for a percentile threshold: counts and the fine histogram of the
  // complete instances' durations. A fixed threshold needs no pass 1: pass 2
  // counts.
  const bool fixed = options.above_ns >= 0;
  std::vector<Counts> counts(static_cast<size_t>(workers));
  const auto total_counts = [&] {
    for (size_t k = 1; k < counts.size(); ++k) {
      counts[0].count += counts[k].count;
      counts[0].cut += counts[k].cut;
      counts[0].cut_by_loss += counts[k].cut_by_loss;
      counts[0].fine.Merge(counts[k].fine);
    }
    r.count = counts[0].count;
    r.cut = counts[0].cut;
    r.cut_by_loss = counts[0].cut_by_loss;
  };
  const auto count = [&](int worker, bool cut, bool by_loss, int64_t duration) {
    Counts& c = counts[static_cast<size_t>(worker)];
    if (cut) {
      ++c.cut;
      c.cut_by_loss += by_loss ? 1 : 0;
      return;
    }
    ++c.count;
    if (!fixed) c.fine.Add(internal::FineIndexOf(duration));
  };
  std::optional<internal::RankPlan> plan;
  const double p = std::clamp(options.percentile, 0.0, 100.0);
  if (!fixed) {
    run([&](int worker, const Share& sh) {
      ForEachInstance(m, sh, [&](ScopeRef, const Scope& s, bool cut, bool by_loss) {
        count(worker, cut, by_loss, s.end_ns - s.begin_ns);
      });
    });
    total_counts();
    if (r.count == 0) return r;
    plan.emplace(counts[0].fine, r.count, &p, 1);
  }
  // Pass 2: the instances that may be at or above the threshold. A fixed one is
  // known; a percentile's is the nearest rank (the smallest duration with at
  // least p% of instances <= it), which lies in the fine bucket the histogram
  // points to: keep every instance from that bucket's low end up, and select
  // the threshold among those in the bucket.
  const int64_t keep_from = fixed ? options.above_ns : plan->lowest(0);
  std::vector<std::vector<ScopeInstance>> found(static_cast<size_t>(workers));
  run([&](int worker, const Share& sh) {
    std::vector<ScopeInstance>& mine = found[static_cast<size_t>(worker)];
    ForEachInstance(m, sh, [&](ScopeRef ref, const Scope& s, bool cut, bool by_loss) {
      if (fixed) count(worker, cut, by_loss, 0);
      if (!cut && s.end_ns - s.begin_ns >= keep_from) {
        mine.push_back(ScopeInstance{ref, s.begin_ns, s.end_ns - s.begin_ns, false});
      }
    });
  });
  if (fixed) {
    total_counts();
    if (r.count == 0) return r;
  }
  std::vector<ScopeInstance> above = std::move(found[0]);
  for (size_t k = 1; k < found.size(); ++k) {
    above.insert(above.end(), found[k].begin(), found[k].end());
  }
  if (fixed) {
    r.threshold_ns = options.above_ns;
  } else {
    internal::RankPlan select = *plan;
    for (const ScopeInstance& inst : above) select.Collect(inst.duration_ns);
    select.Values(&r.threshold_ns);
    std::erase_if(above, [&](const ScopeInstance& x) { return x.duration_ns < r.threshold_ns; });
  }
  r.above = above.size();
  std::sort(above.begin(), above.end(), SlowerThan);
  if (above.size() > options.max_instances) above.resize(options.max_instances);
  r.explained = above.size();

  // The explanations, on the workers; aggregated below in the instances' order.
  std::vector<Explanation> explained(above.size());
  reader::ParallelFor(std::max(1, reader::ResolveWorkers(options.workers)), above.size(),
                      [&](size_t i) { explained[i] = Explain(m, above[i]); });

  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < above.size(); ++i) {
    const ScopeInstance& inst = above[i];
    const Explanation& ex = explained[i];
    AddTo(&r.total_ns, inst.duration_ns);
    AddTo(&r.states, ex.states);
    // This instance's time per aggregated cause (a key may occur several times).
    absl::flat_hash_map<size_t, int64_t> mine;
    for (const Cause& c : ex.parts) {
      std::string key = SummarizeWait(m, c);
      auto [it, inserted] = index.try_emplace(key, r.causes.size());
      if (inserted) {
        r.causes.push_back(WhyCause{std::move(key), c});
      }
      WhyCause& w = r.causes[it->second];
      AddTo(&w.duration_ns, c.duration_ns);
      AddTo(&mine[it->second], c.duration_ns);
      if (c.duration_ns > w.sample.duration_ns) w.sample = c;
      if (std::string root = SummarizeRoot(m, c); !root.empty()) {
        auto r = std::find_if(w.roots.begin(), w.roots.end(),
                              [&](const WhyRoot& x) { return x.root == root; });
        if (r == w.roots.end()) r = w.roots.insert(w.roots.end(), WhyRoot{std::move(root)});
        AddTo(&r->duration_ns, c.duration_ns);
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
