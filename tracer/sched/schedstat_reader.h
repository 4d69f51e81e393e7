// The approximate scheduler source: /proc/self/task/<tid>/schedstat.
#ifndef TRACELANE_TRACER_SCHED_SCHEDSTAT_READER_H_
#define TRACELANE_TRACER_SCHED_SCHEDSTAT_READER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"

namespace tracelane::internal {

// Keeps the thread's schedstat file open and re-reads it with pread (a few us).
class SchedstatReader {
 public:
  // Fails with NotFound if the thread or the file (CONFIG_SCHED_INFO) is missing.
  static absl::StatusOr<std::unique_ptr<SchedstatReader>> Open(int64_t tid);
  ~SchedstatReader();
  SchedstatReader(const SchedstatReader&) = delete;
  SchedstatReader& operator=(const SchedstatReader&) = delete;

  // Cumulative ns the thread ran on a CPU and waited on a run queue. False if
  // the file could not be read (the thread is gone).
  bool Read(int64_t* run_ns, int64_t* wait_ns);

 private:
  explicit SchedstatReader(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_SCHED_SCHEDSTAT_READER_H_
