// tracelane/capture.h: writing buffered events to a .tlt trace file.
#ifndef TRACELANE_CAPTURE_H_
#define TRACELANE_CAPTURE_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace tracelane {

// Writes everything currently buffered (all threads, live and exited) as a .tlt
// trace to `path`. The recording threads keep running and are never blocked; a
// chunk overwritten while it is being copied is counted as overwritten, not lost
// silently. Cost: one copy of the buffered events plus zstd compression
// (~100-200 MB/s of events); allocates the copy.
absl::Status WriteTrace(const std::string& path);

// As above, to a stream opened in binary mode.
absl::Status WriteTrace(std::ostream& out);

}  // namespace tracelane

#endif  // TRACELANE_CAPTURE_H_
