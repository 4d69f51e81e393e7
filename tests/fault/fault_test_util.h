// Helpers for the overload and fault tests: process resources read from /proc
// (resident set, peak, open descriptors, mappings) and the figures each test
// prints for docs/RELIABILITY.md.
#ifndef TRACELANE_TESTS_FAULT_FAULT_TEST_UTIL_H_
#define TRACELANE_TESTS_FAULT_FAULT_TEST_UTIL_H_

#include <dirent.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tracelane::testing {

// A "Key:   N kB" line of /proc/self/status, in bytes (0 if absent).
inline uint64_t StatusBytes(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    uint64_t kb = 0;
    const size_t digits = line.find_first_of("0123456789");
    if (digits == std::string::npos) return 0;
    std::string number = line.substr(digits);
    number = number.substr(0, number.find(' '));
    if (!absl::SimpleAtoi(number, &kb)) return 0;
    return kb << 10;
  }
  return 0;
}

// Resident set (VmRSS) and its peak since start or the last ResetPeakRss (VmHWM).
inline uint64_t RssBytes() { return StatusBytes("VmRSS"); }
inline uint64_t PeakRssBytes() { return StatusBytes("VmHWM"); }

// Bytes the allocator has handed out and not had back (glibc mallinfo2, every
// arena plus directly mapped blocks): a leak grows it; memory the allocator keeps
// for reuse after a free (arenas, fragmentation) does not, though it stays resident.
inline uint64_t HeapInUseBytes() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// Resets VmHWM to the current resident set (Linux >= 4.0: "5" to clear_refs).
// Returns false where the kernel refuses; the peak then covers the process life.
inline bool ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

// Entries of a /proc/self directory (fd, task), without "." and "..".
inline int CountDirEntries(const char* path) {
  DIR* d = opendir(path);
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

// Open file descriptors of the process, not counting the one used to count them.
inline int OpenFdCount() { return CountDirEntries("/proc/self/fd") - 1; }

// Threads of the process.
inline int ThreadCount() { return CountDirEntries("/proc/self/task"); }

// Bytes of [p, p + n) resident in memory, from mincore(2).
inline uint64_t ResidentBytes(const void* p, size_t n) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> vec((n + page - 1) / page);
  if (mincore(const_cast<void*>(p), n, vec.data()) != 0) return UINT64_MAX;
  uint64_t pages = 0;
  for (unsigned char v : vec) pages += v & 1;
  return pages * page;
}

// Records a figure of the running test: an XML property (ctest --output-junit,
// --gtest_output) and a "[figure] test key=value" line on stdout, which
// docs/RELIABILITY.md quotes.
template <typename T>
void Figure(const std::string& key, const T& value) {
  const std::string text = absl::StrCat(value);
  ::testing::Test::RecordProperty(key, text);
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::printf("[figure] %s.%s %s=%s\n", info != nullptr ? info->test_suite_name() : "?",
              info != nullptr ? info->name() : "?", key.c_str(), text.c_str());
  std::fflush(stdout);
}

// Seconds from the environment variable `name` (a positive decimal), else
// `fallback`. Lets a developer run a longer soak with the same test.
inline double SecondsFromEnv(const char* name, double fallback) {
  const char* v = std::getenv(name);
  double s;
  if (v != nullptr && absl::SimpleAtod(v, &s) && s > 0) return s;
  return fallback;
}

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_FAULT_FAULT_TEST_UTIL_H_
