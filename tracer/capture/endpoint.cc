// The loopback HTTP endpoint (cpp-httplib): index page and next-N / last-N
// captures, with token auth, parameter validation, one capture at a time and
// per-connection timeouts. Listener and workers are excluded from tracing.
#include <httplib.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tracelane/capture.h"
#include "tracelane/endpoint.h"
#include "tracelane/internal/recorder.h"
#include "tracer/capture/capture_internal.h"
#include "tracer/capture/endpoint_request.h"
#include "tracer/capture/endpoint_util.h"
#include "tracer/capture/excluded_task_queue.h"
#include "tracer/capture/index_page.h"

namespace tracelane::internal {
namespace {

// Process-wide endpoint state. Never destroyed: threads may still run during
// static destruction, and a destroyed server would be used after free.
struct EndpointState {
  absl::Mutex mu;  // serializes Start/Stop
  std::unique_ptr<httplib::Server> server ABSL_GUARDED_BY(mu);
  // Heap-held so a forked child can leak it (its thread does not exist there).
  std::unique_ptr<std::thread> listener ABSL_GUARDED_BY(mu);
  std::string address ABSL_GUARDED_BY(mu);
  EndpointOptions options;  // written before the server starts, then read-only
  std::atomic<bool> running{false};
  std::atomic<bool> forked{false};  // this is a child forked while serving
  std::atomic<bool> stopping{false};
  std::atomic<bool> capture_busy{false};
  std::atomic<int> listen_fd{-1};
  std::atomic<uint64_t> captures_served{0};
  absl::Mutex last_mu;
  std::string last_capture ABSL_GUARDED_BY(last_mu);
};

EndpointState& State() {
  static auto* s = new EndpointState;
  return *s;
}

// After fork() only the forking thread exists in the child: the endpoint's
// threads are gone. Close the child's copy of the listening socket (so a parent
// that exits does not leave a bound port nobody serves) and forget the server.
// Locks another thread held at the fork are re-created (nobody else is left to
// release them), and a capture the parent was serving is not the child's. With
// EndpointOptions::child_address the child then serves on that address.
// Runs in the child between fork and return.
void AfterForkInChild() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  EndpointState& s = State();
  new (&s.mu) absl::Mutex();
  new (&s.last_mu) absl::Mutex();
  s.capture_busy.store(false);
  s.stopping.store(false);
  s.captures_served.store(0);
  const int fd = s.listen_fd.exchange(-1);
  if (fd >= 0) {
    close(fd);
    s.forked.store(true);
  }
  s.running.store(false);
  if (!s.forked.load() || s.options.child_address.empty()) return;
  const EndpointOptions options = s.options;
  if (absl::Status st = StartEndpoint(options.child_address, options); !st.ok()) {
    std::fprintf(stderr, "tracelane: endpoint not restarted in child %d: %s\n",
                 static_cast<int>(getpid()), std::string(st.message()).c_str());
  }
}

void SetText(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(message + "\n", "text/plain; charset=utf-8");
}

void HandleIndex(const httplib::Request&, httplib::Response& res) {
  EndpointState& s = State();
  IndexPageData d;
  d.process_name = FileSafeProcessName();
  d.pid = getpid();
  {
    absl::MutexLock lock(&s.mu);
    d.address = s.address;
  }
  d.recorder = GetFlightRecorderStatus();
  d.capture_running = s.capture_busy.load();
  d.captures_served = s.captures_served.load();
  {
    absl::MutexLock lock(&s.last_mu);
    d.last_capture = s.last_capture;
  }
  d.max_seconds = s.options.max_seconds;
  d.signal_captures = SignalCapturesWritten();
  res.set_header("Cache-Control", "no-store");
  res.set_content(RenderIndexPage(d), "text/html; charset=utf-8");
}

void HandleTrace(const httplib::Request& req, const TraceQuery* q, httplib::Response& res) {
  EndpointState& s = State();
  bool expected = false;
  if (!s.capture_busy.compare_exchange_strong(expected, true)) {
    SetText(res, 409,
            "tracelane endpoint: a capture is already running; retry when it finishes");
    return;
  }
  struct Release {
    ~Release() { State().capture_busy.store(false); }
  } release;
  CaptureOptions co;
  co.mode = q->mode;
  co.seconds = q->seconds;
  co.cancelled = [] { return State().stopping.load(std::memory_order_relaxed); };
  co.properties = {{"trigger", "http"}, {"http_client", req.remote_addr}};
  CaptureStats st;
  absl::StatusOr<std::string> bytes = Capture(co, &st);
  if (!bytes.ok()) {
    const int status = absl::IsUnavailable(bytes.status()) ? 409
                       : absl::IsCancelled(bytes.status())  ? 503
                                                            : 500;
    SetText(res, status, absl::StrCat("tracelane endpoint: ", bytes.status().message()));
    return;
  }
  s.captures_served.fetch_add(1);
  const std::string mode = q->mode == CaptureMode::kNext ? "next" : "last";
  {
    absl::MutexLock lock(&s.last_mu);
    s.last_capture = absl::StrFormat(
        "%s %g s at %s: %d events, %d bytes, %d dropped, %d overwritten", mode, q->seconds,
        absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::Now(), absl::UTCTimeZone()), st.events,
        st.bytes, st.dropped, st.overwritten);
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_header("Content-Disposition",
                 absl::StrCat("attachment; filename=\"", FileSafeProcessName(), "-", getpid(), "-",
                              mode, "-", absl::StrFormat("%g", q->seconds), "s.tlt\""));
  res.set_header("X-Tracelane-Events", absl::StrCat(st.events));
  res.set_header("X-Tracelane-Lost", absl::StrCat(st.dropped + st.overwritten));
  // Stream from one shared buffer (no copy); each write honours the write timeout.
  auto data = std::make_shared<std::string>(std::move(*bytes));
  res.set_content_provider(
      data->size(), "application/octet-stream",
      [data](size_t offset, size_t length, httplib::DataSink& sink) {
        const size_t n = std::min<size_t>(length, size_t{1} << 20);
        return sink.write(data->data() + offset, n);
      });
}

// Every request goes through PlanEndpointRequest (endpoint_request.h) before
// httplib's own routing, which is left with nothing to do.
httplib::Server::HandlerResponse Route(const httplib::Request& req, httplib::Response& res) {
  EndpointRequest r;
  r.method = req.method;
  r.target = req.target;
  r.headers.assign(req.headers.begin(), req.headers.end());
  EndpointPolicy policy;
  policy.token = State().options.token;
  policy.max_seconds = State().options.max_seconds;
  const EndpointPlan plan = PlanEndpointRequest(r, policy);
  switch (plan.action) {
    case EndpointPlan::Action::kIndex:
      HandleIndex(req, res);
      break;
    case EndpointPlan::Action::kCapture:
      HandleTrace(req, &plan.query, res);
      break;
    case EndpointPlan::Action::kRespond:
      res.status = plan.status;
      res.set_header("Cache-Control", "no-store");
      for (const auto& [k, v] : plan.headers) res.set_header(k.c_str(), v);
      if (!plan.body.empty()) res.set_content(plan.body, "text/plain; charset=utf-8");
      break;
  }
  return httplib::Server::HandlerResponse::Handled;
}

absl::Status ValidateOptions(const EndpointOptions& o) {
  if (!std::isfinite(o.timeout_seconds) || o.timeout_seconds < 0.1 || o.timeout_seconds > 3600) {
    return absl::InvalidArgumentError("EndpointOptions::timeout_seconds must be in [0.1, 3600]");
  }
  if (o.workers < 2 || o.workers > 256) {
    return absl::InvalidArgumentError("EndpointOptions::workers must be in [2, 256]");
  }
  if (!std::isfinite(o.max_seconds) || o.max_seconds <= 0 || o.max_seconds > 3600) {
    return absl::InvalidArgumentError("EndpointOptions::max_seconds must be in (0, 3600]");
  }
  if (!o.child_address.empty()) {  // checked now, not first inside a fork()
    absl::StatusOr<HostPort> hp = ParseHostPort(o.child_address);
    if (!hp.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("EndpointOptions::child_address: ", hp.status().message()));
    }
    if (!IsLoopbackHost(hp->host) && o.token.empty()) {
      return absl::InvalidArgumentError(
          "EndpointOptions::child_address is not loopback and no token is set");
    }
  }
  return absl::OkStatus();
}

void ConfigureServer(httplib::Server& server, const EndpointOptions& o) {
  const time_t sec = static_cast<time_t>(o.timeout_seconds);
  const time_t usec = static_cast<time_t>((o.timeout_seconds - sec) * 1e6);
  server.set_read_timeout(sec, usec);
  server.set_write_timeout(sec, usec);
  // Waiting for a request's first byte is bounded by the keep-alive timeout, in
  // whole seconds in this cpp-httplib version.
  server.set_keep_alive_timeout(static_cast<time_t>(std::ceil(o.timeout_seconds)));
  server.set_keep_alive_max_count(1);  // one request per connection
  server.set_payload_max_length(64 << 10);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a
  // second process bind the same port and receive half of the requests.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    fcntl(sock, F_SETFD, FD_CLOEXEC);  // programs that exec must not inherit the port
    State().listen_fd.store(sock);
  });
  const int workers = o.workers;
  server.new_task_queue = [workers] { return new ExcludedTaskQueue(workers); };
  server.set_pre_routing_handler(Route);
}

}  // namespace
}  // namespace tracelane::internal

namespace tracelane {

absl::Status StartEndpoint(const std::string& address, const EndpointOptions& options) {
  using internal::EndpointState;
  absl::StatusOr<internal::HostPort> hp = internal::ParseHostPort(address);
  if (!hp.ok()) return hp.status();
  if (!internal::IsLoopbackHost(hp->host) && options.token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing to serve traces on non-loopback address ", address,
        " without a token: set EndpointOptions::token (TRACELANE_ENDPOINT_TOKEN) so requests "
        "must carry 'Authorization: Bearer <token>', or listen on 127.0.0.1"));
  }
  if (absl::Status s = internal::ValidateOptions(options); !s.ok()) return s;
  internal::InstallCaptureSnapshotHook();
  EndpointState& s = internal::State();
  absl::MutexLock lock(&s.mu);
  static const bool atfork = [] {
    pthread_atfork(nullptr, nullptr, &internal::AfterForkInChild);
    return true;
  }();
  (void)atfork;
  if (s.server != nullptr && s.forked.load()) {
    // Left over from before a fork: its threads do not exist here and its socket
    // is closed. Forget it (leaked) without touching either.
    (void)s.listener.release();
    (void)s.server.release();
    s.forked.store(false);
  } else if (s.server != nullptr && !s.running.load()) {
    // The listener ended on its own (socket error): clean up.
    if (s.listener != nullptr && s.listener->joinable()) s.listener->join();
    s.listener.reset();
    s.server.reset();
  }
  if (s.server != nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("tracelane endpoint already serving on ", s.address, "; StopEndpoint() first"));
  }
  s.options = options;
  s.stopping.store(false);
  // httplib's Server constructor sets SIGPIPE to SIG_IGN for the whole process;
  // the traced program's disposition is its own business, so put it back. Our
  // threads block SIGPIPE instead (BlockSigpipe), which is all they need.
  struct sigaction sigpipe {};
  sigaction(SIGPIPE, nullptr, &sigpipe);
  auto server = std::make_unique<httplib::Server>();
  sigaction(SIGPIPE, &sigpipe, nullptr);
  internal::ConfigureServer(*server, options);
  int port = hp->port;
  errno = 0;
  if (port == 0) {
    port = server->bind_to_any_port(hp->host);
  } else if (!server->bind_to_port(hp->host, port)) {
    port = -1;
  }
  if (port < 0) {
    const int err = errno;
    s.listen_fd.store(-1);
    return absl::UnavailableError(absl::StrCat("tracelane endpoint: cannot listen on ", address,
                                               err ? absl::StrCat(" (", std::strerror(err), ")") : "",
                                               "; is the port in use?"));
  }
  s.address = internal::FormatHostPort(hp->host, port);
  httplib::Server* raw = server.get();
  s.server = std::move(server);
  s.running.store(true);
  s.listener = std::make_unique<std::thread>([raw] {
    internal::ExcludeCurrentThread();
    internal::BlockSigpipe();
    pthread_setname_np(pthread_self(), "tracelane-listen");
    raw->listen_after_bind();
    internal::State().running.store(false);
  });
  // httplib's stop() does nothing until the listener has entered its accept loop,
  // so a StopEndpoint() right after this call could otherwise leave it running.
  for (int i = 0; i < 5000 && !raw->is_running() && s.running.load(); ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  return absl::OkStatus();
}

void StopEndpoint() {
  internal::EndpointState& s = internal::State();
  absl::MutexLock lock(&s.mu);
  if (s.server == nullptr) return;
  if (s.forked.load()) {  // forked child: nothing of ours runs here; leak it
    (void)s.listener.release();
    (void)s.server.release();
    s.forked.store(false);
    s.address.clear();
    return;
  }
  s.stopping.store(true);
  // stop() closes the socket; the listener then drains and joins the workers.
  // httplib's stop() is a no-op while it believes the server is not running, so
  // also shut the socket down ourselves (which wakes a blocked accept) and retry
  // until the listener has really left.
  s.server->stop();
  for (int i = 0; s.running.load(); ++i) {
    absl::SleepFor(absl::Milliseconds(1));
    if (i % 100 == 99) {
      std::fprintf(stderr, "tracelane: endpoint listener slow to stop; retrying\n");
      s.server->stop();
      const int fd = s.listen_fd.load();
      if (fd >= 0) shutdown(fd, SHUT_RDWR);
    }
  }
  if (s.listener != nullptr && s.listener->joinable()) s.listener->join();
  s.listener.reset();
  s.server.reset();
  s.listen_fd.store(-1);
  s.running.store(false);
  s.stopping.store(false);
  s.address.clear();
}

std::string EndpointAddress() {
  internal::EndpointState& s = internal::State();
  absl::MutexLock lock(&s.mu);
  return s.server != nullptr && s.running.load() ? s.address : "";
}

}  // namespace tracelane
