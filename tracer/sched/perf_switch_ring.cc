#include "tracer/sched/perf_switch_ring.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tracelane::internal {
namespace {

// The sample_id block appended to every record (sample_id_all=1) for our
// sample_type TID | TIME | CPU, in the kernel's order.
struct SampleId {
  uint32_t pid;
  uint32_t tid;
  uint64_t time;
  uint32_t cpu;
  uint32_t reserved;
};

struct LostRecord {
  uint64_t id;
  uint64_t lost;
};

constexpr size_t kMaxRecord = 256;  // larger records are not ours; skipped

int PerfEventOpen(perf_event_attr* attr, pid_t tid) {
  return static_cast<int>(syscall(SYS_perf_event_open, attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

}  // namespace

absl::StatusOr<std::unique_ptr<PerfSwitchRing>> PerfSwitchRing::Open(int64_t tid, int data_pages) {
  perf_event_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_DUMMY;  // counts nothing; we only want side-band records
  attr.context_switch = 1;
  attr.sample_id_all = 1;
  attr.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
  attr.use_clockid = 1;
  attr.clockid = CLOCK_MONOTONIC;
  // perf_event_paranoid 2 allows user-space-only monitoring of our own threads.
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  const int fd = PerfEventOpen(&attr, static_cast<pid_t>(tid));
  if (fd < 0) {
    const int err = errno;
    const std::string what =
        absl::StrCat("perf_event_open(context_switch, tid ", tid, "): ", std::strerror(err));
    switch (err) {
      case EACCES:
      case EPERM:
        return absl::PermissionDeniedError(absl::StrCat(
            what, " (perf_event_paranoid > 2 or a seccomp filter; see "
                  "/proc/sys/kernel/perf_event_paranoid)"));
      case ENOSYS:
      case ENOENT:
      case EOPNOTSUPP:
      case EINVAL:
        return absl::UnimplementedError(
            absl::StrCat(what, " (kernel lacks context-switch records or use_clockid)"));
      case ESRCH:
        return absl::NotFoundError(what);
      default:
        return absl::ResourceExhaustedError(what);
    }
  }
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  int pages = data_pages < 1 ? 1 : data_pages;
  while ((pages & (pages - 1)) != 0) pages &= pages - 1;  // round down to a power of two
  for (;; pages /= 2) {
    const size_t bytes = page * (1 + static_cast<size_t>(pages));
    // Writable mapping: the kernel stops at our data_tail instead of overwriting.
    void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base != MAP_FAILED) {
      auto* meta = static_cast<perf_event_mmap_page*>(base);
      size_t data_offset = meta->data_offset != 0 ? meta->data_offset : page;
      size_t data_size = meta->data_size != 0 ? meta->data_size : page * pages;
      return std::unique_ptr<PerfSwitchRing>(
          new PerfSwitchRing(fd, base, bytes, data_offset, data_size));
    }
    const int err = errno;
    if (pages == 1 || (err != EPERM && err != ENOMEM)) {
      close(fd);
      return absl::ResourceExhaustedError(
          absl::StrCat("mmap of the perf ring for tid ", tid, ": ", std::strerror(err),
                       " (perf_event_mlock_kb / RLIMIT_MEMLOCK exhausted?)"));
    }
  }
}

PerfSwitchRing::~PerfSwitchRing() {
  if (base_ != nullptr) munmap(base_, map_bytes_);
  if (fd_ >= 0) close(fd_);
}

void PerfSwitchRing::AbandonAfterFork() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  base_ = nullptr;
}

size_t PerfSwitchRing::Drain(SchedHistory* out, uint64_t* lost) {
  if (base_ == nullptr) return 0;
  auto* meta = static_cast<perf_event_mmap_page*>(base_);
  const char* data = static_cast<const char*>(base_) + data_offset_;
  // Pairs with the kernel's release of data_head (see perf_event_open(2)).
  const uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
  uint64_t tail = meta->data_tail;
  size_t switches = 0;
  char buf[kMaxRecord];
  while (tail < head) {
    perf_event_header h;
    const size_t off = tail % data_size_;
    std::memcpy(&h, data + off, sizeof(h));  // headers are 8-byte aligned: never wrap
    if (h.size < sizeof(h) || tail + h.size > head) break;  // torn; retry next drain
    if (h.size <= kMaxRecord) {
      // Copy the record out, handling the wrap at the end of the ring.
      const size_t first = std::min<size_t>(h.size, data_size_ - off);
      std::memcpy(buf, data + off, first);
      std::memcpy(buf + first, data, h.size - first);
      const char* body = buf + sizeof(h);
      const size_t body_size = h.size - sizeof(h);
      if (h.type == PERF_RECORD_SWITCH && body_size >= sizeof(SampleId)) {
        SampleId id;
        std::memcpy(&id, body, sizeof(id));
        SchedRecord r;
        r.mono_ns = static_cast<int64_t>(id.time);
        if ((h.misc & PERF_RECORD_MISC_SWITCH_OUT) != 0) {
          r.type = format::EventType::kSchedOut;
          r.payload = (h.misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0 ? format::kSchedPreempted
                                                                         : 0;
        } else {
          r.type = format::EventType::kSchedIn;
          r.payload = id.cpu;
        }
        out->Push(r);
        ++switches;
      } else if (h.type == PERF_RECORD_LOST && body_size >= sizeof(LostRecord)) {
        LostRecord l;
        std::memcpy(&l, body, sizeof(l));
        *lost += l.lost;
      }
    }
    tail += h.size;
  }
  __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
  return switches;
}

}  // namespace tracelane::internal
