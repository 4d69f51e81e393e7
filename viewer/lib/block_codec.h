// Pieces of .tlt decoding (docs/FORMAT.md) shared by the full reader
// (trace_reader.cc) and the summary reader (trace_summary.cc): the file header, block
// headers, payload checks and the table and footer blocks. Internal to viewer/lib.
#ifndef TRACELANE_VIEWER_LIB_BLOCK_CODEC_H_
#define TRACELANE_VIEWER_LIB_BLOCK_CODEC_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tracelane/format.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::reader::internal {

// Bounds-checked little-endian / varint decoding of one block payload.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}
  bool U8(uint8_t* v) {
    if (pos_ >= data_.size()) return false;
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  template <typename T>
  bool Fixed(T* v) {
    if (data_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool Var(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b;
      if (!U8(&b)) return false;
      result |= uint64_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool ZigZag(int64_t* v) {
    uint64_t u;
    if (!Var(&u)) return false;
    *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool Str(std::string* s) {
    uint64_t n;
    if (!Var(&n) || n > data_.size() - pos_) return false;
    s->assign(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// The footer block's fields (FORMAT.md section 6.7).
struct Footer {
  int64_t event_blocks = 0;
  int64_t events = 0;
  int64_t dropped = 0;
  int64_t lost = 0;
  uint32_t threads = 0;
};

// True if `crc` is the zlib crc32 of data[0, n). O(n). In builds configured with
// TRACELANE_FUZZ_SKIP_CHECKSUM (fuzzing only, never a product build) every
// checksum matches, so a fuzzer's mutations reach the decoders behind them.
bool ChecksumMatches(const void* data, size_t n, uint32_t crc);

// Checks the first bytes of a file (all of it if shorter than 72 bytes) as a file
// header and copies its fields into `trace`. Returns the fatal errors (truncated
// header, bad magic, unknown version) with `name` and the offset; a checksum
// mismatch is not fatal: it sets `*crc_ok` to false. O(1).
absl::Status DecodeFileHeader(std::string_view bytes, const std::string& name, Trace* trace,
                              bool* crc_ok);

// True if a block header is valid: magic, header checksum and both sizes within
// kMaxBlockPayload. O(1).
bool ValidBlockHeader(const format::BlockHeader& h);

// Checks a block's stored payload against its checksum and, when the block is zstd
// compressed, decompresses it into `*raw` (else copies it). Errors are "block payload
// checksum mismatch" or "block payload does not decompress", without file or offset.
// O(stored + raw_size); never allocates more than raw_size (<= kMaxBlockPayload).
absl::Status UnpackPayload(const format::BlockHeader& h, std::string_view stored, std::string* raw);

// Decodes a properties, strings, locations, threads or objects block into `trace`
// (tables that refer to the string table need it decoded first). Errors describe the
// problem without file or offset ("malformed thread table block"). A file has each
// table once (FORMAT.md section 4): with `seen` (one bit per table type, kept by
// the caller across a file's blocks), a table met again is the error "duplicate
// thread table block" and is not decoded, so a damaged file can never shrink a
// table that earlier event blocks were checked against. O(raw size).
absl::Status DecodeTableBlock(format::BlockType type, std::string_view raw, Trace* trace,
                              uint32_t* seen = nullptr);

// Decodes an event block payload (FORMAT.md section 6.6) of a format `version`
// file whose thread table has `threads` entries and location table `locations`:
// sets *thread and replaces *events with the block's events, in file order.
// Errors describe the problem without file or offset ("event 3 of 10 is
// truncated"). O(raw size); never allocates more than the payload can hold.
absl::Status DecodeEventBlock(std::string_view raw, uint32_t version, size_t threads,
                              size_t locations, uint32_t* thread, std::vector<Event>* events);

// True for the five table block types DecodeTableBlock accepts.
bool IsTableBlock(format::BlockType type);

// Decodes a footer payload. Error: "malformed footer block". O(1).
absl::Status DecodeFooter(std::string_view raw, Footer* footer);

// A property parsed as a decimal unsigned number, 0 if absent. O(properties).
uint64_t PropertyNumber(const Trace& trace, const std::string& key);

// Fills trace->dropped and trace->overwritten from the thread table and the
// lost_recycled_threads / lost_after_exit properties, as FORMAT.md section 6.7
// defines the footer's totals. O(threads + properties).
void SumLosses(Trace* trace);

}  // namespace tracelane::reader::internal

#endif  // TRACELANE_VIEWER_LIB_BLOCK_CODEC_H_
