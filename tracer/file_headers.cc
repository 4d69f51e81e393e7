#include "tracer/file_headers.h"

#include <unistd.h>
#include <zlib.h>

#include <cstring>

namespace tracelane::internal {

format::FileHeader MakeFileHeader(const Calibration& cal, int64_t capture_start_ns,
                                  int64_t capture_end_ns) {
  format::FileHeader h{};
  std::memcpy(h.magic, format::kFileMagic, sizeof(h.magic));
  h.version = format::kFormatVersion;
  h.header_size = sizeof(h);
  h.realtime_anchor_ns = cal.realtime0_ns;
  h.monotonic_anchor_ns = cal.mono0_ns;
  h.tsc_hz = cal.Hz();
  h.clock_source = static_cast<uint32_t>(cal.tsc ? format::ClockSource::kTsc
                                                 : format::ClockSource::kClockMonotonic);
  h.pid = static_cast<uint32_t>(getpid());
  h.capture_start_ns = capture_start_ns;
  h.capture_end_ns = capture_end_ns;
  h.header_crc32 = crc32(0, reinterpret_cast<const Bytef*>(&h), 68);
  return h;
}

format::BlockHeader MakeBlockHeader(format::BlockType type, uint16_t flags, uint32_t stored_size,
                                    uint32_t raw_size, uint32_t payload_crc32) {
  format::BlockHeader h{};
  h.magic = format::kBlockMagic;
  h.type = static_cast<uint16_t>(type);
  h.flags = flags;
  h.stored_size = stored_size;
  h.raw_size = raw_size;
  h.payload_crc32 = payload_crc32;
  h.header_crc32 = crc32(0, reinterpret_cast<const Bytef*>(&h), 20);
  return h;
}

}  // namespace tracelane::internal
