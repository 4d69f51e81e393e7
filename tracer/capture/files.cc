// File naming and atomic writes for captures.
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tracer/capture/capture_internal.h"

namespace tracelane::internal {

std::string FileSafeProcessName() {
  std::ifstream comm("/proc/self/comm");
  std::string name;
  std::getline(comm, name);
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "proc" : out;
}

std::string TimestampedTracePath(const std::string& directory) {
  const std::string stamp =
      absl::FormatTime("%Y%m%dT%H%M%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string dir = directory.empty() ? "." : directory;
  if (dir.back() != '/') dir.push_back('/');
  return absl::StrCat(dir, "tracelane-", FileSafeProcessName(), "-", getpid(), "-", stamp, ".tlt");
}

namespace {

absl::Status WriteFileAtomicallyImpl(const std::string& path, absl::string_view bytes) {
  const std::string tmp = absl::StrCat(path, ".tmp-", getpid());
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot create (", std::strerror(errno), ")"));
  }
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return absl::DataLossError(absl::StrCat(path, ": write failed (", std::strerror(err), ")"));
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    return absl::DataLossError(absl::StrCat(path, ": cannot finish (", std::strerror(err), ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, absl::string_view bytes) {
  // open/write/close are cancellation points: a thread cancelled here would leak
  // the descriptor and leave the temporary file behind. Finish first.
  int cancel_state;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
  absl::Status s = WriteFileAtomicallyImpl(path, bytes);
  pthread_setcancelstate(cancel_state, nullptr);
  return s;
}

absl::Status CheckWritableDirectory(const std::string& directory) {
  const std::string dir = directory.empty() ? "." : directory;
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        dir, ": not a writable directory (", std::strerror(errno), "); create it or pick another"));
  }
  return absl::OkStatus();
}

}  // namespace tracelane::internal
