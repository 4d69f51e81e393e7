// tracelane/format.h: the .tlt trace file format, the only contract between the
// recorder (tracer/) and the reader (viewer/). docs/FORMAT.md explains every field;
// this header gives the constants and the event vocabulary.
//
// A file is: FileHeader, then blocks (BlockHeader + payload), the last of which is a
// kFooter block. All integers are little-endian.
#ifndef TRACELANE_FORMAT_H_
#define TRACELANE_FORMAT_H_

#include <cstdint>

namespace tracelane::format {

// "TLTRACE" followed by a NUL: the first 8 bytes of every trace file.
inline constexpr char kFileMagic[8] = {'T', 'L', 'T', 'R', 'A', 'C', 'E', '\0'};
// Bumped on any incompatible change; readers reject versions they do not know.
// Version 2 added kDataLost.
inline constexpr uint32_t kFormatVersion = 2;
// Oldest version a current reader still reads (version 1 files have no loss
// records: where their losses happened is unknown).
inline constexpr uint32_t kOldestReadableVersion = 1;
// "TLBK" as a little-endian u32: the first 4 bytes of every block header.
inline constexpr uint32_t kBlockMagic = 0x4B424C54u;

// Fixed 72-byte file header. `header_crc32` is zlib's crc32 over the first 68 bytes.
struct FileHeader {
  char magic[8];                // kFileMagic
  uint32_t version;             // kFormatVersion
  uint32_t header_size;         // sizeof(FileHeader) == 72
  int64_t realtime_anchor_ns;   // CLOCK_REALTIME at monotonic_anchor_ns
  int64_t monotonic_anchor_ns;  // CLOCK_MONOTONIC at the same instant
  double tsc_hz;                // measured tick rate of the recording clock (1e9 if ns)
  uint32_t clock_source;        // ClockSource
  uint32_t pid;                 // process id of the traced program
  int64_t capture_start_ns;     // CLOCK_MONOTONIC: first instant the capture covers
  int64_t capture_end_ns;       // CLOCK_MONOTONIC: instant the capture was taken
  uint32_t reserved;            // zero
  uint32_t header_crc32;
};
static_assert(sizeof(FileHeader) == 72);

// How the recorder read time. Timestamps in the file are always CLOCK_MONOTONIC ns.
enum class ClockSource : uint32_t {
  kTsc = 1,             // invariant TSC, calibrated against CLOCK_MONOTONIC
  kClockMonotonic = 2,  // clock_gettime(CLOCK_MONOTONIC) on every event
};

// 24-byte block header. `header_crc32` covers the first 20 bytes, `payload_crc32`
// the stored (possibly compressed) payload bytes.
struct BlockHeader {
  uint32_t magic;          // kBlockMagic
  uint16_t type;           // BlockType
  uint16_t flags;          // kBlockFlagZstd if the payload is one zstd frame
  uint32_t stored_size;    // payload bytes in the file
  uint32_t raw_size;       // payload bytes after decompression
  uint32_t payload_crc32;  // zlib crc32 of the stored payload
  uint32_t header_crc32;   // zlib crc32 of the 20 bytes above
};
static_assert(sizeof(BlockHeader) == 24);

inline constexpr uint16_t kBlockFlagZstd = 1;
// Largest payload a reader must accept (either size); larger means corruption.
inline constexpr uint32_t kMaxBlockPayload = 64u << 20;
// Timestamps a reader must accept: event times, the header's anchors and capture
// bounds, thread start/exit times lie in [0, kMaxTimestampNs) (146 years of
// CLOCK_MONOTONIC or CLOCK_REALTIME nanoseconds); anything else is corruption. The
// difference or sum of two such values never overflows an int64.
inline constexpr int64_t kMaxTimestampNs = int64_t{1} << 62;

// Block types. Tables come before the event chunks that refer to them, so a
// truncated file still decodes every chunk that survived.
enum class BlockType : uint16_t {
  kProperties = 1,   // key/value strings: process name, scheduler source, ...
  kStrings = 2,      // string table
  kLocations = 3,    // source-location table (indices into the string table)
  kThreads = 4,      // thread table with drop counts
  kObjects = 5,      // names of locks, condvars and other objects by id
  kEvents = 6,       // one thread's events, delta-encoded (see docs/FORMAT.md)
  kFooter = 15,      // counts; always the last block
};

// Event vocabulary. Types below 64 carry a source-location index as payload; the
// others carry a raw value. Any event may carry one signed 64-bit argument.
enum class EventType : uint8_t {
  // -- payload: location index ------------------------------------------------
  kScopeBegin = 1,   // TRACE_SCOPE entry
  kScopeEnd = 2,     // TRACE_SCOPE exit (payload repeats the location)
  kInstant = 3,      // TRACE_INSTANT
  kCounter = 4,      // TRACE_COUNTER; arg = bit pattern of the double value
  kBlockBegin = 5,   // TRACE_BLOCK entry; arg = BlockKind
  kBlockEnd = 6,     // TRACE_BLOCK exit
  kPauseBegin = 7,   // TRACE_PAUSE / allocator pause entry; arg = size for allocs
  kPauseEnd = 8,     // pause exit
  kStwBegin = 9,     // stop-the-world entry: every live thread is paused
  kStwEnd = 10,      // stop-the-world exit
  // -- payload: raw value -----------------------------------------------------
  kThreadStart = 64,    // payload = creator tid (0 if unknown)
  kThreadExit = 65,     // payload = 0
  kLockWait = 66,       // payload = lock id; the thread starts waiting; arg = LockMode
  kLockAcquired = 67,   // payload = lock id; arg = tid of the releaser that woke us, 0 if none
  kLockReleased = 68,   // payload = lock id; arg = 1 if waiters were present
  kLockTryFailed = 69,  // payload = lock id
  kCondWait = 70,       // payload = condvar id; the thread starts waiting
  kCondWake = 71,       // payload = condvar id; arg = notifier tid, 0 if unknown/timeout
  kCondNotify = 72,     // payload = condvar id; arg = 1 for notify_all
  kSchedOut = 73,       // payload = SchedFlags; OS switched the thread out
  kSchedIn = 74,        // payload = cpu; OS switched the thread in
  kSchedStat = 75,      // payload = run ns delta; arg = wait ns delta (approximate source)
  // Since version 2. Events of this thread were lost right before this record:
  // its timestamp is that of the first event after the gap, the previous event
  // of the thread is the last one before it. payload = chunks missing (0 if only
  // dropped events); arg, if present = events lost.
  kDataLost = 76,
};

// Kinds of TRACE_BLOCK waits: the arg of kBlockBegin.
enum class BlockKind : uint8_t {
  kIo = 1,
  kNetwork = 2,
  kSleep = 3,
  kSyscall = 4,
  kCondvar = 5,
  kUser = 6,
};

// Flags in the payload of kSchedOut.
inline constexpr uint64_t kSchedPreempted = 1;  // thread was still runnable

// Event types below this value carry a location index as payload.
inline constexpr uint8_t kLocationTypeLimit = 64;

// True if events of this type carry a location index as payload.
constexpr bool HasLocationPayload(EventType t) {
  return static_cast<uint8_t>(t) < kLocationTypeLimit;
}

// Kinds of named objects in the kObjects table.
enum class ObjectKind : uint8_t {
  kLock = 1,
  kCondVar = 2,
};

}  // namespace tracelane::format

#endif  // TRACELANE_FORMAT_H_
