#include "viewer/analysis/pause_stats.h"

#include <algorithm>
#include <map>
#include <utility>

#include "viewer/analysis/saturating.h"

namespace tracelane::analysis {

PauseStats ComputePauseStats(const Model& m) {
  PauseStats st;
  std::map<std::pair<bool, std::string>, PauseGroup> groups;
  const auto add = [&](bool stw, uint32_t location, int64_t d, bool cut) {
    PauseGroup& g = groups[{stw, m.LocationName(location)}];
    g.name = m.LocationName(location);
    g.stop_the_world = stw;
    ++g.count;
    AddTo(&g.total_ns, d);
    if (cut) {
      ++g.cut;
    } else {
      g.max_ns = std::max(g.max_ns, d);
    }
  };
  for (const ThreadModel& t : m.threads) {
    for (const Pause& p : t.pauses) {
      const int64_t d = p.end_ns - p.start_ns;
      ++st.count;
      AddTo(&st.total_ns, d);
      if (p.cut) {
        ++st.cut;
      } else {
        st.max_ns = std::max(st.max_ns, d);
      }
      add(false, p.location, d, p.cut);
    }
  }
  for (const StwSpan& s : m.stw) {
    const int64_t d = s.end_ns - s.start_ns;
    ++st.stw_count;
    AddTo(&st.stw_total_ns, d);
    if (s.cut) {
      ++st.stw_cut;
    } else {
      st.stw_max_ns = std::max(st.stw_max_ns, d);
    }
    add(true, s.location, d, s.cut);
  }
  for (auto& [k, g] : groups) st.by_name.push_back(std::move(g));
  std::stable_sort(
      st.by_name.begin(), st.by_name.end(),
      [](const PauseGroup& a, const PauseGroup& b) { return a.total_ns > b.total_ns; });
  return st;
}

}  // namespace tracelane::analysis
