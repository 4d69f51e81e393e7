#include "tracer/capture/endpoint_util.h"

#include <arpa/inet.h>

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tracelane::internal {

absl::StatusOr<HostPort> ParseHostPort(const std::string& address) {
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "endpoint address '", address, "': ", why, " (expected HOST:PORT, e.g. 127.0.0.1:6060)"));
  };
  HostPort hp;
  std::string port_text;
  if (!address.empty() && address[0] == '[') {
    const size_t close = address.find(']');
    if (close == std::string::npos) return bad("missing ']'");
    hp.host = address.substr(1, close - 1);
    if (close + 1 >= address.size() || address[close + 1] != ':') return bad("missing ':PORT'");
    port_text = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos) return bad("missing ':PORT'");
    hp.host = address.substr(0, colon);
    if (hp.host.find(':') != std::string::npos) return bad("put IPv6 addresses in brackets");
    port_text = address.substr(colon + 1);
  }
  if (hp.host.empty()) return bad("missing HOST");
  // "[[]:0" would be host "[", which FormatHostPort cannot write back (fuzz finding).
  if (hp.host.find_first_of("[]") != std::string::npos) return bad("stray '[' or ']' in HOST");
  int port;
  if (!absl::SimpleAtoi(port_text, &port) || port < 0 || port > 65535) {
    return bad("PORT must be a number in 0..65535");
  }
  hp.port = port;
  return hp;
}

std::string FormatHostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

bool IsLoopbackHost(const std::string& host) {
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) return v6.s6_addr[12] == 127;
  }
  return false;
}

namespace {

absl::StatusOr<double> ParseSeconds(const char* name, const std::string& text, double max_seconds) {
  double v;
  if (!absl::SimpleAtod(text, &v) || !std::isfinite(v)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, "='", text, "' is not a number (use e.g. ", name, "=5)"));
  }
  if (v <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, "=", text, ": must be more than 0 seconds"));
  }
  if (v > max_seconds) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s=%s: at most %g seconds per capture", name, text, max_seconds));
  }
  return v;
}

}  // namespace

absl::StatusOr<TraceQuery> ParseTraceQuery(const std::optional<std::string>& seconds,
                                           size_t seconds_count,
                                           const std::optional<std::string>& last,
                                           size_t last_count, double max_seconds) {
  if (seconds_count > 1 || last_count > 1) {
    return absl::InvalidArgumentError("give seconds= or last= once");
  }
  if (seconds.has_value() && last.has_value()) {
    return absl::InvalidArgumentError(
        "use seconds=N (the next N seconds) or last=N (the last N seconds), not both");
  }
  TraceQuery q;
  if (last.has_value()) {
    absl::StatusOr<double> v = ParseSeconds("last", *last, max_seconds);
    if (!v.ok()) return v.status();
    q.mode = CaptureMode::kLast;
    q.seconds = *v;
  } else if (seconds.has_value()) {
    absl::StatusOr<double> v = ParseSeconds("seconds", *seconds, max_seconds);
    if (!v.ok()) return v.status();
    q.mode = CaptureMode::kNext;
    q.seconds = *v;
  } else {
    q.seconds = std::min(5.0, max_seconds);
  }
  return q;
}

bool BearerTokenMatches(const std::string& header, const std::string& token) {
  const std::string expected = absl::StrCat("Bearer ", token);
  // Compare every byte regardless of where the first difference is.
  unsigned diff = header.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    const char h = i < header.size() ? header[i] : 0;
    diff |= static_cast<unsigned char>(h ^ expected[i]);
  }
  return diff == 0;
}

}  // namespace tracelane::internal
