// tracelane/trace.h: instrumentation macros.
//
//   void Handle(Request& r) {
//     TRACE_SCOPE("handle_request");   // or TRACE_SCOPE() for the function name
//     TRACE_COUNTER("queue_depth", q.size());
//     ...
//   }
//
// Tracing is always on into bounded per-thread buffers (a flight recorder); write
// what is buffered with tracelane::WriteTrace() (capture.h). Define
// TRACELANE_DISABLE before including this header (or build with
// -DTRACELANE_DISABLE) and every macro compiles to nothing.
#ifndef TRACELANE_TRACE_H_
#define TRACELANE_TRACE_H_

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "tracelane/internal/recorder.h"

namespace tracelane {

// A static record naming an instrumentation point. The macros create one per call
// site with static storage duration; events store its address, and the strings
// are copied into the trace only when it is written.
struct SourceLocation {
  const char* name;      // user-given name, or the function name
  const char* function;  // __func__ of the enclosing function
  const char* file;      // __FILE__
  uint32_t line;         // __LINE__
};

// Turns recording on or off at run time for every thread. A disabled TRACE_SCOPE
// costs one relaxed load and a predictable branch (well under 1 ns).
void SetEnabled(bool enabled);
// True if recording is on (the default). O(1).
inline bool IsEnabled() { return internal::CurrentMode() != internal::kModeOff; }

// Names the calling thread in traces (copied; allocates once). Also registers the
// thread if it has not recorded anything yet.
void SetThreadName(const char* name);

// RAII scope: records a begin event on construction and an end event on
// destruction. Cost when enabled: two clock reads and two 16-byte stores; the
// recording mode is read once, at construction.
class ScopeGuard {
 public:
  explicit ScopeGuard(const SourceLocation* loc) : loc_(loc), mode_(internal::CurrentMode()) {
    internal::EmitInMode(mode_, format::EventType::kScopeBegin, internal::LocPayload(loc_));
  }
  ~ScopeGuard() {
    internal::EmitInMode(mode_, format::EventType::kScopeEnd, internal::LocPayload(loc_));
  }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  const SourceLocation* loc_;
  uint8_t mode_;
};

namespace internal {
// Picks the user name if one was given, else the function name.
constexpr const char* NameOr(const char* name, const char* function) {
  return name[0] != '\0' ? name : function;
}
inline void EmitCounter(const SourceLocation* loc, double value) {
  if (!IsEnabled()) return;
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  EmitWithArg(format::EventType::kCounter, LocPayload(loc), bits);
}
inline void EmitInstant(const SourceLocation* loc) {
  if (IsEnabled()) Emit(format::EventType::kInstant, LocPayload(loc));
}
}  // namespace internal

}  // namespace tracelane

#define TRACELANE_CONCAT_INNER(a, b) a##b
#define TRACELANE_CONCAT(a, b) TRACELANE_CONCAT_INNER(a, b)
#define TRACELANE_UNIQUE(prefix) TRACELANE_CONCAT(prefix, __LINE__)

// Defines a static SourceLocation named `var` for the enclosing call site.
#define TRACELANE_DEFINE_LOCATION(var, name)                                  \
  static constexpr ::tracelane::SourceLocation var {                         \
    ::tracelane::internal::NameOr(name, __func__), __func__, __FILE__, __LINE__ \
  }

#ifndef TRACELANE_DISABLE

// TRACE_SCOPE("name") / TRACE_SCOPE(): times the rest of the enclosing block.
#define TRACE_SCOPE(...)                                                          \
  TRACELANE_DEFINE_LOCATION(TRACELANE_UNIQUE(tracelane_loc_), "" __VA_ARGS__); \
  ::tracelane::ScopeGuard TRACELANE_UNIQUE(tracelane_scope_)(&TRACELANE_UNIQUE(tracelane_loc_))

// TRACE_INSTANT("name"): a zero-length marker.
#define TRACE_INSTANT(name)                                    \
  do {                                                         \
    TRACELANE_DEFINE_LOCATION(tracelane_loc_, name);           \
    ::tracelane::internal::EmitInstant(&tracelane_loc_);       \
  } while (0)

// TRACE_COUNTER("name", value): samples a numeric value (stored as a double).
#define TRACE_COUNTER(name, value)                                                      \
  do {                                                                                  \
    TRACELANE_DEFINE_LOCATION(tracelane_loc_, name);                                    \
    ::tracelane::internal::EmitCounter(&tracelane_loc_, static_cast<double>(value));    \
  } while (0)

// TRACE_THREAD_NAME("name"): names the calling thread in traces.
#define TRACE_THREAD_NAME(name) ::tracelane::SetThreadName(name)

#else  // TRACELANE_DISABLE

#define TRACE_SCOPE(...) static_cast<void>(0)
#define TRACE_INSTANT(name) static_cast<void>(0)
#define TRACE_COUNTER(name, value) static_cast<void>(sizeof(value))
#define TRACE_THREAD_NAME(name) static_cast<void>(0)

#endif  // TRACELANE_DISABLE

#endif  // TRACELANE_TRACE_H_
