#include "viewer/analysis/scope_stats.h"

#include <algorithm>
#include <cmath>
#include <queue>

namespace tracelane::analysis {
namespace {

int BucketOf(int64_t d) { return d <= 0 ? 0 : 64 - __builtin_clzll(static_cast<uint64_t>(d)); }

HistogramBucket Bucket(int b) {
  if (b == 0) return HistogramBucket{0, 1, 0};
  const int64_t lo = int64_t{1} << (b - 1);
  const int64_t hi = b >= 63 ? INT64_MAX : int64_t{1} << b;
  return HistogramBucket{lo, hi, 0};
}

// Index of the p-th percentile (nearest rank) in a sorted array of n values.
size_t RankIndex(size_t n, double p) {
  size_t r = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(n) - 1e-9));
  return std::clamp<size_t>(r, 1, n) - 1;
}

}  // namespace

bool SlowerThan(const ScopeInstance& a, const ScopeInstance& b) {
  if (a.duration_ns != b.duration_ns) return a.duration_ns > b.duration_ns;
  if (a.begin_ns != b.begin_ns) return a.begin_ns < b.begin_ns;
  if (a.ref.thread != b.ref.thread) return a.ref.thread < b.ref.thread;
  return a.ref.index < b.ref.index;
}

ScopeInstance InstanceOf(const Model& m, ScopeRef ref) {
  const Scope& s = m.scope(ref);
  return ScopeInstance{ref, s.begin_ns, s.end_ns - s.begin_ns,
                       m.threads[ref.thread].IsCut(ref.index)};
}

std::vector<ScopeStats> ComputeScopeStats(const Model& m, const ScopeStatsOptions& options) {
  std::vector<ScopeStats> out;
  std::vector<int64_t> d;
  for (uint32_t loc = 0; loc < m.scopes_by_location.size(); ++loc) {
    const auto& refs = m.scopes_by_location[loc];
    if (refs.empty()) continue;
    const reader::Location& l = m.info.locations[loc];
    if (!options.name.empty() && l.name != options.name) continue;
    ScopeStats st;
    st.location = loc;
    st.name = l.name;
    st.function = l.function;
    st.file = l.file;
    st.line = l.line;
    d.clear();
    d.reserve(refs.size());
    std::vector<uint64_t> buckets(65);
    // Slowest instances: a bounded heap whose top is the fastest kept.
    const auto faster_on_top = [](const ScopeInstance& a, const ScopeInstance& b) {
      return SlowerThan(a, b);
    };
    std::priority_queue<ScopeInstance, std::vector<ScopeInstance>, decltype(faster_on_top)> top(
        faster_on_top);
    for (const ScopeRef ref : refs) {
      if (m.threads[ref.thread].IsCut(ref.index)) {
        ++st.cut;  // its duration is unknown: counted, never ranked
        st.cut_by_loss += m.threads[ref.thread].IsCutByLoss(ref.index) ? 1 : 0;
        continue;
      }
      const Scope& s = m.scope(ref);
      const int64_t x = s.end_ns - s.begin_ns;
      d.push_back(x);
      st.total_ns += x;
      ++buckets[BucketOf(x)];
      if (options.slowest > 0) {
        const ScopeInstance inst{ref, s.begin_ns, x, false};
        if (static_cast<int>(top.size()) < options.slowest) {
          top.push(inst);
        } else if (SlowerThan(inst, top.top())) {
          top.pop();
          top.push(inst);
        }
      }
    }
    st.count = d.size();
    if (st.count != 0) {
      st.mean_ns = st.total_ns / static_cast<int64_t>(st.count);
      // Percentiles by successive selection over increasing ranks.
      const size_t n = d.size();
      const size_t ranks[] = {
          0, RankIndex(n, 50), RankIndex(n, 90), RankIndex(n, 99), RankIndex(n, 99.9), n - 1};
      int64_t vals[6];
      size_t from = 0;
      for (int k = 0; k < 6; ++k) {
        const size_t r = std::max(ranks[k], from);
        std::nth_element(d.begin() + from, d.begin() + r, d.end());
        vals[k] = d[r];
        from = r;
      }
      st.min_ns = vals[0];
      st.p50_ns = vals[1];
      st.p90_ns = vals[2];
      st.p99_ns = vals[3];
      st.p999_ns = vals[4];
      st.max_ns = vals[5];
      for (int b = BucketOf(st.min_ns); b <= BucketOf(st.max_ns); ++b) {
        HistogramBucket h = Bucket(b);
        h.count = buckets[b];
        st.histogram.push_back(h);
      }
    }
    while (!top.empty()) {
      st.slowest.push_back(top.top());
      top.pop();
    }
    std::reverse(st.slowest.begin(), st.slowest.end());
    out.push_back(std::move(st));
  }
  std::stable_sort(out.begin(), out.end(), [](const ScopeStats& a, const ScopeStats& b) {
    return a.total_ns > b.total_ns;
  });
  return out;
}

std::optional<ScopeInstance> NthSlowest(const Model& m, std::string_view name, int rank,
                                        uint64_t* count, uint64_t* cut, uint64_t* cut_by_loss) {
  std::vector<ScopeInstance> all;
  uint64_t cuts = 0, lost = 0;
  for (uint32_t loc = 0; loc < m.scopes_by_location.size(); ++loc) {
    if (m.scopes_by_location[loc].empty() || m.info.locations[loc].name != name) continue;
    for (ScopeRef r : m.scopes_by_location[loc]) {
      if (m.threads[r.thread].IsCut(r.index)) {
        ++cuts;
        lost += m.threads[r.thread].IsCutByLoss(r.index) ? 1 : 0;
        continue;
      }
      const Scope& s = m.scope(r);
      all.push_back(ScopeInstance{r, s.begin_ns, s.end_ns - s.begin_ns, false});
    }
  }
  if (count != nullptr) *count = all.size();
  if (cut != nullptr) *cut = cuts;
  if (cut_by_loss != nullptr) *cut_by_loss = lost;
  if (rank < 1 || static_cast<size_t>(rank) > all.size()) return std::nullopt;
  std::nth_element(all.begin(), all.begin() + (rank - 1), all.end(), SlowerThan);
  return all[rank - 1];
}

}  // namespace tracelane::analysis
