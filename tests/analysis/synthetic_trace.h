// Builds exact, planted traces for the analysis tests and benchmarks: a
// tracer-side internal::Snapshot with every event supplied as an ExtraEvent, on a
// nanosecond tick axis (calibration ticks == ns), encoded with the real writer
// (internal::EncodeTrace). Header-only; link tracelane::tracelane.
#ifndef TRACELANE_TESTS_ANALYSIS_SYNTHETIC_TRACE_H_
#define TRACELANE_TESTS_ANALYSIS_SYNTHETIC_TRACE_H_

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tracelane/format.h"
#include "tracelane/trace.h"
#include "tracer/snapshot.h"
#include "tracer/trace_writer.h"

namespace tracelane::testing {

class SyntheticTrace {
 public:
  using EventType = format::EventType;

  // A capture covering [capture_start_ns, capture_end_ns]. capture_start_ns must be > 0
  // (0 means "everything buffered" to the writer).
  SyntheticTrace(int64_t capture_start_ns, int64_t capture_end_ns) {
    snap_.calibration.ticks0 = 0;
    snap_.calibration.mono0_ns = 0;
    snap_.calibration.ticks1 = 1000000000;
    snap_.calibration.mono1_ns = 1000000000;
    snap_.calibration.tsc = false;
    snap_.begin_ticks = static_cast<uint64_t>(capture_start_ns);
    snap_.end_ticks = static_cast<uint64_t>(capture_end_ns);
  }

  // Adds a thread; start_ns 0 = unknown, exit_ns 0 = still alive. Returns its index.
  int Thread(int64_t tid, const std::string& name, int64_t start_ns = 0, int64_t exit_ns = 0) {
    internal::ThreadSnapshot t;
    t.tid = tid;
    t.name = name;
    t.alive = exit_ns == 0;
    t.start_ticks = static_cast<uint64_t>(start_ns);
    t.exit_ticks = static_cast<uint64_t>(exit_ns);
    snap_.threads.push_back(std::move(t));
    return static_cast<int>(snap_.threads.size()) - 1;
  }

  // A source location named `name` (one per name; stable address).
  const SourceLocation* Loc(const std::string& name) {
    auto it = locs_.find(name);
    if (it != locs_.end()) return it->second;
    names_.push_back(name);
    storage_.push_back(SourceLocation{names_.back().c_str(), names_.back().c_str(), "synthetic.cc",
                                      static_cast<uint32_t>(storage_.size() + 1)});
    locs_[name] = &storage_.back();
    return &storage_.back();
  }

  void Raw(int thread, int64_t ts, EventType type, uint64_t payload) {
    snap_.threads[thread].extra.push_back({static_cast<uint64_t>(ts), type, payload, 0, false});
  }
  void RawArg(int thread, int64_t ts, EventType type, uint64_t payload, int64_t arg) {
    snap_.threads[thread].extra.push_back({static_cast<uint64_t>(ts), type, payload, arg, true});
  }
  void At(int thread, int64_t ts, EventType type, const std::string& loc) {
    Raw(thread, ts, type, internal::LocPayload(Loc(loc)));
  }
  void AtArg(int thread, int64_t ts, EventType type, const std::string& loc, int64_t arg) {
    RawArg(thread, ts, type, internal::LocPayload(Loc(loc)), arg);
  }

  void Scope(int thread, const std::string& name, int64_t begin, int64_t end) {
    At(thread, begin, EventType::kScopeBegin, name);
    At(thread, end, EventType::kScopeEnd, name);
  }
  void Block(int thread, const std::string& name, format::BlockKind kind, int64_t begin,
             int64_t end) {
    AtArg(thread, begin, EventType::kBlockBegin, name, static_cast<int64_t>(kind));
    At(thread, end, EventType::kBlockEnd, name);
  }
  void Pause(int thread, const std::string& name, int64_t begin, int64_t end) {
    AtArg(thread, begin, EventType::kPauseBegin, name, 0);
    At(thread, end, EventType::kPauseEnd, name);
  }
  void Stw(int thread, const std::string& name, int64_t begin, int64_t end) {
    At(thread, begin, EventType::kStwBegin, name);
    At(thread, end, EventType::kStwEnd, name);
  }
  // An uncontended hold of `lock`.
  void Hold(int thread, uint64_t lock, int64_t acquired, int64_t released, bool waiters = false) {
    RawArg(thread, acquired, EventType::kLockAcquired, lock, 0);
    RawArg(thread, released, EventType::kLockReleased, lock, waiters ? 1 : 0);
  }
  // A contended acquisition: waits from `wait`, handed over by `releaser_tid` at
  // `acquired`, held until `released`.
  void WaitHold(int thread, uint64_t lock, int64_t wait, int64_t acquired, int64_t released,
                int64_t releaser_tid) {
    RawArg(thread, wait, EventType::kLockWait, lock, 0);
    RawArg(thread, acquired, EventType::kLockAcquired, lock, releaser_tid);
    RawArg(thread, released, EventType::kLockReleased, lock, 0);
  }
  void SchedOut(int thread, int64_t ts, bool preempted) {
    Raw(thread, ts, EventType::kSchedOut, preempted ? format::kSchedPreempted : 0);
  }
  void SchedIn(int thread, int64_t ts) { Raw(thread, ts, EventType::kSchedIn, 0); }

  void NameObject(format::ObjectKind kind, uint64_t id, const std::string& name) {
    snap_.objects.push_back(internal::ObjectName{kind, id, name});
  }
  void Property(const std::string& key, const std::string& value) {
    snap_.properties.emplace_back(key, value);
  }

  // Encodes the trace (events of each thread sorted by time, stable).
  std::string Encode() {
    for (auto& t : snap_.threads) {
      std::stable_sort(t.extra.begin(), t.extra.end(),
                       [](const internal::ExtraEvent& a, const internal::ExtraEvent& b) {
                         return a.ticks < b.ticks;
                       });
    }
    std::ostringstream out;
    if (!internal::EncodeTrace(snap_, out).ok()) return "";
    return out.str();
  }

  internal::Snapshot& snapshot() { return snap_; }

 private:
  internal::Snapshot snap_;
  std::deque<std::string> names_;
  std::deque<SourceLocation> storage_;
  std::map<std::string, const SourceLocation*> locs_;
};

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_ANALYSIS_SYNTHETIC_TRACE_H_
