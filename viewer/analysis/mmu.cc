#include "viewer/analysis/mmu.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

namespace tracelane::analysis {

Utilization MakeUtilization(const std::vector<std::pair<int64_t, double>>& steps, int64_t end_ns) {
  Utilization u;
  for (size_t i = 0; i < steps.size(); ++i) {
    const int64_t b = i + 1 < steps.size() ? std::min(steps[i + 1].first, end_ns) : end_ns;
    const int64_t a = u.bounds.empty() ? steps[i].first : u.bounds.back();
    if (b <= a) continue;
    if (u.bounds.empty()) u.bounds.push_back(a);
    if (!u.values.empty() && u.values.back() == steps[i].second) {
      u.bounds.back() = b;  // same value: extend the previous step
    } else {
      u.values.push_back(steps[i].second);
      u.bounds.push_back(b);
    }
  }
  return u;
}

Utilization SystemUtilization(const Model& m) {
  struct Delta {
    int64_t t;
    int32_t live;
    int32_t paused;
    int32_t stw;
  };
  std::vector<Delta> d;
  for (const ThreadModel& t : m.threads) {
    if (t.wall_ns() <= 0) continue;
    d.push_back({t.life_start_ns, +1, 0, 0});
    d.push_back({t.life_end_ns, -1, 0, 0});
    // Time whose events were lost is unknown: the thread does not count as live
    // (neither mutator nor paused) inside its data gaps.
    for (const DataGap& g : t.gaps) {
      const int64_t a = std::max(g.start_ns, t.life_start_ns);
      const int64_t b = std::min(g.end_ns, t.life_end_ns);
      if (a >= b) continue;
      d.push_back({a, -1, 0, 0});
      d.push_back({b, +1, 0, 0});
    }
    for (size_t i = 0; i < t.states.size(); ++i) {
      if (t.states[i].state != ThreadState::kPaused) continue;
      d.push_back({t.states[i].start_ns, 0, +1, 0});
      d.push_back({t.StateEnd(i), 0, -1, 0});
    }
  }
  for (const StwSpan& s : m.stw) {
    d.push_back({s.start_ns, 0, 0, +1});
    d.push_back({s.end_ns, 0, 0, -1});
  }
  std::sort(d.begin(), d.end(), [](const Delta& a, const Delta& b) { return a.t < b.t; });
  std::vector<std::pair<int64_t, double>> steps;
  steps.reserve(d.size() + 1);
  int64_t live = 0, paused = 0, stw = 0;
  const auto value = [&]() {
    if (stw > 0) return 0.0;
    if (live <= 0) return 1.0;
    return 1.0 - static_cast<double>(std::min(paused, live)) / static_cast<double>(live);
  };
  size_t i = 0;
  while (i < d.size() && d[i].t <= m.start_ns) {
    live += d[i].live, paused += d[i].paused, stw += d[i].stw;
    ++i;
  }
  steps.emplace_back(m.start_ns, value());
  while (i < d.size() && d[i].t < m.end_ns) {
    const int64_t t = d[i].t;
    while (i < d.size() && d[i].t == t) {
      live += d[i].live, paused += d[i].paused, stw += d[i].stw;
      ++i;
    }
    const double v = value();
    if (v != steps.back().second) steps.emplace_back(t, v);
  }
  return MakeUtilization(steps, m.end_ns);
}

Utilization ThreadUtilization(const Model& m, uint32_t thread) {
  const ThreadModel& t = m.threads[thread];
  std::vector<std::pair<int64_t, double>> steps;
  steps.reserve(t.states.size());
  const auto push = [&](int64_t at, double v) {
    if (steps.empty() || steps.back().second != v) steps.emplace_back(at, v);
  };
  // One thread's gap cannot be left out of its own timeline: it counts as not
  // mutator (0), a lower bound, never as running.
  size_t g = 0;
  for (size_t i = 0; i < t.states.size(); ++i) {
    const double v = t.states[i].state == ThreadState::kPaused ? 0.0 : 1.0;
    const int64_t end = t.StateEnd(i);
    int64_t at = t.states[i].start_ns;
    do {
      while (g < t.gaps.size() && t.gaps[g].end_ns <= at) ++g;
      if (g < t.gaps.size() && t.gaps[g].start_ns <= at) {
        push(at, 0.0);
        at = std::min(end, t.gaps[g].end_ns);
      } else {
        push(at, v);
        at = g < t.gaps.size() ? std::min(end, t.gaps[g].start_ns) : end;
      }
    } while (at < end);
  }
  return MakeUtilization(steps, t.life_end_ns);
}

namespace {

constexpr size_t kBlock = 32;  // steps per block of the min/max sparse tables
constexpr size_t kBand = 64;   // window starts (steps) per band

}  // namespace

MmuCalculator::MmuCalculator(Utilization u) : u_(std::move(u)) {
  prefix_.resize(u_.bounds.size());
  double acc = 0;
  for (size_t i = 0; i + 1 < u_.bounds.size(); ++i) {
    prefix_[i] = acc;
    acc += u_.values[i] * static_cast<double>(u_.bounds[i + 1] - u_.bounds[i]);
  }
  if (!prefix_.empty()) prefix_.back() = acc;
  segs_.reserve(u_.bounds.size() + 1);
  for (size_t i = 0; i < u_.bounds.size(); ++i) {
    // Index n (the domain end) is a valid zero-slope segment.
    segs_.push_back(Seg{u_.bounds[i], prefix_[i], i < u_.values.size() ? u_.values[i] : 0.0});
  }
  if (!segs_.empty()) {  // a sentinel past the end, never a candidate
    segs_.push_back(Seg{std::numeric_limits<int64_t>::max() / 2, segs_.back().p, 0.0});
  }
  // Sparse tables of minima and maxima over blocks of kBlock steps.
  const size_t n = u_.values.size();
  const size_t blocks = (n + kBlock - 1) / kBlock;
  if (blocks == 0) return;
  block_min_.emplace_back(blocks, 1.0);
  block_max_.emplace_back(blocks, 0.0);
  for (size_t i = 0; i < n; ++i) {
    block_min_[0][i / kBlock] = std::min(block_min_[0][i / kBlock], u_.values[i]);
    block_max_[0][i / kBlock] = std::max(block_max_[0][i / kBlock], u_.values[i]);
  }
  for (size_t len = 2; len <= blocks; len *= 2) {
    const std::vector<double>& pmin = block_min_.back();
    const std::vector<double>& pmax = block_max_.back();
    std::vector<double> nmin(blocks - len + 1), nmax(blocks - len + 1);
    for (size_t i = 0; i + len <= blocks; ++i) {
      nmin[i] = std::min(pmin[i], pmin[i + len / 2]);
      nmax[i] = std::max(pmax[i], pmax[i + len / 2]);
    }
    block_min_.push_back(std::move(nmin));
    block_max_.push_back(std::move(nmax));
  }
}

double MmuCalculator::RangeMin(size_t i, size_t j) const {
  const size_t a = i / kBlock, b = j / kBlock;
  const int level = 63 - __builtin_clzll(static_cast<uint64_t>(b - a + 1));
  const auto& t = block_min_[level];
  return std::min(t[a], t[b + 1 - (size_t{1} << level)]);
}

double MmuCalculator::RangeMax(size_t i, size_t j) const {
  const size_t a = i / kBlock, b = j / kBlock;
  const int level = 63 - __builtin_clzll(static_cast<uint64_t>(b - a + 1));
  const auto& t = block_max_[level];
  return std::max(t[a], t[b + 1 - (size_t{1} << level)]);
}

double MmuCalculator::IntegralAt(int64_t t) const {
  const auto& x = u_.bounds;
  if (x.size() < 2 || t <= x.front()) return 0;
  if (t >= x.back()) return prefix_.back();
  const size_t i = static_cast<size_t>(std::upper_bound(x.begin(), x.end(), t) - x.begin()) - 1;
  return prefix_[i] + u_.values[i] * static_cast<double>(t - x[i]);
}

double MmuCalculator::Mean(int64_t from, int64_t to) const {
  from = std::max(from, u_.start_ns());
  to = std::min(to, u_.end_ns());
  if (to <= from) return 1.0;
  return (IntegralAt(to) - IntegralAt(from)) / static_cast<double>(to - from);
}

double MmuCalculator::Sweep(int64_t w, int64_t lo, int64_t hi, const std::vector<int64_t>& exclude,
                            int64_t* argmin) const {
  const auto& x = u_.bounds;
  const auto& v = u_.values;
  const size_t n = v.size();
  const int64_t x0 = x.front(), last = x.back() - w;
  lo = std::max(lo, x0);
  hi = std::min(hi, last);
  double best = std::numeric_limits<double>::infinity();
  if (lo > hi) return best;
  const auto excluded = [&](int64_t s) {
    for (int64_t p : exclude) {
      if (s < p + w && p < s + w) return true;
    }
    return false;
  };
  const auto consider = [&](double f, int64_t s) {
    if (f < best || (f == best && s < *argmin)) {
      if (!exclude.empty() && excluded(s)) return;
      best = f;
      *argmin = s;
    }
  };
  // Starts on a step edge: s = x[i], I(s) exact; one pointer for s + w.
  size_t i = static_cast<size_t>(std::lower_bound(x.begin(), x.end(), lo) - x.begin());
  size_t p = 0;
  if (i <= n) {
    p = static_cast<size_t>(std::upper_bound(x.begin(), x.end(), x[i] + w) - x.begin()) - 1;
    p = std::min(p, n - 1);
  }
  for (; i <= n && x[i] <= hi; ++i) {
    const int64_t e = x[i] + w;
    while (p + 1 < n && x[p + 1] <= e) ++p;
    consider(prefix_[p] + v[p] * static_cast<double>(e - x[p]) - prefix_[i], x[i]);
  }
  // Ends on a step edge: s = x[j] - w, I(s + w) exact; one pointer for s.
  size_t j = static_cast<size_t>(std::lower_bound(x.begin(), x.end(), lo + w) - x.begin());
  const int64_t first = std::max(lo, x0);
  size_t q = static_cast<size_t>(std::upper_bound(x.begin(), x.end(), first) - x.begin()) - 1;
  if (q >= n) q = n - 1;
  for (; j <= n && x[j] - w <= hi; ++j) {
    const int64_t s = x[j] - w;
    while (q + 1 < n && x[q + 1] <= s) ++q;
    consider(prefix_[j] - (prefix_[q] + v[q] * static_cast<double>(s - x[q])), s);
  }
  // Edges of excluded windows bound the feasible regions.
  for (int64_t e : exclude) {
    for (int64_t s : {e - w, e + w}) {
      if (s >= lo && s <= hi) consider(IntegralAt(s + w) - IntegralAt(s), s);
    }
  }
  return best;
}

namespace {

// One merge lane of SweepAll: candidate starts s = x[ia] and s = x[ib] - w, in
// increasing order, with ka / kb the segments containing s and s + w.
struct Lane {
  size_t ia, ib, ka, kb;
  size_t steps;  // candidates left in this lane's chunk of starts
};

}  // namespace

double MmuCalculator::SweepAll(int64_t w) const {
  // Merges both candidate sequences and recomputes the window integral from the
  // prefix sums at each candidate (no drift). This loop is the hot spot of the
  // MMU curve, so: one array of {x, I(x), u}; masks instead of ?: so the
  // unpredictable choice never becomes a branch; and four independent lanes
  // (four chunks of window starts) advanced in lockstep, so the out-of-order core
  // overlaps their load-compare-advance chains (~2x measured each).
  const Seg* g = segs_.data();
  const size_t n = u_.values.size();
  const int64_t x0 = g[0].x, last = g[n].x - w;
  const auto first_at_or_after = [&](int64_t t) {
    return static_cast<size_t>(std::lower_bound(segs_.begin(), segs_.begin() + n + 1, t,
                                                [](const Seg& a, int64_t v) { return a.x < v; }) -
                               segs_.begin());
  };
  const size_t a_end = first_at_or_after(last + 1);  // starts on edges: [0, a_end)
  constexpr int kLanes = 4;
  Lane lanes[kLanes];
  for (int k = 0; k < kLanes; ++k) {
    // Chunk of starts [from, to): split at step edges, the last one ends after `last`.
    const int64_t from = k == 0 ? x0 : g[a_end * k / kLanes].x;
    const int64_t to = k == kLanes - 1 ? last + 1 : g[a_end * (k + 1) / kLanes].x;
    Lane& l = lanes[k];
    l.ia = first_at_or_after(from);
    l.ib = first_at_or_after(from + w);
    l.ka = l.ia;
    l.kb = l.ib - 1;
    const size_t count_a = to > from ? first_at_or_after(to) - l.ia : 0;
    const size_t count_b = to > from ? first_at_or_after(to + w) - l.ib : 0;
    l.steps = count_a + count_b;
  }
  double best = std::numeric_limits<double>::infinity();
  const auto step = [g, w](Lane& l, double& b) {
    const int64_t sa = g[l.ia].x, sb = g[l.ib].x - w;
    const size_t take_a = static_cast<size_t>(sa <= sb);
    const size_t mask = 0 - take_a;
    l.ka = (l.ia & mask) | (l.ka & ~mask);
    l.kb = (l.kb & mask) | (l.ib & ~mask);
    const int64_t s = std::min(sa, sb);
    const Seg& e = g[l.kb];
    const Seg& f = g[l.ka];
    const double v =
        (e.p + e.v * static_cast<double>(s + w - e.x)) - (f.p + f.v * static_cast<double>(s - f.x));
    b = v < b ? v : b;
    l.ia += take_a;
    l.ib += 1 - take_a;
  };
  size_t common = lanes[0].steps;
  for (const Lane& l : lanes) common = std::min(common, l.steps);
  double b0 = best, b1 = best, b2 = best, b3 = best;
  for (size_t i = 0; i < common; ++i) {
    step(lanes[0], b0);
    step(lanes[1], b1);
    step(lanes[2], b2);
    step(lanes[3], b3);
  }
  for (Lane& l : lanes) {
    for (size_t i = common; i < l.steps; ++i) step(l, b0);
  }
  return std::min({b0, b1, b2, b3});
}

double MmuCalculator::Mmu(int64_t w) const {
  const auto& x = u_.bounds;
  if (x.size() < 2) return 1.0;
  const int64_t x0 = x.front(), xn = x.back();
  const size_t n = u_.values.size();
  w = std::max<int64_t>(w, 1);
  if (w >= xn - x0) return std::clamp(prefix_.back() / static_cast<double>(xn - x0), 0.0, 1.0);
  const int64_t last = xn - w;
  if (n <= 16 * kBand) return std::clamp(SweepAll(w) / static_cast<double>(w), 0.0, 1.0);
  // Bands of kBand window starts: the bounds below are tight to about
  // kBand steps * |slope| / w, which shrinks as windows grow.
  const size_t band = kBand;
  // Lower bound per band [a, b]. With f(s) the window integral and its slope
  // f'(s) = u(s+w) - u(s) in [-alpha, beta] (from the extremes of u over the
  // starts and over the ends), f(s) >= max(f(a) - alpha (s - a),
  // f(b) - beta (b - s)); the least of that over [a, b] is at a, b or where the
  // two lines cross. Also f(s) >= w min u over [a, b + w). f(a) and f(b) are
  // candidates themselves and seed the best value.
  struct Band {
    double bound;
    int64_t a, b;
  };
  // Index of the step containing t, searching forward from `from` (galloping).
  const auto step_from = [&](size_t from, int64_t t) {
    size_t lo = from, len = 1;
    while (lo + len < n && x[lo + len] <= t) {
      lo += len;
      len *= 2;
    }
    const size_t hi = std::min(lo + len, n);
    return static_cast<size_t>(std::upper_bound(x.begin() + lo, x.begin() + hi, t) - x.begin()) - 1;
  };
  const auto integral = [&](int64_t t, size_t step) {
    return prefix_[step] + u_.values[step] * static_cast<double>(t - x[step]);
  };
  std::vector<Band> bands;
  bands.reserve(n / band + 1);
  double best = std::numeric_limits<double>::infinity();
  size_t aw = step_from(0, x0 + w);
  for (size_t ai = 0; ai < n; ai += band) {
    const int64_t a = x[ai];
    if (a > last) break;
    const size_t bi = std::min(ai + band, n);
    const int64_t b = std::min(x[bi], last);
    const size_t bs = b == x[bi] ? bi - 1 : step_from(ai, b);  // step of the last start
    const size_t bw = step_from(aw, b + w);  // (this band's b is the next band's a)
    const double fa = integral(a + w, aw) - prefix_[ai];
    const double fb = integral(b + w, bw) - integral(b, bs);
    best = std::min({best, fa, fb});
    const double alpha = RangeMax(ai, bs) - RangeMin(aw, bw);
    const double beta = RangeMax(aw, bw) - RangeMin(ai, bs);
    const double d = static_cast<double>(b - a);
    const auto g = [&](double t) { return std::max(fa - alpha * t, fb - beta * (d - t)); };
    double lines = std::min(g(0), g(d));
    if (alpha + beta > 0) {
      const double t = (fa - fb + beta * d) / (alpha + beta);
      if (t > 0 && t < d) lines = std::min(lines, g(t));
    }
    const double by_min = static_cast<double>(w) * RangeMin(ai, bw);
    bands.push_back(Band{std::max(lines, by_min), a, b});
    aw = bw;
  }
  // Only bands whose bound is below the best value so far can hold the minimum.
  const size_t total = bands.size();
  bands.erase(std::remove_if(bands.begin(), bands.end(),
                             [&](const Band& band) { return band.bound >= best; }),
              bands.end());
  // If the bounds cannot rule out most bands, one full pass is cheaper.
  if (bands.size() > total / 8) {
    return std::clamp(SweepAll(w) / static_cast<double>(w), 0.0, 1.0);
  }
  std::sort(bands.begin(), bands.end(),
            [](const Band& p, const Band& q) { return p.bound < q.bound; });
  static const std::vector<int64_t> kNoExclusions;
  int64_t arg = 0;
  for (const Band& band : bands) {
    if (band.bound >= best) break;  // no band left can hold a smaller window
    best = std::min(best, Sweep(w, band.a, band.b, kNoExclusions, &arg));
  }
  return std::clamp(best / static_cast<double>(w), 0.0, 1.0);
}

std::vector<MmuPoint> MmuCalculator::Curve(const std::vector<int64_t>& windows_ns) const {
  std::vector<MmuPoint> out(windows_ns.size());
  for (size_t i = 0; i < windows_ns.size(); ++i) out[i].window_ns = windows_ns[i];
  // Windows are independent: spread them over the cores for large inputs.
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const size_t workers =
      u_.values.size() < 100000 ? 1 : std::min<size_t>({hw, 8, windows_ns.size()});
  const auto work = [&](size_t first) {
    for (size_t i = first; i < out.size(); i += workers) out[i].mmu = Mmu(windows_ns[i]);
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < workers; ++t) threads.emplace_back(work, t);
  work(0);
  for (std::thread& t : threads) t.join();
  return out;
}

std::vector<WorstWindow> MmuCalculator::Worst(int64_t w, int k) const {
  std::vector<WorstWindow> out;
  const auto& x = u_.bounds;
  if (x.size() < 2 || k <= 0) return out;
  const int64_t x0 = x.front(), xn = x.back();
  w = std::max<int64_t>(w, 1);
  if (w >= xn - x0) {
    out.push_back(WorstWindow{x0, Mean(x0, xn)});
    return out;
  }
  std::vector<int64_t> picked;
  while (static_cast<int>(picked.size()) < k) {
    int64_t s = 0;
    const double f = Sweep(w, x0, xn - w, picked, &s);
    if (f == std::numeric_limits<double>::infinity()) break;  // no disjoint window left
    picked.push_back(s);
    out.push_back(WorstWindow{s, std::clamp(f / static_cast<double>(w), 0.0, 1.0)});
  }
  return out;
}

std::vector<int64_t> LogSpacedWindows(int64_t min_ns, int64_t max_ns, int points) {
  std::vector<int64_t> out;
  min_ns = std::max<int64_t>(min_ns, 1);
  if (max_ns < min_ns) max_ns = min_ns;
  if (points <= 1 || max_ns == min_ns) return {max_ns};
  const double lo = std::log(static_cast<double>(min_ns)),
               hi = std::log(static_cast<double>(max_ns));
  for (int i = 0; i < points; ++i) {
    const int64_t w =
        i == points - 1
            ? max_ns
            : static_cast<int64_t>(std::llround(std::exp(lo + (hi - lo) * i / (points - 1))));
    if (out.empty() || w > out.back()) out.push_back(w);
  }
  return out;
}

}  // namespace tracelane::analysis
