// Builds .tlt files byte by byte from docs/FORMAT.md, independently of the writer
// in tracer/, so tests can craft valid, unusual and hostile files for the reader.
#ifndef TRACELANE_TESTS_CORE_TLT_BUILDER_H_
#define TRACELANE_TESTS_CORE_TLT_BUILDER_H_

#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace tracelane::testing {

// Little-endian fixed-width values, LEB128 varints and zigzag, appended to a string.
class Bytes {
 public:
  Bytes& U8(uint8_t v) {
    s_.push_back(static_cast<char>(v));
    return *this;
  }
  Bytes& U16(uint16_t v) { return Le(v, 2); }
  Bytes& U32(uint32_t v) { return Le(v, 4); }
  Bytes& U64(uint64_t v) { return Le(v, 8); }
  Bytes& I64(int64_t v) { return Le(static_cast<uint64_t>(v), 8); }
  Bytes& F64(double v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return Le(b, 8);
  }
  // Unsigned LEB128: 7 bits per byte, low group first, high bit = "more follows".
  Bytes& Var(uint64_t v) {
    while (v >= 0x80) {
      U8(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    return U8(static_cast<uint8_t>(v));
  }
  // Zigzag: 0, -1, 1, -2, 2 ... -> 0, 1, 2, 3, 4 ..., then LEB128.
  Bytes& Zig(int64_t v) {
    const uint64_t u = static_cast<uint64_t>(v);
    return Var(v < 0 ? ~(u << 1) : (u << 1));
  }
  Bytes& Str(const std::string& v) {
    Var(v.size());
    s_ += v;
    return *this;
  }
  Bytes& Raw(const std::string& v) {
    s_ += v;
    return *this;
  }
  const std::string& str() const { return s_; }
  size_t size() const { return s_.size(); }

 private:
  Bytes& Le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    return *this;
  }
  std::string s_;
};

inline uint32_t Crc(const std::string& s, size_t n) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(s.data()), n));
}

struct HeaderFields {
  uint32_t version = 1;
  int64_t realtime_anchor_ns = 1700000000000000000;
  int64_t monotonic_anchor_ns = 1000;
  double tsc_hz = 1e9;
  uint32_t clock_source = 2;  // kClockMonotonic
  uint32_t pid = 4242;
  int64_t capture_start_ns = 1000;
  int64_t capture_end_ns = 9000;
};

// The 72-byte file header with its crc32 over bytes [0, 68).
inline std::string FileHeader(const HeaderFields& f = {}) {
  Bytes b;
  b.Raw(std::string("TLTRACE\0", 8)).U32(f.version).U32(72);
  b.I64(f.realtime_anchor_ns).I64(f.monotonic_anchor_ns).F64(f.tsc_hz);
  b.U32(f.clock_source).U32(f.pid).I64(f.capture_start_ns).I64(f.capture_end_ns).U32(0);
  std::string s = b.str();
  Bytes crc;
  crc.U32(Crc(s, 68));
  return s + crc.str();
}

// One block: 24-byte header (crc32 of bytes [0, 20)) + payload, stored as given
// or as one zstd frame.
inline std::string Block(uint16_t type, const std::string& raw, bool zstd = false,
                         int64_t raw_size_override = -1) {
  std::string stored = raw;
  uint16_t flags = 0;
  if (zstd) {
    stored.resize(ZSTD_compressBound(raw.size()));
    stored.resize(ZSTD_compress(stored.data(), stored.size(), raw.data(), raw.size(), 1));
    flags = 1;
  }
  Bytes h;
  h.U32(0x4B424C54).U16(type).U16(flags).U32(static_cast<uint32_t>(stored.size()));
  h.U32(raw_size_override >= 0 ? static_cast<uint32_t>(raw_size_override)
                               : static_cast<uint32_t>(raw.size()));
  h.U32(Crc(stored, stored.size()));
  std::string head = h.str();
  Bytes crc;
  crc.U32(Crc(head, 20));
  return head + crc.str() + stored;
}

// Footer payload: five fixed fields.
inline std::string FooterPayload(int64_t blocks, int64_t events, int64_t dropped, int64_t lost,
                                 uint32_t threads) {
  return Bytes().I64(blocks).I64(events).I64(dropped).I64(lost).U32(threads).str();
}

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_CORE_TLT_BUILDER_H_
