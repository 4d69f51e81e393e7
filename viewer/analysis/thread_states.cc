#include "viewer/analysis/thread_states.h"

#include <algorithm>
#include <map>

#include "viewer/analysis/range_stats.h"
#include "viewer/analysis/saturating.h"

namespace tracelane::analysis {

int64_t Sum(const StateDurations& d) {
  int64_t s = 0;
  for (int64_t v : d) s += v;
  return s;
}

StateDurations StatesIn(const ThreadModel& t, int64_t from, int64_t to) {
  StateDurations d{};
  from = std::max(from, t.life_start_ns);
  to = std::min(to, t.life_end_ns);
  if (from >= to || t.states.empty()) return d;
  for (size_t i = t.StateIndexAt(from); i < t.states.size() && t.states[i].start_ns < to; ++i) {
    const int64_t a = std::max(from, t.states[i].start_ns), b = std::min(to, t.StateEnd(i));
    if (b > a) d[static_cast<int>(t.states[i].state)] += b - a;
  }
  return d;
}

StateDurations ThreadTotals(const ThreadModel& t) {
  StateDurations d{};
  for (size_t i = 0; i < t.states.size(); ++i) {
    d[static_cast<int>(t.states[i].state)] += t.StateEnd(i) - t.states[i].start_ns;
  }
  return d;
}

std::vector<ThreadStatesRow> ThreadStates(const Model& m) {
  std::vector<ThreadStatesRow> rows;
  rows.reserve(m.threads.size());
  for (uint32_t i = 0; i < m.threads.size(); ++i) {
    const ThreadModel& t = m.threads[i];
    ThreadStatesRow r;
    r.name = t.name;
    r.tid = t.tid;
    r.thread = i;
    r.wall_ns = t.wall_ns();
    r.ns = ThreadTotals(t);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<ThreadStatesRow> ThreadStatesIn(const Model& m, int64_t from, int64_t to,
                                            const std::vector<uint32_t>& threads) {
  std::vector<ThreadStatesRow> rows;
  if (from >= to) return rows;
  for (uint32_t i : SelectedThreads(m, threads)) {
    const ThreadModel& t = m.threads[i];
    if (t.life_start_ns >= to || t.life_end_ns <= from) continue;  // as ComputeRangeStats
    ThreadStatesRow r;
    r.name = t.name;
    r.tid = t.tid;
    r.thread = i;
    r.ns = StatesIn(t, from, to);
    r.wall_ns = Sum(r.ns);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<ThreadStatesRow> ThreadStatesByName(const Model& m) {
  return GroupByName(ThreadStates(m));
}

std::vector<ThreadStatesRow> GroupByName(const std::vector<ThreadStatesRow>& rows) {
  std::map<std::string, ThreadStatesRow> groups;
  for (const ThreadStatesRow& r : rows) {
    auto [it, inserted] = groups.try_emplace(r.name);
    ThreadStatesRow& g = it->second;
    if (inserted) {
      g.name = r.name;
      g.threads = 0;
    }
    g.threads += r.threads;
    AddTo(&g.wall_ns, r.wall_ns);
    AddTo(&g.ns, r.ns);
  }
  std::vector<ThreadStatesRow> out;
  out.reserve(groups.size());
  for (auto& [name, g] : groups) out.push_back(std::move(g));
  return out;
}

ThreadStatesRow SumRows(const std::vector<ThreadStatesRow>& rows, std::string name) {
  ThreadStatesRow total;
  total.name = std::move(name);
  total.threads = 0;
  for (const ThreadStatesRow& r : rows) {
    total.threads += r.threads;
    AddTo(&total.wall_ns, r.wall_ns);
    AddTo(&total.ns, r.ns);
  }
  return total;
}

StateDurations TotalStates(const Model& m) {
  StateDurations d{};
  for (const ThreadModel& t : m.threads) {
    AddTo(&d, ThreadTotals(t));
  }
  return d;
}

}  // namespace tracelane::analysis
