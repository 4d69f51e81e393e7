// What the HTTP endpoint does with one request, decided without a socket: the
// request line's target (path and query string, as sent), the method and the
// headers go in; a plan comes out (an error or redirect to send as is, the index
// page, or a capture with its validated parameters). endpoint.cc only carries the
// plan out, so every check a client can reach is a pure function, unit-tested and
// fuzzed (fuzz/endpoint_request_fuzz.cc) without a server or a capture.
#ifndef TRACELANE_TRACER_CAPTURE_ENDPOINT_REQUEST_H_
#define TRACELANE_TRACER_CAPTURE_ENDPOINT_REQUEST_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "tracer/capture/endpoint_util.h"

namespace tracelane::internal {

inline constexpr char kEndpointIndexPath[] = "/debug/tracelane/";
inline constexpr char kEndpointTracePath[] = "/debug/tracelane/trace";

// One request as the endpoint sees it.
struct EndpointRequest {
  std::string method;  // "GET", "HEAD", ...
  std::string target;  // the request line's target, e.g. "/debug/tracelane/trace?last=5"
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
};

// The endpoint's configuration that requests are checked against.
struct EndpointPolicy {
  std::string token;        // "" = no authentication
  double max_seconds = 60;  // longest capture a request may ask for
};

// What to do with a request.
struct EndpointPlan {
  enum class Action {
    kRespond,  // send `status`, `headers` and `body` (errors, redirects)
    kIndex,    // serve the index page
    kCapture,  // run the capture `query` and send the trace
  };
  Action action = Action::kRespond;
  int status = 200;
  std::string body;                                          // text/plain, for kRespond
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, for kRespond
  TraceQuery query;                                          // for kCapture
};

// Splits a target into its percent-decoded path and query parameters ("a=1&b",
// '+' is a space in parameters; a malformed escape is kept as is). O(target size).
std::string DecodePath(absl::string_view target);
std::vector<std::pair<std::string, std::string>> DecodeQuery(absl::string_view target);

// Decides what to do with `request`, in this order: a token, when configured, must
// come as "Authorization: Bearer <token>" (401 otherwise, the same whatever the
// path, compared in constant time); only GET and HEAD exist (405); the index page,
// "/debug/tracelane" (302 to the index), the trace path with its parameters
// validated by ParseTraceQuery (400 with the reason); anything else 404. Every
// error body starts with "tracelane endpoint: ". Never starts anything itself.
// O(request size); allocates only the plan.
EndpointPlan PlanEndpointRequest(const EndpointRequest& request, const EndpointPolicy& policy);

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_CAPTURE_ENDPOINT_REQUEST_H_
