// tracelane/block.h: marking waits the tracer cannot see by itself.
//
//   ssize_t n;
//   {
//     TRACE_BLOCK(tracelane::Block::kNetwork, "read socket");
//     n = read(fd, buf, size);
//   }
//   tracelane::SleepFor(absl::Milliseconds(5));   // recorded as a kSleep block
//
// A block is a kBlockBegin(location, arg = kind) ... kBlockEnd(location) pair on
// the calling thread. With scheduler data (sched.h) the analysis attributes the
// thread's voluntary switch-outs inside the span to the block ("IO wait" rather
// than "blocked, reason unknown").
#ifndef TRACELANE_BLOCK_H_
#define TRACELANE_BLOCK_H_

#include <chrono>
#include <cstdint>

#include "absl/time/time.h"
#include "tracelane/format.h"
#include "tracelane/trace.h"

namespace tracelane {

// What a thread is blocked on: kIo, kNetwork, kSleep, kSyscall, kCondvar, kUser.
using Block = format::BlockKind;

// RAII block span. Cost when enabled: two clock reads and three 16-byte stores
// (the begin carries the kind as its argument); never allocates.
class BlockScope {
 public:
  BlockScope(const SourceLocation* loc, Block kind)
      : loc_(loc), active_(IsEnabled()) {
    if (active_) {
      internal::EmitWithArg(format::EventType::kBlockBegin, internal::LocPayload(loc_),
                            static_cast<uint64_t>(kind));
    }
  }
  ~BlockScope() {
    if (active_) internal::Emit(format::EventType::kBlockEnd, internal::LocPayload(loc_));
  }
  BlockScope(const BlockScope&) = delete;
  BlockScope& operator=(const BlockScope&) = delete;

 private:
  const SourceLocation* loc_;
  bool active_;
};

// Sleeps for `d` (absl::SleepFor) inside a kSleep block named "sleep".
void SleepFor(absl::Duration d);

// As above for a std::chrono duration.
template <typename Rep, typename Period>
void SleepFor(std::chrono::duration<Rep, Period> d) {
  ::tracelane::SleepFor(absl::FromChrono(std::chrono::duration_cast<std::chrono::nanoseconds>(d)));
}

}  // namespace tracelane

#ifndef TRACELANE_DISABLE

// TRACE_BLOCK(kind, "name") / TRACE_BLOCK(kind): marks the rest of the enclosing
// block as a wait of `kind` (a tracelane::Block). Without a name the function
// name is used.
#define TRACE_BLOCK(kind, ...)                                                         \
  TRACELANE_DEFINE_LOCATION(TRACELANE_UNIQUE(tracelane_block_loc_), "" __VA_ARGS__); \
  ::tracelane::BlockScope TRACELANE_UNIQUE(tracelane_block_)(                         \
      &TRACELANE_UNIQUE(tracelane_block_loc_), (kind))

#else  // TRACELANE_DISABLE

#define TRACE_BLOCK(kind, ...) static_cast<void>(kind)

#endif  // TRACELANE_DISABLE

#endif  // TRACELANE_BLOCK_H_
