// Random traces for property tests: every event type, arbitrary overlaps of
// waits, blocks, pauses and scheduler switches, capture cuts at both ends, lost
// events, equal timestamps and threads that start and exit inside the capture,
// and (with `loss`) loss records in the middle of whatever is open.
#ifndef TRACELANE_TESTS_ANALYSIS_RANDOM_TRACE_H_
#define TRACELANE_TESTS_ANALYSIS_RANDOM_TRACE_H_

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/analysis/synthetic_trace.h"

namespace tracelane::testing {

struct RandomTraceOptions {
  int threads = 5;
  int actions = 400;       // per thread
  bool schedstat = false;  // schedstat samples instead of perf switches
  double drop = 0.02;      // probability of losing any one event
  double loss = 0;         // probability of a loss record (kDataLost) before an action
};

inline std::string RandomTrace(uint64_t seed, const RandomTraceOptions& o = {}) {
  using E = format::EventType;
  std::mt19937_64 rng(seed);
  const auto rnd = [&](int64_t n) {
    return static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
  };
  const int64_t kStart = 1000000, kEnd = kStart + 5000000;
  SyntheticTrace tr(kStart, kEnd);
  tr.Property("scheduler_source", o.schedstat ? "schedstat" : "perf");
  for (uint64_t id = 1; id <= 3; ++id) {
    tr.NameObject(format::ObjectKind::kLock, id, absl::StrCat("lock", id));
    tr.NameObject(format::ObjectKind::kCondVar, id, absl::StrCat("cv", id));
  }
  std::vector<int64_t> tids;
  for (int i = 0; i < o.threads; ++i) tids.push_back(100 + i);
  for (int i = 0; i < o.threads; ++i) {
    // Some threads start and/or exit inside the capture.
    const int64_t start = rnd(3) == 0 ? kStart + rnd(1000000) : 0;
    const int64_t exit = rnd(3) == 0 ? kEnd - rnd(1000000) : 0;
    const int th = tr.Thread(tids[i], absl::StrCat("worker-", i % 3), start, exit);
    const int64_t limit = exit ? exit : kEnd;
    int64_t t = std::max(start, kStart) + rnd(1000);
    const auto emit = [&](E type, uint64_t payload, bool arg, int64_t a) {
      if (rng() % 10000 < static_cast<uint64_t>(o.drop * 10000)) return;  // lost
      if (arg) {
        tr.RawArg(th, t, type, payload, a);
      } else {
        tr.Raw(th, t, type, payload);
      }
    };
    const auto loc = [&](const std::string& n) { return internal::LocPayload(tr.Loc(n)); };
    // Capture cut at the start: ends whose begins were not captured.
    if (rnd(2)) emit(E::kScopeEnd, loc("cut_inner"), false, 0);
    if (rnd(2)) emit(E::kScopeEnd, loc("cut_outer"), false, 0);
    if (rnd(3) == 0) emit(E::kBlockEnd, loc("b2"), false, 0);
    if (rnd(3) == 0) emit(E::kPauseEnd, loc("p0"), false, 0);
    if (rnd(3) == 0) emit(E::kLockReleased, 1, true, 0);
    if (rnd(3) == 0 && !o.schedstat) emit(E::kSchedIn, 0, false, 0);
    if (rnd(4) == 0) emit(E::kCondWake, 2, true, tids[rnd(o.threads)]);
    if (rnd(6) == 0) emit(E::kStwEnd, loc("gc"), false, 0);
    std::vector<std::string> scopes, blocks, pauses;
    std::vector<uint64_t> holds, waits, conds;
    bool off_cpu = false;
    for (int a = 0; a < o.actions; ++a) {
      t += rnd(5) == 0 ? 0 : rnd(3000);
      if (t >= limit) break;
      if (o.loss > 0 && rng() % 10000 < static_cast<uint64_t>(o.loss * 10000)) {
        // Events lost up to here: whatever the generator has open stays open, so
        // its ends come after the gap without their begins.
        tr.RawArg(th, t, E::kDataLost, 1 + rnd(3), rnd(1000));
        t += rnd(3) == 0 ? 0 : rnd(3000);
        if (t >= limit) break;
      }
      switch (rnd(16)) {
        case 0:
        case 1:
          if (scopes.size() < 6) {
            scopes.push_back(absl::StrCat("s", rnd(6)));
            emit(E::kScopeBegin, loc(scopes.back()), false, 0);
          }
          break;
        case 2:
        case 3:
          if (!scopes.empty()) {
            emit(E::kScopeEnd, loc(scopes.back()), false, 0);
            scopes.pop_back();
          }
          break;
        case 4:
          if (waits.empty()) {
            waits.push_back(1 + rnd(3));
            emit(E::kLockWait, waits.back(), true, 0);
          } else {
            const uint64_t id = waits.back();
            waits.pop_back();
            if (rnd(8) == 0) {
              emit(E::kLockTryFailed, id, false, 0);
            } else {
              emit(E::kLockAcquired, id, true, rnd(3) ? tids[rnd(o.threads)] : 0);
              holds.push_back(id);
            }
          }
          break;
        case 5:
          if (!holds.empty()) {
            const size_t k = rnd(holds.size());
            emit(E::kLockReleased, holds[k], true, rnd(2));
            holds.erase(holds.begin() + k);
          } else {
            holds.push_back(1 + rnd(3));
            emit(E::kLockAcquired, holds.back(), true, 0);  // uncontended
          }
          break;
        case 6:
          if (blocks.size() >= 2) break;
          blocks.push_back(absl::StrCat("b", rnd(6)));
          emit(E::kBlockBegin, loc(blocks.back()), true,
               1 + (blocks.back().back() - '0'));  // kind fixed per name
          break;
        case 7:
          if (!blocks.empty()) {
            const size_t k = rnd(blocks.size());
            emit(E::kBlockEnd, loc(blocks[k]), false, 0);
            blocks.erase(blocks.begin() + k);
          }
          break;
        case 8:
          if (!pauses.empty() && rnd(2)) break;
          pauses.push_back(absl::StrCat("p", rnd(3)));
          emit(E::kPauseBegin, loc(pauses.back()), true, rnd(4096));
          break;
        case 9:
          if (!pauses.empty()) {
            const size_t k = rnd(pauses.size());
            emit(E::kPauseEnd, loc(pauses[k]), false, 0);
            pauses.erase(pauses.begin() + k);
          }
          break;
        case 10:
          if (rnd(4) == 0) {  // a whole stop-the-world
            emit(E::kStwBegin, loc("gc"), false, 0);
            t += rnd(20000);
            if (t >= limit) break;
            emit(E::kStwEnd, loc("gc"), false, 0);
          }
          break;
        case 11:
        case 12:
          if (o.schedstat) {
            emit(E::kSchedStat, static_cast<uint64_t>(rnd(20000)), true, rnd(20000));
          } else if (!off_cpu) {
            emit(E::kSchedOut, rnd(2) ? format::kSchedPreempted : 0, false, 0);
            off_cpu = true;
          } else {
            emit(E::kSchedIn, static_cast<uint64_t>(rnd(4)), false, 0);
            off_cpu = false;
          }
          break;
        case 13:
          if (conds.empty()) {
            conds.push_back(1 + rnd(3));
            emit(E::kCondWait, conds.back(), false, 0);
          } else {
            emit(E::kCondWake, conds.back(), true, rnd(2) ? tids[rnd(o.threads)] : 0);
            conds.pop_back();
          }
          break;
        case 14:
          emit(E::kCondNotify, 1 + rnd(3), true, rnd(2));
          break;
        case 15:
          emit(rnd(2) ? E::kInstant : E::kCounter, loc("marker"), true, 7);
          break;
      }
    }
    if (exit && t <= exit && rnd(2)) {
      t = exit;
      emit(E::kThreadExit, 0, false, 0);
    }
    // Whatever is open stays open: cut by the capture end.
  }
  return tr.Encode();
}

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_ANALYSIS_RANDOM_TRACE_H_
