// tracelane/endpoint.h: the loopback HTTP endpoint for captures on demand.
//
//   tracelane::StartEndpoint("127.0.0.1:6060");      // or TRACELANE_ENDPOINT=127.0.0.1:6060
//   $ tracelane capture 127.0.0.1:6060 --seconds 5 -o spike.tlt
//   $ curl -o last.tlt 'http://127.0.0.1:6060/debug/tracelane/trace?last=5'
//
// Routes (docs/CAPTURE.md has the full table of statuses):
//   GET /debug/tracelane/                 HTML index: status, buffer use, drops, links
//   GET /debug/tracelane/trace?seconds=N  the next N seconds (a kNext capture)
//   GET /debug/tracelane/trace?last=N     the flight recorder's last N seconds
// N is a decimal number in (0, 60]; non-numeric, 0, over 60, or both parameters
// give 400 with a message; a capture while another endpoint capture runs gives
// 409; unknown paths 404; with a token, requests lacking
// "Authorization: Bearer <token>" give 401.
//
// The server is cpp-httplib; its listener and worker threads are excluded from
// traces. Every connection has read/write/keep-alive timeouts, so slow or
// half-open clients hold a worker for at most the timeout and never affect the
// traced program's threads.
#ifndef TRACELANE_ENDPOINT_H_
#define TRACELANE_ENDPOINT_H_

#include <string>

#include "absl/status/status.h"

namespace tracelane {

struct EndpointOptions {
  // Required for any address that is not loopback (127.0.0.0/8, ::1, localhost);
  // when set, every request must carry "Authorization: Bearer <token>".
  // TRACELANE_ENDPOINT_TOKEN supplies it for TRACELANE_ENDPOINT.
  std::string token;
  // Per-connection read, write and keep-alive timeout, in seconds (>= 0.1).
  double timeout_seconds = 5;
  // Worker threads serving connections (>= 2). A next-N capture occupies one for
  // its duration; idle or slow clients occupy one each for up to the timeout.
  int workers = 4;
  // Largest N accepted for ?seconds= and ?last= (at most 3600).
  double max_seconds = 60;
  // In a child of fork(), serve on this address (same rules and options; port 0
  // picks a free port, since the parent keeps its own: EndpointAddress() in the
  // child tells which). Empty (the default): the child has no endpoint until it
  // calls StartEndpoint. The restart runs inside fork() in the child, before
  // fork returns there (one bind and workers + 1 thread starts).
  // TRACELANE_ENDPOINT_CHILD supplies it for TRACELANE_ENDPOINT.
  std::string child_address;
};

// Starts serving on `address` ("HOST:PORT"; "[::1]:PORT" for IPv6; port 0 picks a
// free port, see EndpointAddress). Refuses (InvalidArgument) a non-loopback HOST
// without a token and (FailedPrecondition) a second endpoint; Unavailable if the
// address cannot be bound. Starts workers + 1 threads. Returns once listening.
absl::Status StartEndpoint(const std::string& address, const EndpointOptions& options = {});

// Stops the endpoint: closes the listening socket, cancels a running next-N
// capture (its client gets 503) and joins the threads. Waits at most about one
// timeout for busy connections. Idempotent.
void StopEndpoint();

// "HOST:PORT" the endpoint listens on (with the real port when 0 was asked for),
// or "" when it is not running.
std::string EndpointAddress();

}  // namespace tracelane

#endif  // TRACELANE_ENDPOINT_H_
