// RepairChecksums (fuzz_targets.h): makes a fuzz build's input, found with the
// checksums skipped, reach the same decoders in a normal build.
#include <zlib.h>

#include <cstring>
#include <string>
#include <string_view>

#include "fuzz/fuzz_targets.h"
#include "tracelane/format.h"

namespace tracelane::fuzz {

std::string RepairChecksums(std::string_view data) {
  std::string out(data);
  const auto crc = [&](size_t offset, size_t n) {
    return static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(out.data() + offset), static_cast<uInt>(n)));
  };
  if (out.size() < sizeof(format::FileHeader)) return out;
  const uint32_t header_crc = crc(0, 68);
  std::memcpy(out.data() + 68, &header_crc, 4);
  size_t o = sizeof(format::FileHeader);
  while (o + sizeof(format::BlockHeader) <= out.size()) {
    format::BlockHeader h;
    std::memcpy(&h, out.data() + o, sizeof(h));
    const size_t payload = o + sizeof(h);
    if (h.stored_size <= out.size() - payload) h.payload_crc32 = crc(payload, h.stored_size);
    std::memcpy(out.data() + o, &h, sizeof(h));
    h.header_crc32 = crc(o, 20);
    std::memcpy(out.data() + o, &h, sizeof(h));
    if (h.stored_size > out.size() - payload) break;
    o = payload + h.stored_size;
  }
  return out;
}

}  // namespace tracelane::fuzz
