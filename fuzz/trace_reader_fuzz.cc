// Fuzz target trace_reader: every reader of .tlt files and the model builder,
// and the promise that the serial and parallel readers agree (parallel_reader.h:
// "problems are reported in file order, so strict errors and salvage warnings are
// exactly the serial reader's").
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_targets.h"
#include "viewer/analysis/model.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::fuzz {
namespace {

constexpr char kName[] = "fuzz.tlt";

// The model's shape: what two builds of the same trace must share.
std::vector<uint64_t> Shape(const analysis::Model& m) {
  std::vector<uint64_t> s = {m.events,
                             m.unmatched_events,
                             m.threads.size(),
                             m.stw.size(),
                             static_cast<uint64_t>(m.start_ns),
                             static_cast<uint64_t>(m.end_ns)};
  for (const analysis::ThreadModel& t : m.threads) {
    s.insert(s.end(),
             {t.events, t.states.size(), t.scopes.size(), t.cut_scopes.size(), t.lost_scopes.size(),
              t.gaps.size(), t.lock_waits.size(), t.lock_holds.size(), t.cond_waits.size(),
              t.blocks.size(), t.pauses.size(), t.instants.size()});
  }
  return s;
}

std::string StatusText(const absl::Status& s) { return s.ok() ? "OK" : std::string(s.message()); }

}  // namespace

FuzzOutcome FuzzTraceReader(std::string_view data) {
  FuzzOutcome out;
  for (const bool salvage : {false, true}) {
    reader::ReadOptions ro;
    ro.salvage = salvage;
    absl::StatusOr<reader::Trace> serial = reader::ParseTrace(data, kName, ro);

    // The streaming reader decodes the same blocks without keeping them.
    // It also tells whether a thread's blocks go back in time: the serial reader
    // sorts the whole thread, a streaming load (ModelBuilder::AddBlock) can only
    // sort each block and clamps an earlier block, so their models may differ then.
    uint64_t streamed = 0;
    bool blocks_in_order = true;
    std::vector<int64_t> thread_end;
    absl::StatusOr<reader::Trace> stream = reader::StreamParseTrace(
        data, kName,
        [&](const reader::Trace&, uint32_t thread, const std::vector<reader::Event>& events) {
          streamed += events.size();
          if (events.empty()) return;
          if (thread >= thread_end.size()) thread_end.resize(thread + 1, INT64_MIN);
          int64_t lo = INT64_MAX, hi = INT64_MIN;
          for (const reader::Event& e : events) {
            lo = std::min(lo, e.ts_ns);
            hi = std::max(hi, e.ts_ns);
          }
          if (lo < thread_end[thread]) blocks_in_order = false;
          thread_end[thread] = std::max(thread_end[thread], hi);
        },
        ro);
    FUZZ_CHECK(serial.ok() == stream.ok(), "serial %s vs streaming %s",
               StatusText(serial.status()).c_str(), StatusText(stream.status()).c_str());

    // The parallel reader and builder, 2 workers.
    analysis::LoadOptions lo;
    lo.salvage = salvage;
    lo.workers = 2;
    absl::StatusOr<analysis::Model> parallel = analysis::LoadModelFromBytes(data, kName, lo);
    FUZZ_CHECK(serial.ok() == parallel.ok(), "serial %s vs parallel %s",
               StatusText(serial.status()).c_str(), StatusText(parallel.status()).c_str());
    if (!serial.ok()) {
      FUZZ_CHECK(serial.status().message() == parallel.status().message(),
                 "serial error '%s' vs parallel '%s'", StatusText(serial.status()).c_str(),
                 StatusText(parallel.status()).c_str());
      FUZZ_CHECK(!serial.status().message().empty(), "error without a message");
      if (!salvage) out.error = std::string(serial.status().message());
      continue;
    }
    FUZZ_CHECK(streamed == serial->event_count, "streamed %llu events, read %llu",
               static_cast<unsigned long long>(streamed),
               static_cast<unsigned long long>(serial->event_count));
    FUZZ_CHECK(serial->warnings == parallel->info.warnings, "warnings differ (%zu vs %zu)",
               serial->warnings.size(), parallel->info.warnings.size());
    FUZZ_CHECK(serial->event_count == parallel->info.event_count, "events %llu vs %llu",
               static_cast<unsigned long long>(serial->event_count),
               static_cast<unsigned long long>(parallel->info.event_count));
    const analysis::Model built = analysis::BuildModel(*std::move(serial));
    const std::vector<uint64_t> a = Shape(built), b = Shape(*parallel);
    size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    FUZZ_CHECK(a == b || !blocks_in_order,
               "serial and parallel models differ at shape item %zu: %llu vs %llu", i,
               i < a.size() ? static_cast<unsigned long long>(a[i]) : 0ull,
               i < b.size() ? static_cast<unsigned long long>(b[i]) : 0ull);
    if (!salvage) out.accepted = true;
  }
  return out;
}

}  // namespace tracelane::fuzz
