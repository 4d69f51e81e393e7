// Helpers shared by the core tests: temporary paths and checks over decoded traces.
#ifndef TRACELANE_TESTS_CORE_TEST_UTIL_H_
#define TRACELANE_TESTS_CORE_TEST_UTIL_H_

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tracelane/format.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::testing {

// A path in gtest's temporary directory, unique per process; removed by the caller
// (or left behind in /tmp, which is harmless).
inline std::string TempPath(const std::string& name) {
  return absl::StrCat(::testing::TempDir(), "tracelane_", getpid(), "_", name);
}

// Removes a file when it goes out of scope.
class ScopedFile {
 public:
  explicit ScopedFile(std::string path) : path_(std::move(path)) {}
  ~ScopedFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// True for events a recorder subsystem merges in from outside the thread's own
// buffer (scheduler switches from perf or schedstat). They are not counted in the
// thread's drop accounting and appear whenever a scheduler source is active.
inline bool IsSchedulerEvent(format::EventType t) {
  return t == format::EventType::kSchedOut || t == format::EventType::kSchedIn ||
         t == format::EventType::kSchedStat;
}

// A copy of `t` without scheduler events and loss records (kDataLost, which the
// writer puts where the thread's events were lost): what the thread itself
// recorded and the trace kept.
inline reader::Thread OwnEvents(const reader::Thread& t) {
  reader::Thread own = t;
  own.events.clear();
  for (const reader::Event& e : t.events) {
    if (!IsSchedulerEvent(e.type) && e.type != format::EventType::kDataLost) {
      own.events.push_back(e);
    }
  }
  return own;
}

// The thread with OS id `tid`, or nullptr.
inline const reader::Thread* FindThread(const reader::Trace& trace, int64_t tid) {
  for (const reader::Thread& t : trace.threads) {
    if (t.tid == tid) return &t;
  }
  return nullptr;
}

inline size_t CountType(const reader::Thread& t, format::EventType type) {
  size_t n = 0;
  for (const reader::Event& e : t.events) n += e.type == type;
  return n;
}

// Checks that the thread's scope begin/end events are balanced and properly nested
// (each end closes the innermost open scope, with the same location). Returns ""
// when they are, else a description of the first problem.
inline std::string CheckNesting(const reader::Trace& trace, const reader::Thread& t) {
  std::vector<uint64_t> open;
  for (size_t i = 0; i < t.events.size(); ++i) {
    const reader::Event& e = t.events[i];
    if (e.type == format::EventType::kScopeBegin) {
      open.push_back(e.payload);
    } else if (e.type == format::EventType::kScopeEnd) {
      if (open.empty()) return absl::StrCat("event ", i, ": scope end without a begin");
      if (open.back() != e.payload) {
        return absl::StrCat("event ", i, ": end of '", trace.locations[e.payload].name,
                            "' closes '", trace.locations[open.back()].name, "'");
      }
      open.pop_back();
    }
  }
  if (!open.empty()) return absl::StrCat(open.size(), " scopes left open");
  return "";
}

// Checks that timestamps never decrease. Returns "" or the first offending index.
inline std::string CheckMonotonic(const reader::Thread& t) {
  for (size_t i = 1; i < t.events.size(); ++i) {
    if (t.events[i].ts_ns < t.events[i - 1].ts_ns) {
      return absl::StrCat("event ", i, " at ", t.events[i].ts_ns, " ns precedes event ", i - 1,
                          " at ", t.events[i - 1].ts_ns, " ns");
    }
  }
  return "";
}

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_CORE_TEST_UTIL_H_
