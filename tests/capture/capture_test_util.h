// Helpers for the capture tests: temporary directories, decoding captured bytes
// and looking events up by location name.
#ifndef TRACELANE_TESTS_CAPTURE_CAPTURE_TEST_UTIL_H_
#define TRACELANE_TESTS_CAPTURE_CAPTURE_TEST_UTIL_H_

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tracelane/format.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::testing {

// A fresh directory under gtest's temp dir; removed (with its files) on scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = absl::StrCat(::testing::TempDir(), "tracelane_capture_XXXXXX");
    char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    for (const std::string& f : Files()) std::remove(f.c_str());
    rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }
  // Full paths of the files in the directory ending in `suffix`.
  std::vector<std::string> Files(const std::string& suffix = "") const {
    std::vector<std::string> out;
    if (DIR* d = opendir(path_.c_str())) {
      while (dirent* e = readdir(d)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        if (absl::EndsWith(name, suffix)) out.push_back(absl::StrCat(path_, "/", name));
      }
      closedir(d);
    }
    return out;
  }

 private:
  std::string path_;
};

// Decodes trace bytes strictly (any damage fails the test).
inline reader::Trace Decode(const std::string& bytes) {
  absl::StatusOr<reader::Trace> t = reader::ParseTrace(bytes, "capture");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(*t) : reader::Trace{};
}

// Number of events of `type` whose location is named `name`, over all threads.
inline size_t CountNamed(const reader::Trace& t, const std::string& name,
                         format::EventType type = format::EventType::kScopeBegin) {
  size_t n = 0;
  for (const reader::Thread& th : t.threads) {
    for (const reader::Event& e : th.events) {
      if (e.type != type) continue;
      const reader::Location* loc = t.LocationOf(e);
      n += loc != nullptr && loc->name == name;
    }
  }
  return n;
}

inline const reader::Thread* ThreadByTid(const reader::Trace& t, int64_t tid) {
  for (const reader::Thread& th : t.threads) {
    if (th.tid == tid) return &th;
  }
  return nullptr;
}

inline const reader::Thread* ThreadByName(const reader::Trace& t, const std::string& name) {
  for (const reader::Thread& th : t.threads) {
    if (th.name == name) return &th;
  }
  return nullptr;
}

// Records 100 calls of `old` on one short-lived thread, waits 1.5 s, then 200
// calls of `recent` on another: a last-1-second capture must hold exactly the
// recent ones.
template <typename Old, typename Recent>
void EmitOldThenRecent(Old old, Recent recent) {
  std::thread([old] {
    for (int i = 0; i < 100; ++i) old();
  }).join();
  absl::SleepFor(absl::Milliseconds(1500));
  std::thread([recent] {
    for (int i = 0; i < 200; ++i) recent();
  }).join();
}

// Earliest event timestamp in the trace (INT64_MAX if none).
inline int64_t FirstEventNs(const reader::Trace& t) {
  int64_t lo = INT64_MAX;
  for (const reader::Thread& th : t.threads) {
    if (!th.events.empty()) lo = std::min(lo, th.events.front().ts_ns);
  }
  return lo;
}

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_CAPTURE_CAPTURE_TEST_UTIL_H_
