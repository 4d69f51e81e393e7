// The endpoint's HTML index page (GET /debug/tracelane/).
#ifndef TRACELANE_TRACER_CAPTURE_INDEX_PAGE_H_
#define TRACELANE_TRACER_CAPTURE_INDEX_PAGE_H_

#include <cstdint>
#include <string>

#include "tracelane/capture.h"

namespace tracelane::internal {

struct IndexPageData {
  std::string process_name;
  int pid = 0;
  std::string address;          // where the endpoint listens
  FlightRecorderStatus recorder;
  bool capture_running = false;  // an endpoint capture is in progress
  uint64_t captures_served = 0;
  std::string last_capture;      // one line describing the last capture, or ""
  double max_seconds = 60;
  uint64_t signal_captures = 0;
};

// A small self-contained HTML page: status, buffer use, drops, capture links.
std::string RenderIndexPage(const IndexPageData& d);

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_CAPTURE_INDEX_PAGE_H_
