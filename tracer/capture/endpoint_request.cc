#include "tracer/capture/endpoint_request.h"

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace tracelane::internal {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(absl::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2])));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

EndpointPlan Respond(int status, absl::string_view message) {
  EndpointPlan p;
  p.action = EndpointPlan::Action::kRespond;
  p.status = status;
  p.body = absl::StrCat("tracelane endpoint: ", message, "\n");
  return p;
}

// The first header named `name` (case-insensitive), if any.
const std::string* Header(const EndpointRequest& r, absl::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (absl::EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

}  // namespace

std::string DecodePath(absl::string_view target) {
  return PercentDecode(target.substr(0, target.find('?')), /*plus_is_space=*/false);
}

std::vector<std::pair<std::string, std::string>> DecodeQuery(absl::string_view target) {
  std::vector<std::pair<std::string, std::string>> params;
  const size_t q = target.find('?');
  if (q == absl::string_view::npos) return params;
  absl::string_view rest = target.substr(q + 1);
  while (true) {
    const size_t amp = rest.find('&');
    const absl::string_view item = rest.substr(0, amp);
    if (!item.empty()) {
      const size_t eq = item.find('=');
      std::string key = PercentDecode(item.substr(0, eq), true);
      std::string value =
          eq == absl::string_view::npos ? "" : PercentDecode(item.substr(eq + 1), true);
      params.emplace_back(std::move(key), std::move(value));
    }
    if (amp == absl::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return params;
}

EndpointPlan PlanEndpointRequest(const EndpointRequest& request, const EndpointPolicy& policy) {
  if (!policy.token.empty()) {
    const std::string* auth = Header(request, "Authorization");
    if (auth == nullptr || !BearerTokenMatches(*auth, policy.token)) {
      EndpointPlan p = Respond(
          401, auth != nullptr ? "wrong token" : "missing 'Authorization: Bearer <token>' header");
      p.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tracelane\"");
      return p;
    }
  }
  const std::string path = DecodePath(request.target);
  const bool known =
      path == kEndpointIndexPath || path == kEndpointTracePath || path == "/debug/tracelane";
  if (!known)
    return Respond(404, absl::StrCat("no such path '", path, "'; see ", kEndpointIndexPath));
  if (request.method != "GET" && request.method != "HEAD") {
    EndpointPlan p = Respond(405, absl::StrCat("use GET, not ", request.method));
    p.headers.emplace_back("Allow", "GET, HEAD");
    return p;
  }
  if (path == "/debug/tracelane") {
    EndpointPlan p;
    p.status = 302;
    p.headers.emplace_back("Location", kEndpointIndexPath);
    return p;
  }
  if (path == kEndpointIndexPath) {
    EndpointPlan p;
    p.action = EndpointPlan::Action::kIndex;
    return p;
  }
  std::optional<std::string> seconds, last;
  size_t seconds_count = 0, last_count = 0;
  for (auto& [k, v] : DecodeQuery(request.target)) {
    if (k == "seconds") {
      if (seconds_count++ == 0) seconds = std::move(v);
    } else if (k == "last") {
      if (last_count++ == 0) last = std::move(v);
    }
  }
  absl::StatusOr<TraceQuery> q =
      ParseTraceQuery(seconds, seconds_count, last, last_count, policy.max_seconds);
  if (!q.ok()) return Respond(400, q.status().message());
  EndpointPlan p;
  p.action = EndpointPlan::Action::kCapture;
  p.query = *q;
  return p;
}

}  // namespace tracelane::internal
