// Writing the flight recorder from a crash signal handler.
//
// Prepare() allocates every buffer and table up front. Write() then uses only
// async-signal-safe calls (open, write, lseek, close, clock_gettime, getpid), no
// allocation and no blocking locks (try-locks only), and reads the chunk pool
// optimistically as a snapshot does (generation-validated copies). Events are
// stored uncompressed (block flags 0), one block per chunk. Where a thread's
// chunks show a loss (AreaStamp gaps, or a chunk reused while it was copied), a
// kDataLost record goes before the thread's next event.
//
// File order: header; properties (its "crash_write" value is rewritten in place
// as the write progresses); strings; locations; threads; objects; event blocks;
// footer. If the write stops early, "crash_write" tells how far it got and the
// reader's salvage mode decodes every block that was written.
#ifndef TRACELANE_TRACER_CAPTURE_CRASH_WRITER_H_
#define TRACELANE_TRACER_CAPTURE_CRASH_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "tracelane/internal/recorder.h"
#include "tracer/area_gaps.h"
#include "tracer/chunk_pool.h"

namespace tracelane::internal {

struct ThreadRecord;
struct ObjectName;

class CrashWriter {
 public:
  struct Limits {
    uint32_t max_locations = 1u << 14;  // distinct source locations in the file
    uint32_t max_threads = 1u << 13;    // thread records (by registry index)
    uint32_t max_objects = 1u << 13;    // named locks/condvars
    uint32_t stage_events = 4096;       // events copied per block
    uint32_t max_chunks = 0;            // 0: the pool's chunk count at Prepare
  };

  // `path` is the file to write; if empty, Write() names one in `directory`:
  // tracelane-crash-<pid>-<unix seconds>.tlt. Not async-signal-safe.
  absl::Status Prepare(const std::string& path, const std::string& directory,
                       const Limits& limits);
  absl::Status Prepare(const std::string& path, const std::string& directory) {
    return Prepare(path, directory, Limits());
  }

  // Writes the trace. Async-signal-safe; not reentrant (one call at a time).
  // Returns the number of events written, or -1 if the file could not be created.
  int64_t Write(int signo);

  // The file of the last Write() (NUL-terminated; empty before any).
  const char* path() const { return path_buf_.get(); }

  // Test hook: stop writing once the file reaches `bytes` (0 = no limit), as a
  // full disk would.
  void set_byte_limit(uint64_t bytes) { byte_limit_ = bytes; }

 private:
  static constexpr size_t kOutBuffer = 64 << 10;
  static constexpr size_t kPathMax = 4096;
  static constexpr size_t kPropsMax = 4096;
  static constexpr size_t kProgressWidth = 80;

  // -- low-level output (buffered, tracks the file offset) ----------------------
  void Put(const void* p, size_t n);
  void PutU8(uint8_t v) { Put(&v, 1); }
  void PutU32(uint32_t v) { Put(&v, 4); }
  void PutI64(int64_t v) { Put(&v, 8); }
  void PutVar(uint64_t v);
  void PutZigZag(int64_t v) {
    PutVar((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void PutStr(const char* s);
  void Flush();
  void RawWrite(const void* p, size_t n);
  void BeginBlock(uint16_t type);
  void EndBlock();

  // -- pieces of the file --------------------------------------------------------
  void MakePath();
  void BuildProperties(int signo);
  void WriteProperties();
  void SetProgress(const char* a, uint64_t x, const char* b, uint64_t y, const char* c);
  void CollectThreads();
  void CollectLocations();
  uint32_t LocationIndex(uint64_t payload) const;
  void AddLocation(uint64_t payload);
  uint32_t InternString(const char* s);
  void InternAllStrings();
  void WriteTables();
  // Writes `count` slots of `chunk` (stamped `stamp`) for table thread `thread`.
  void WriteChunkEvents(uint32_t chunk, uint64_t generation, uint32_t count, AreaStamp stamp,
                        uint32_t thread);
  // Encodes stage_[0, n) as one block, after a kDataLost record if the thread has
  // a loss pending. Returns the thread's own events encoded.
  uint32_t EncodeStage(uint32_t n, uint32_t thread);
  // Puts `cursor`'s pending loss as a kDataLost record at delta 0 and clears it.
  void PutLossRecord(AreaCursor& cursor);
  // A block with one kDataLost record for every exited thread whose last areas
  // were not written (at its exit time, else `now_ns`).
  void WriteTrailingLosses(int64_t now_ns);

  // Prepared state.
  Limits limits_;
  std::unique_ptr<char[]> fixed_path_;  // empty string: use dir_
  std::unique_ptr<char[]> dir_;
  std::unique_ptr<char[]> path_buf_;
  std::unique_ptr<char[]> process_name_;
  std::unique_ptr<char[]> out_;
  std::unique_ptr<char[]> props_;
  std::unique_ptr<uint64_t[]> loc_keys_;  // open addressing, 0 = empty
  std::unique_ptr<uint32_t[]> loc_vals_;
  std::unique_ptr<uint64_t[]> loc_list_;  // payloads in table order
  std::unique_ptr<uint32_t[]> thread_slot_;     // registry index -> table index
  std::unique_ptr<ThreadRecord*[]> thread_rec_;  // table index -> record
  std::unique_ptr<const ObjectName*[]> objects_;
  std::unique_ptr<RawEvent[]> stage_;
  // String table with each distinct string once (open addressing by content).
  std::unique_ptr<const char*[]> str_keys_;
  std::unique_ptr<uint32_t[]> str_vals_;
  std::unique_ptr<const char*[]> str_list_;  // in table order
  std::unique_ptr<uint32_t[]> loc_strings_;  // 3 string indices per location
  std::unique_ptr<uint32_t[]> thread_name_;  // string index per table thread
  std::unique_ptr<uint32_t[]> object_name_;  // string index per object
  std::unique_ptr<AreaCursor[]> area_cursors_;  // per table thread, reset per write
  // Full chunks ordered by release sequence, so each thread's blocks are in time order.
  struct ChunkOrder {
    uint64_t seq;
    uint32_t index;
    uint64_t generation;
  };
  std::unique_ptr<ChunkOrder[]> order_;
  uint32_t max_strings_ = 0;
  uint32_t str_mask_ = 0;
  uint32_t nstrings_ = 0;
  uint32_t loc_mask_ = 0;
  uint64_t byte_limit_ = 0;

  // Per-write state.
  int fd_ = -1;
  bool failed_ = false;
  size_t out_len_ = 0;
  uint64_t file_off_ = 0;
  uint64_t block_header_off_ = 0;
  uint32_t block_crc_ = 0;
  uint64_t block_len_ = 0;
  uint16_t pending_type_ = 0;
  size_t props_len_ = 0;
  size_t progress_off_ = 0;
  uint64_t props_header_off_ = 0;
  uint32_t nlocs_ = 0;
  bool loc_overflow_ = false;
  uint32_t nthreads_ = 0;
  uint32_t nobjects_ = 0;
  uint64_t events_ = 0;
  uint64_t event_blocks_ = 0;
  uint64_t skipped_chunks_ = 0;
  // Calibration of this write (copied from CurrentCalibration()).
  uint64_t ticks0_ = 0, ticks1_ = 1;
  int64_t mono0_ = 0, mono1_ = 1;
  int64_t ToNs(uint64_t ticks) const;
};

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_CAPTURE_CRASH_WRITER_H_
