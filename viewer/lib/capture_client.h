// The client of a program's capture endpoint (tracelane/endpoint.h): one GET of
// /debug/tracelane/trace?seconds=N or ?last=N over loopback HTTP, with progress,
// cancellation from another thread and errors a user can act on. Used by
// `tracelane capture` and by the viewer's Capture dialog, so both say the same
// thing about a refused connection, a 4xx or a timeout.
//
//   CaptureClient client;
//   CaptureRequest r;
//   r.address = "127.0.0.1:6060";
//   r.seconds = 5;                                    // the next 5 s
//   absl::StatusOr<std::string> bytes = client.Fetch(r, on_bytes);
//   // elsewhere: client.Cancel();
#ifndef TRACELANE_VIEWER_LIB_CAPTURE_CLIENT_H_
#define TRACELANE_VIEWER_LIB_CAPTURE_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tracelane {

// Where an endpoint listens.
struct CaptureTarget {
  std::string host;
  int port = 0;
  std::string ToString() const;  // "HOST:PORT" ("[::1]:PORT" for IPv6 hosts)
};

// Parses "HOST:PORT", "[V6]:PORT" or "http://HOST:PORT/..." (the path is
// ignored). InvalidArgument naming the text otherwise ("expected HOST:PORT, e.g.
// 127.0.0.1:6060"). O(text).
absl::StatusOr<CaptureTarget> ParseCaptureTarget(const std::string& text);

struct CaptureRequest {
  std::string address;  // as ParseCaptureTarget takes it
  bool last = false;    // false: record the next `seconds`; true: the last `seconds`
  double seconds = 5;   // (0, the endpoint's maximum]; the server checks the maximum
  std::string token;    // bearer token; empty: none sent
  // Connect and write timeout, and idle read timeout on top of the recording
  // window (the server answers only when a next-N capture is done).
  double timeout_seconds = 10;
};

// "seconds=5" / "last=2.5" as the query sends it (shortest decimal form). O(1).
std::string CaptureQuery(const CaptureRequest& r);

// Called while the answer arrives: bytes received so far and the total (0 when
// the server did not say). Runs on the fetching thread.
using CaptureBytesFn = std::function<void(uint64_t received, uint64_t total)>;

// One capture client; Fetch on one thread, Cancel from any.
class CaptureClient {
 public:
  CaptureClient();
  ~CaptureClient();
  CaptureClient(const CaptureClient&) = delete;
  CaptureClient& operator=(const CaptureClient&) = delete;

  // Fetches the trace bytes (not checked: callers read them back). Blocks for
  // about the recording window plus the transfer. Errors:
  //   InvalidArgument   bad address or seconds
  //   Unavailable       "cannot connect to H:P: connection refused or unreachable
  //                     (is the program running with TRACELANE_ENDPOINT=H:P?)",
  //                     or the server answered 503
  //   DeadlineExceeded  "timed out connecting to H:P after S s", "no complete
  //                     answer from H:P within S s (timed out or the connection
  //                     was closed)"
  //   Cancelled         Cancel() was called
  //   HTTP answers other than 200: "H:P answered CODE: <server's message>" with
  //   code 400 InvalidArgument, 401 Unauthenticated, 403 PermissionDenied,
  //   404 NotFound, 409 Aborted, 503 Unavailable, else Unknown.
  // `on_bytes` may be empty.
  absl::StatusOr<std::string> Fetch(const CaptureRequest& request,
                                    const CaptureBytesFn& on_bytes = {});

  // Makes a running (or the next) Fetch return Cancelled soon: closes its
  // connection, also while the server is still recording. Thread-safe; O(1).
  void Cancel();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// "capture-<host>-<port>-<UTC time>.tlt", the default file name. O(1).
std::string DefaultCaptureFileName(const CaptureTarget& t);

// Writes trace bytes to `path` through `path.part` renamed into place, so `path`
// never holds a partial trace (special files such as /dev/stdout are written
// directly). PermissionDenied "<path>: cannot write the trace" on failure.
// O(bytes).
absl::Status WriteTraceFile(const std::string& path, const std::string& bytes);

}  // namespace tracelane

#endif  // TRACELANE_VIEWER_LIB_CAPTURE_CLIENT_H_
