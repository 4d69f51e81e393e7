#include "viewer/analysis/model.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/model_builder.h"
#include "viewer/lib/parallel.h"
#include "viewer/lib/parallel_reader.h"
#include "viewer/lib/phase_timer.h"

namespace tracelane::analysis {

size_t ThreadModel::StateIndexAt(int64_t t) const {
  if (states.empty()) return 0;
  auto it = std::upper_bound(states.begin(), states.end(), t,
                             [](int64_t x, const StateSpan& s) { return x < s.start_ns; });
  return it == states.begin() ? 0 : static_cast<size_t>(it - states.begin()) - 1;
}

uint32_t ThreadModel::InnermostScopeAt(int64_t t) const {
  auto it = std::upper_bound(scopes.begin(), scopes.end(), t,
                             [](int64_t x, const Scope& s) { return x < s.begin_ns; });
  if (it == scopes.begin()) return kNone;
  uint32_t i = static_cast<uint32_t>(it - scopes.begin()) - 1;
  // Every scope containing t is an ancestor-or-self of the last scope begun by t.
  while (i != kNone && scopes[i].end_ns <= t) i = scopes[i].parent;
  return i;
}

bool ThreadModel::IsCut(uint32_t i) const {
  return std::binary_search(cut_scopes.begin(), cut_scopes.end(), i);
}

bool ThreadModel::IsCutByLoss(uint32_t i) const {
  return std::binary_search(lost_scopes.begin(), lost_scopes.end(), i);
}

const DataGap* ThreadModel::GapAt(int64_t t) const {
  auto it = std::upper_bound(gaps.begin(), gaps.end(), t,
                             [](int64_t x, const DataGap& g) { return x < g.start_ns; });
  if (it == gaps.begin()) return nullptr;
  --it;
  return t < it->end_ns ? &*it : nullptr;
}

int ThreadModel::Depth(uint32_t i) const {
  int d = 0;
  while (scopes[i].parent != kNone) {
    i = scopes[i].parent;
    ++d;
  }
  return d;
}

namespace {

std::string ObjectName(const Model& m, format::ObjectKind kind, uint64_t id, const char* what) {
  auto it = m.object_names.find((static_cast<uint64_t>(kind) << 56) ^ id);
  if (it != m.object_names.end()) return it->second;
  return absl::StrFormat("%s 0x%x", what, id);
}

}  // namespace

std::string Model::LockName(uint64_t id) const {
  return ObjectName(*this, format::ObjectKind::kLock, id, "lock");
}

std::string Model::CondName(uint64_t id) const {
  return ObjectName(*this, format::ObjectKind::kCondVar, id, "condvar");
}

const std::string& Model::LocationName(uint32_t location) const {
  static const std::string kNoScope = "(no scope)";
  if (location >= info.locations.size()) return kNoScope;
  return info.locations[location].name;
}

const std::string& Model::ScopeName(uint32_t thread, uint32_t index) const {
  if (thread >= threads.size() || index >= threads[thread].scopes.size()) {
    return LocationName(kNone);
  }
  return LocationName(threads[thread].scopes[index].location);
}

std::string Model::ThreadLabel(uint32_t thread) const {
  if (thread >= threads.size()) return "unknown";
  return absl::StrCat(threads[thread].name, " [", threads[thread].tid, "]");
}

namespace {

// options.workers if positive, else TRACELANE_LOAD_WORKERS if set to a positive
// number (for benchmarks and tests of the CLI), else one per core.
int LoadWorkers(int requested) {
  if (requested <= 0) {
    const char* env = std::getenv("TRACELANE_LOAD_WORKERS");
    if (env != nullptr) requested = std::atoi(env);
  }
  return reader::ResolveWorkers(requested);
}

// Loads through `read` (a parallel streaming reader bound to a file or to bytes).
template <typename ReadFn>
absl::StatusOr<Model> Load(const LoadOptions& options, const ReadFn& read) {
  reader::PhaseTimer timer;
  internal::ModelBuilder builder;
  reader::ReadOptions ro;
  ro.salvage = options.salvage;
  ro.progress = options.progress;
  ro.cancelled = options.cancelled;
  ro.workers = LoadWorkers(options.workers);
  absl::StatusOr<reader::Trace> t = read(
      [&](const reader::Trace& tables) { builder.Begin(tables); },
      [&](const reader::Trace& tables, uint32_t thread, const std::vector<reader::Event>& events) {
        builder.AddBlock(tables, thread, events);
      },
      ro);
  if (!t.ok()) return t.status();
  timer.Lap("read and build threads");
  if (options.cancelled && options.cancelled()) {
    return absl::CancelledError(absl::StrCat(t->path, ": loading cancelled"));
  }
  Model m = builder.Finish(*std::move(t), ro.workers);
  timer.Lap("finish model");
  return m;
}

}  // namespace

absl::StatusOr<Model> LoadModel(const std::string& path, const LoadOptions& options) {
  return Load(options, [&](const reader::TablesFn& on_tables, const reader::EventBlockFn& on_events,
                           const reader::ReadOptions& ro) {
    return reader::ParallelStreamTrace(path, on_tables, on_events, ro);
  });
}

absl::StatusOr<Model> LoadModelFromBytes(std::string_view bytes, const std::string& name,
                                         const LoadOptions& options) {
  return Load(options, [&](const reader::TablesFn& on_tables, const reader::EventBlockFn& on_events,
                           const reader::ReadOptions& ro) {
    return reader::ParallelStreamParseTrace(bytes, name, on_tables, on_events, ro);
  });
}

Model BuildModel(reader::Trace trace) {
  internal::ModelBuilder builder;
  builder.Begin(trace);
  for (uint32_t i = 0; i < trace.threads.size(); ++i) {
    builder.AddBlock(trace, i, trace.threads[i].events);
    trace.threads[i].events.clear();
    trace.threads[i].events.shrink_to_fit();
  }
  return builder.Finish(std::move(trace));
}

}  // namespace tracelane::analysis
