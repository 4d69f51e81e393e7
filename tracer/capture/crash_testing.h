// Test hooks for crash capture. Not part of the public API.
#ifndef TRACELANE_TRACER_CAPTURE_CRASH_TESTING_H_
#define TRACELANE_TRACER_CAPTURE_CRASH_TESTING_H_

#include <cstdint>

namespace tracelane::internal {

// Makes the crash write stop once the file reaches `bytes`, as a full disk would
// (0 = no limit). Call after EnableCrashCapture.
void SetCrashWriteByteLimitForTesting(uint64_t bytes);

// Alternate signal stacks crash capture has installed on threads and not yet
// freed (one per live traced thread that registered while it was enabled).
int64_t CrashAltStacksLiveForTesting();

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_CAPTURE_CRASH_TESTING_H_
