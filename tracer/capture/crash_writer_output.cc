// CrashWriter's output side: buffered writes with block checksums patched in
// place, the file name, and the properties block with its progress field.
// Async-signal-safe like the rest of CrashWriter (see crash_writer.h).
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "tracelane/format.h"
#include "tracer/capture/crash_writer.h"
#include "tracer/capture/signal_names.h"
#include "tracer/file_headers.h"
#include "tracer/recorder_state.h"

namespace tracelane::internal {
namespace {

constexpr uint32_t kNone = 0xFFFFFFFFu;

// Appends the decimal form of `v` to `buf` at `*len` (bounded by `cap`).
void AppendU64(char* buf, size_t* len, size_t cap, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0 && *len + 1 < cap) buf[(*len)++] = tmp[--n];
  buf[*len] = '\0';
}

void AppendStr(char* buf, size_t* len, size_t cap, const char* s) {
  while (*s != '\0' && *len + 1 < cap) buf[(*len)++] = *s++;
  buf[*len] = '\0';
}

}  // namespace

// ---- low-level output ------------------------------------------------------------

void CrashWriter::RawWrite(const void* p, size_t n) {
  if (failed_) return;
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    size_t want = n;
    if (byte_limit_ != 0) {
      const off_t at = lseek(fd_, 0, SEEK_CUR);
      if (at < 0 || static_cast<uint64_t>(at) >= byte_limit_) {
        failed_ = true;
        return;
      }
      want = std::min<uint64_t>(want, byte_limit_ - static_cast<uint64_t>(at));
    }
    const ssize_t w = write(fd_, c, want);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      failed_ = true;
      return;
    }
    c += w;
    n -= static_cast<size_t>(w);
  }
}

void CrashWriter::Flush() {
  RawWrite(out_.get(), out_len_);
  out_len_ = 0;
}

void CrashWriter::Put(const void* p, size_t n) {
  const char* c = static_cast<const char*>(p);
  if (block_header_off_ != 0) {
    block_crc_ = crc32(block_crc_, reinterpret_cast<const Bytef*>(c), static_cast<uInt>(n));
    block_len_ += n;
  }
  file_off_ += n;
  while (n > 0) {
    const size_t room = kOutBuffer - out_len_;
    const size_t k = n < room ? n : room;
    std::memcpy(out_.get() + out_len_, c, k);
    out_len_ += k;
    c += k;
    n -= k;
    if (out_len_ == kOutBuffer) Flush();
  }
}

void CrashWriter::PutVar(uint64_t v) {
  uint8_t b[10];
  int n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<uint8_t>(v) | 0x80;
    v >>= 7;
  }
  b[n++] = static_cast<uint8_t>(v);
  Put(b, n);
}

void CrashWriter::PutStr(const char* s) {
  const size_t n = s != nullptr ? std::strlen(s) : 0;
  PutVar(n);
  if (n != 0) Put(s, n);
}

// A block whose payload is streamed: a placeholder header now, the real one
// (sizes and checksum known) patched in by EndBlock.
void CrashWriter::BeginBlock(uint16_t type) {
  const format::BlockHeader zero{};
  block_header_off_ = 0;
  const uint64_t at = file_off_;
  Put(&zero, sizeof(zero));
  block_header_off_ = at;
  block_crc_ = crc32(0, nullptr, 0);
  block_len_ = 0;
  pending_type_ = type;  // written by EndBlock with the sizes
}

void CrashWriter::EndBlock() {
  const format::BlockHeader h =
      MakeBlockHeader(static_cast<format::BlockType>(pending_type_), /*flags=*/0,
                      static_cast<uint32_t>(block_len_), static_cast<uint32_t>(block_len_), block_crc_);
  const uint64_t header_off = block_header_off_;
  block_header_off_ = 0;
  Flush();
  if (failed_) return;
  if (lseek(fd_, static_cast<off_t>(header_off), SEEK_SET) < 0) {
    failed_ = true;
    return;
  }
  RawWrite(&h, sizeof(h));
  if (lseek(fd_, static_cast<off_t>(file_off_), SEEK_SET) < 0) failed_ = true;
}

int64_t CrashWriter::ToNs(uint64_t ticks) const {
  const __int128 dt = static_cast<__int128>(static_cast<int64_t>(ticks - ticks0_));
  return mono0_ + static_cast<int64_t>(dt * (mono1_ - mono0_) / static_cast<__int128>(ticks1_ - ticks0_));
}

// ---- pieces of the file --------------------------------------------------------------

void CrashWriter::MakePath() {
  char* p = path_buf_.get();
  size_t len = 0;
  p[0] = '\0';
  if (fixed_path_[0] != '\0') {
    AppendStr(p, &len, kPathMax, fixed_path_.get());
    return;
  }
  AppendStr(p, &len, kPathMax, dir_[0] != '\0' ? dir_.get() : ".");
  if (len > 0 && p[len - 1] != '/') AppendStr(p, &len, kPathMax, "/");
  AppendStr(p, &len, kPathMax, "tracelane-crash-");
  AppendU64(p, &len, kPathMax, static_cast<uint64_t>(getpid()));
  AppendStr(p, &len, kPathMax, "-");
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  AppendU64(p, &len, kPathMax, static_cast<uint64_t>(ts.tv_sec));
  AppendStr(p, &len, kPathMax, ".tlt");
}

// Properties payload: varint count, then (key, value) strings. The value of
// "crash_write" has a fixed width so it can be rewritten in place.
void CrashWriter::BuildProperties(int signo) {
  RecorderState& r = Recorder();
  char* b = props_.get();
  size_t len = 0;
  char num[32];
  const auto put_str = [&](const char* s) {
    const size_t n = std::strlen(s);
    b[len++] = static_cast<char>(n);  // every string here is shorter than 128 bytes
    for (size_t i = 0; i < n && len + 1 < kPropsMax; ++i) b[len++] = s[i];
  };
  const auto put_num = [&](const char* key, uint64_t v) {
    size_t n = 0;
    AppendU64(num, &n, sizeof(num), v);
    put_str(key);
    put_str(num);
  };
  b[len++] = 11;  // property count
  put_str("process_name");
  put_str(process_name_.get());
  put_str("recorder");
  put_str("tracelane 0.1.0");
  put_str("capture_mode");
  put_str("crash");
  put_str("crash_signal");
  const char* name = SignalAbbrev(signo);
  if (name != nullptr) {
    put_str(name);
  } else {
    size_t n = 0;
    AppendU64(num, &n, sizeof(num), static_cast<uint64_t>(signo));
    put_str(num);
  }
  put_num("crash_tid", static_cast<uint64_t>(CurrentTid()));
  put_str("loss_counts");
  put_str("lifetime");
  put_str("scheduler_source");
  put_str("none");
  put_num("lost_recycled_threads", r.registry.lost_recycled());
  put_num("lost_after_exit", r.lost_after_exit.load(std::memory_order_relaxed));
  put_num("aged_out_events", r.aged_out.load(std::memory_order_relaxed));
  put_str("crash_write");
  b[len++] = static_cast<char>(kProgressWidth);
  progress_off_ = len;
  std::memset(b + len, ' ', kProgressWidth);
  len += kProgressWidth;
  props_len_ = len;
}

void CrashWriter::WriteProperties() {
  const format::BlockHeader h = MakeBlockHeader(
      format::BlockType::kProperties, /*flags=*/0, static_cast<uint32_t>(props_len_),
      static_cast<uint32_t>(props_len_),
      crc32(0, reinterpret_cast<const Bytef*>(props_.get()), props_len_));
  Flush();
  if (failed_) return;
  if (lseek(fd_, static_cast<off_t>(props_header_off_), SEEK_SET) < 0) {
    failed_ = true;
    return;
  }
  RawWrite(&h, sizeof(h));
  RawWrite(props_.get(), props_len_);
  if (lseek(fd_, static_cast<off_t>(file_off_), SEEK_SET) < 0) failed_ = true;
}

// Rewrites "crash_write" as a + x + b + y + c (x/y omitted when kNone).
void CrashWriter::SetProgress(const char* a, uint64_t x, const char* b, uint64_t y,
                              const char* c) {
  char text[kProgressWidth + 1];
  size_t len = 0;
  AppendStr(text, &len, sizeof(text), a);
  if (x != kNone) AppendU64(text, &len, sizeof(text), x);
  AppendStr(text, &len, sizeof(text), b);
  if (y != kNone) AppendU64(text, &len, sizeof(text), y);
  AppendStr(text, &len, sizeof(text), c);
  char* dst = props_.get() + progress_off_;
  std::memset(dst, ' ', kProgressWidth);
  std::memcpy(dst, text, len);
  WriteProperties();
}

}  // namespace tracelane::internal
