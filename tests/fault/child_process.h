// Runs a test body in a forked child and brings back its verdict: the fork
// tests check the child's own recorder, which gtest assertions in the child
// could not report.
#ifndef TRACELANE_TESTS_FAULT_CHILD_PROCESS_H_
#define TRACELANE_TESTS_FAULT_CHILD_PROCESS_H_

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace tracelane::testing {

// Evaluates `cond` in a child body; on failure returns a message naming it.
#define CHILD_CHECK(cond, ...)                                                                \
  do {                                                                                        \
    if (!(cond)) return absl::StrCat(__FILE__, ":", __LINE__, ": " #cond " ", ##__VA_ARGS__); \
  } while (0)

// Forks; the child runs `body` and exits with its result ("" = passed), which is
// returned here. A child that dies, or runs longer than `timeout` (a deadlock,
// say), is reported as such (and killed).
inline std::string RunInChild(const std::function<std::string()>& body,
                              absl::Duration timeout = absl::Seconds(60)) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  const pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    close(fds[0]);
    const std::string verdict = body();
    size_t done = 0;
    while (done < verdict.size()) {
      const ssize_t n = write(fds[1], verdict.data() + done, verdict.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    _exit(verdict.empty() ? 0 : 1);
  }
  close(fds[1]);
  std::string verdict;
  char buf[4096];
  const absl::Time deadline = absl::Now() + timeout;
  bool hung = false;
  for (;;) {  // read the verdict until EOF (the child exited) or the deadline
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 100) == 0) {
      if (absl::Now() > deadline) {
        hung = true;
        break;
      }
      continue;
    }
    const ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    verdict.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (!hung && waitpid(pid, &status, WNOHANG) == 0) {
    if (absl::Now() > deadline) hung = true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  if (hung) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return absl::StrCat("child hung (killed after ", absl::FormatDuration(timeout), ") ", verdict);
  }
  if (WIFSIGNALED(status)) {
    return absl::StrCat("child died of signal ", WTERMSIG(status), " ", verdict);
  }
  if (WEXITSTATUS(status) != 0 && verdict.empty()) {
    return absl::StrCat("child exited with ", WEXITSTATUS(status));
  }
  return verdict;
}

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_FAULT_CHILD_PROCESS_H_
