// Fuzz target trace_analysis: a fuzzed trace loaded in salvage mode (the damaged
// blocks skipped, as the viewer and `tracelane --salvage` do), then what a user
// runs on it: the Chrome and pprof exports, scope statistics, explain and why.
// Checks the documented sums (pprof total = PprofTotal, an explanation's parts
// sum to the instance's wall time).
#include <cstdint>
#include <numeric>
#include <sstream>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_targets.h"
#include "viewer/analysis/chrome_export.h"
#include "viewer/analysis/explain.h"
#include "viewer/analysis/losses.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/pprof_export.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/why.h"

namespace tracelane::fuzz {
namespace {

void CheckExplanation(const analysis::Model& m, const analysis::ScopeInstance& instance) {
  const analysis::Explanation e = analysis::Explain(m, instance);
  int64_t parts = 0;
  for (const analysis::Cause& c : e.parts) {
    parts += c.duration_ns;
    (void)analysis::DescribeCause(m, c);
    (void)analysis::SummarizeCause(m, c);
  }
  FUZZ_CHECK(parts == instance.duration_ns, "explain: parts sum to %lld ns, instance is %lld ns",
             static_cast<long long>(parts), static_cast<long long>(instance.duration_ns));
}

}  // namespace

FuzzOutcome FuzzTraceAnalysis(std::string_view data) {
  FuzzOutcome out;
  analysis::LoadOptions lo;
  lo.salvage = true;
  lo.workers = 1;
  absl::StatusOr<analysis::Model> loaded = analysis::LoadModelFromBytes(data, "fuzz.tlt", lo);
  if (!loaded.ok()) {
    out.error = std::string(loaded.status().message());
    FUZZ_CHECK(!out.error.empty(), "error without a message");
    return out;
  }
  out.accepted = true;
  const analysis::Model& m = *loaded;

  std::ostringstream chrome;
  const absl::Status exported = analysis::WriteChromeTrace(m, chrome);
  FUZZ_CHECK(exported.ok(), "chrome export: %s", std::string(exported.message()).c_str());

  for (const analysis::PprofKind kind :
       {analysis::PprofKind::kSync, analysis::PprofKind::kSched, analysis::PprofKind::kPause}) {
    analysis::PprofStats stats;
    (void)analysis::BuildPprofProfile(m, kind, &stats);
    const int64_t total = analysis::PprofTotal(m, kind);
    FUZZ_CHECK(stats.total_ns == total, "pprof total %lld vs PprofTotal %lld",
               static_cast<long long>(stats.total_ns), static_cast<long long>(total));
  }
  (void)analysis::SummarizeLosses(m);

  const std::vector<analysis::ScopeStats> stats = analysis::ComputeScopeStats(m);
  if (!stats.empty() && !stats.front().slowest.empty()) {
    CheckExplanation(m, stats.front().slowest.front());
    analysis::WhyOptions wo;
    wo.scope = stats.front().name;
    wo.max_instances = 20;
    (void)analysis::Why(m, wo);
  }
  // One more instance, picked by the input's bytes: any scope of any thread.
  uint64_t pick = std::accumulate(data.begin(), data.end(), uint64_t{0},
                                  [](uint64_t h, char c) { return h * 131 + uint8_t(c); });
  for (size_t k = 0; k < m.threads.size(); ++k) {
    const auto t = static_cast<uint32_t>((pick + k) % m.threads.size());
    const size_t n = m.threads[t].scopes.size();
    if (n == 0) continue;
    const analysis::ScopeInstance i =
        analysis::InstanceOf(m, analysis::ScopeRef{t, static_cast<uint32_t>(pick % n)});
    if (!i.cut) CheckExplanation(m, i);
    break;
  }
  return out;
}

}  // namespace tracelane::fuzz
