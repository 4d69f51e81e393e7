// Builds the .tlt file and block headers (docs/FORMAT.md), checksums included.
// Pure computation (memcpy, zlib crc32): async-signal-safe, so the crash writer
// uses them too.
#ifndef TRACELANE_TRACER_FILE_HEADERS_H_
#define TRACELANE_TRACER_FILE_HEADERS_H_

#include <cstdint>

#include "tracelane/format.h"
#include "tracelane/internal/clock.h"

namespace tracelane::internal {

// The file header for a trace recorded with `cal`, covering
// [capture_start_ns, capture_end_ns] of CLOCK_MONOTONIC. Calls getpid().
format::FileHeader MakeFileHeader(const Calibration& cal, int64_t capture_start_ns,
                                  int64_t capture_end_ns);

// The header of a block whose stored payload is `stored_size` bytes with zlib
// crc32 `payload_crc32` (`raw_size` after decompression when flags has zstd).
format::BlockHeader MakeBlockHeader(format::BlockType type, uint16_t flags, uint32_t stored_size,
                                    uint32_t raw_size, uint32_t payload_crc32);

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_FILE_HEADERS_H_
