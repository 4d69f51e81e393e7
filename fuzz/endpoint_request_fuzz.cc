// Fuzz target endpoint_request: the capture endpoint's request handling
// (tracer/capture/endpoint_request.h) on an HTTP request read from the input:
// "METHOD TARGET HTTP/1.1\r\n" then "Name: value\r\n" header lines. Every plan is
// checked against the endpoint's promises; nothing is captured or served.
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_targets.h"
#include "tracer/capture/endpoint_request.h"
#include "tracer/capture/endpoint_util.h"

namespace tracelane::fuzz {
namespace {

using internal::EndpointPlan;

constexpr char kToken[] = "s3cret";

internal::EndpointRequest ParseRequest(absl::string_view data) {
  internal::EndpointRequest r;
  bool first = true;
  for (absl::string_view line : absl::StrSplit(data, '\n')) {
    line = absl::StripSuffix(line, "\r");
    if (first) {
      first = false;
      const std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits(' ', 2));
      r.method = std::string(parts[0]);
      if (parts.size() > 1) r.target = std::string(parts[1]);
      continue;
    }
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    r.headers.emplace_back(std::string(line.substr(0, colon)),
                           std::string(absl::StripLeadingAsciiWhitespace(line.substr(colon + 1))));
  }
  return r;
}

bool HasRightToken(const internal::EndpointRequest& r) {
  for (const auto& [k, v] : r.headers) {
    if (absl::EqualsIgnoreCase(k, "authorization")) return v == std::string("Bearer ") + kToken;
  }
  return false;
}

void CheckPlan(const internal::EndpointRequest& r, const internal::EndpointPolicy& policy,
               const EndpointPlan& p) {
  if (!policy.token.empty() && !HasRightToken(r)) {
    FUZZ_CHECK(p.action == EndpointPlan::Action::kRespond && p.status == 401,
               "request without the right token got status %d action %d", p.status,
               static_cast<int>(p.action));
  }
  switch (p.action) {
    case EndpointPlan::Action::kCapture:
      FUZZ_CHECK(p.query.seconds > 0 && p.query.seconds <= policy.max_seconds,
                 "capture of %g s (max %g)", p.query.seconds, policy.max_seconds);
      FUZZ_CHECK(r.method == "GET" || r.method == "HEAD", "capture for method %s",
                 r.method.c_str());
      break;
    case EndpointPlan::Action::kIndex:
      break;
    case EndpointPlan::Action::kRespond:
      if (p.status >= 400) {
        FUZZ_CHECK(absl::StartsWith(p.body, "tracelane endpoint: "), "error body '%s'",
                   p.body.c_str());
      }
      FUZZ_CHECK(p.status == 302 || p.status == 400 || p.status == 401 || p.status == 404 ||
                     p.status == 405,
                 "status %d", p.status);
      for (const auto& [k, v] : p.headers) {
        FUZZ_CHECK(k.find_first_of("\r\n") == std::string::npos &&
                       v.find_first_of("\r\n") == std::string::npos,
                   "header with a line break");
      }
      break;
  }
}

}  // namespace

FuzzOutcome FuzzEndpointRequest(std::string_view data) {
  const internal::EndpointRequest r = ParseRequest(absl::string_view(data.data(), data.size()));
  FuzzOutcome out;
  for (const char* token : {"", kToken}) {
    internal::EndpointPolicy policy;
    policy.token = token;
    policy.max_seconds = 60;
    const EndpointPlan p = internal::PlanEndpointRequest(r, policy);
    CheckPlan(r, policy, p);
    if (policy.token.empty()) {
      out.accepted = p.action != EndpointPlan::Action::kRespond || p.status < 400;
      if (!out.accepted) out.error = p.body;
    }
  }
  // The listen address parser, on the same bytes (TRACELANE_ENDPOINT's value).
  const std::string address = r.target;
  absl::StatusOr<internal::HostPort> hp = internal::ParseHostPort(address);
  if (hp.ok()) {
    FUZZ_CHECK(hp->port >= 0 && hp->port <= 65535, "port %d", hp->port);
    (void)internal::IsLoopbackHost(hp->host);
    const std::string again = internal::FormatHostPort(hp->host, hp->port);
    absl::StatusOr<internal::HostPort> round = internal::ParseHostPort(again);
    FUZZ_CHECK(round.ok() && round->host == hp->host && round->port == hp->port,
               "'%s' -> '%s' does not parse back", address.c_str(), again.c_str());
  }
  return out;
}

}  // namespace tracelane::fuzz
