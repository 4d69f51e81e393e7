// Parsing for the HTTP endpoint: listen addresses and trace query parameters.
// Pure functions, unit-tested without a server.
#ifndef TRACELANE_TRACER_CAPTURE_ENDPOINT_UTIL_H_
#define TRACELANE_TRACER_CAPTURE_ENDPOINT_UTIL_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "tracelane/capture.h"

namespace tracelane::internal {

struct HostPort {
  std::string host;  // without IPv6 brackets
  int port = 0;
};

// Parses "HOST:PORT" or "[V6]:PORT" (port 0..65535). Errors say what was expected.
absl::StatusOr<HostPort> ParseHostPort(const std::string& address);

// "HOST:PORT", bracketing IPv6 literals.
std::string FormatHostPort(const std::string& host, int port);

// True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost". Other names are
// treated as non-loopback (they may resolve anywhere).
bool IsLoopbackHost(const std::string& host);

// A validated /debug/tracelane/trace request.
struct TraceQuery {
  CaptureMode mode = CaptureMode::kNext;
  double seconds = 5;
};

// Validates the query: exactly one of seconds= / last= (neither: next 5 s), each
// a decimal number in (0, max_seconds], given once. `*_count` is how many times
// the parameter appeared. Errors are InvalidArgument with a message for the client.
absl::StatusOr<TraceQuery> ParseTraceQuery(const std::optional<std::string>& seconds,
                                           size_t seconds_count,
                                           const std::optional<std::string>& last,
                                           size_t last_count, double max_seconds);

// Constant-time comparison of an Authorization header against "Bearer <token>".
bool BearerTokenMatches(const std::string& header, const std::string& token);

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_CAPTURE_ENDPOINT_UTIL_H_
