#include "tracer/sched/schedstat_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace tracelane::internal {

absl::StatusOr<std::unique_ptr<SchedstatReader>> SchedstatReader::Open(int64_t tid) {
  const std::string path = absl::StrCat("/proc/self/task/", tid, "/schedstat");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(errno)));
  return std::unique_ptr<SchedstatReader>(new SchedstatReader(fd));
}

SchedstatReader::~SchedstatReader() { close(fd_); }

bool SchedstatReader::Read(int64_t* run_ns, int64_t* wait_ns) {
  char buf[128];
  const ssize_t n = pread(fd_, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return false;
  // "<run ns> <wait ns> <timeslices>\n"
  std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(buf, static_cast<size_t>(n)), ' ', absl::SkipEmpty());
  return parts.size() >= 2 && absl::SimpleAtoi(parts[0], run_ns) &&
         absl::SimpleAtoi(absl::StripAsciiWhitespace(parts[1]), wait_ns);
}

}  // namespace tracelane::internal
