#include "viewer/lib/capture_client.h"

#include <httplib.h>
#include <sys/stat.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace tracelane {

struct CaptureClient::State {
  std::mutex mu;
  bool cancelled = false;             // guarded by mu
  httplib::Client* active = nullptr;  // the Fetch in progress; guarded by mu
};

namespace {

std::string ExplainNetworkError(httplib::Error err, const std::string& where, double timeout,
                                double read_timeout) {
  switch (err) {
    case httplib::Error::Connection:
      return absl::StrCat("cannot connect to ", where,
                          ": connection refused or unreachable (is the program running with "
                          "TRACELANE_ENDPOINT=",
                          where, "?)");
    case httplib::Error::ConnectionTimeout:
      return absl::StrCat("timed out connecting to ", where, " after ", timeout, " s");
    case httplib::Error::Read:
      return absl::StrCat("no complete answer from ", where, " within ", read_timeout,
                          " s (timed out or the connection was closed)");
    case httplib::Error::Write:
      return absl::StrCat("sending the request to ", where, " failed (connection closed)");
    case httplib::Error::Canceled:
      return "cancelled";
    default:
      return absl::StrCat("request to ", where, " failed: ", httplib::to_string(err));
  }
}

absl::StatusCode NetworkCode(httplib::Error err) {
  switch (err) {
    case httplib::Error::ConnectionTimeout:
    case httplib::Error::Read:
      return absl::StatusCode::kDeadlineExceeded;
    case httplib::Error::Canceled:
      return absl::StatusCode::kCancelled;
    default:
      return absl::StatusCode::kUnavailable;
  }
}

absl::StatusCode HttpCode(int status) {
  switch (status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAborted;
    case 503:
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kUnknown;
  }
}

// Sets a cpp-httplib timeout from seconds with a fraction.
template <typename Set>
void SetTimeout(double s, Set set) {
  set(static_cast<time_t>(s), static_cast<time_t>((s - std::floor(s)) * 1e6));
}

}  // namespace

std::string CaptureTarget::ToString() const {
  return host.find(':') != std::string::npos ? absl::StrCat("[", host, "]:", port)
                                             : absl::StrCat(host, ":", port);
}

absl::StatusOr<CaptureTarget> ParseCaptureTarget(const std::string& arg) {
  absl::string_view view = absl::StripAsciiWhitespace(arg);
  absl::ConsumePrefix(&view, "http://");
  std::string text(view);
  if (const size_t slash = text.find('/'); slash != std::string::npos) text.resize(slash);
  CaptureTarget t;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return absl::InvalidArgumentError(
          absl::StrCat("bad address '", text, "' (expected [V6]:PORT)"));
    }
    t.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad address '", text, "' (expected HOST:PORT, e.g. 127.0.0.1:6060)"));
    }
    t.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (!absl::SimpleAtoi(port, &t.port) || t.port <= 0 || t.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port '", port, "' in '", text, "'"));
  }
  return t;
}

std::string CaptureQuery(const CaptureRequest& r) {
  return absl::StrFormat("%s=%g", r.last ? "last" : "seconds", r.seconds);
}

CaptureClient::CaptureClient() : state_(std::make_shared<State>()) {}
CaptureClient::~CaptureClient() = default;

void CaptureClient::Cancel() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->cancelled = true;
  if (state_->active != nullptr) state_->active->stop();
}

absl::StatusOr<std::string> CaptureClient::Fetch(const CaptureRequest& request,
                                                 const CaptureBytesFn& on_bytes) {
  absl::StatusOr<CaptureTarget> target = ParseCaptureTarget(request.address);
  if (!target.ok()) return target.status();
  if (!std::isfinite(request.seconds) || request.seconds <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(request.seconds, " s: expected a number of seconds above 0"));
  }
  const double timeout = request.timeout_seconds > 0 ? request.timeout_seconds : 10;
  const std::string where = target->ToString();
  std::signal(SIGPIPE, SIG_IGN);  // a server hanging up is reported, not fatal

  httplib::Client client(target->host, target->port);
  SetTimeout(timeout, [&](time_t a, time_t b) { client.set_connection_timeout(a, b); });
  // The server answers only when the capture is done: allow the window on top.
  const double read_timeout = (request.last ? 0 : request.seconds) + timeout;
  SetTimeout(read_timeout, [&](time_t a, time_t b) { client.set_read_timeout(a, b); });
  SetTimeout(timeout, [&](time_t a, time_t b) { client.set_write_timeout(a, b); });
  httplib::Headers headers;
  if (!request.token.empty()) {
    headers.emplace("Authorization", absl::StrCat("Bearer ", request.token));
  }
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->cancelled) return absl::CancelledError("capture cancelled");
    state_->active = &client;
  }
  const std::string path = absl::StrCat("/debug/tracelane/trace?", CaptureQuery(request));
  httplib::Result res = client.Get(path, headers, [&](uint64_t current, uint64_t total) {
    if (on_bytes) on_bytes(current, total);
    std::lock_guard<std::mutex> lock(state_->mu);
    return !state_->cancelled;
  });
  bool cancelled;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->active = nullptr;
    cancelled = state_->cancelled;
  }
  if (cancelled) return absl::CancelledError("capture cancelled");
  if (!res) {
    return absl::Status(NetworkCode(res.error()),
                        ExplainNetworkError(res.error(), where, timeout, read_timeout));
  }
  if (res->status != 200) {
    std::string body = res->body;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    if (body.size() > 500) body = body.substr(0, 500) + "...";
    return absl::Status(HttpCode(res->status), absl::StrCat(where, " answered ", res->status, ": ",
                                                            body.empty() ? res->reason : body));
  }
  return std::move(res->body);
}

std::string DefaultCaptureFileName(const CaptureTarget& t) {
  std::string host = t.host;
  for (char& c : host) {
    if (c == ':') c = '_';
  }
  return absl::StrCat("capture-", host, "-", t.port, "-",
                      absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()), ".tlt");
}

absl::Status WriteTraceFile(const std::string& path, const std::string& bytes) {
  struct stat st;
  const bool special = stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
  const std::string tmp = special ? path : path + ".part";
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f || (!special && std::rename(tmp.c_str(), path.c_str()) != 0)) {
    if (!special) std::remove(tmp.c_str());
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot write the trace"));
  }
  return absl::OkStatus();
}

}  // namespace tracelane
