// tracelane_alloc_hooks: replaces the global operator new/delete with timed
// versions. A call slower than the allocator-pause threshold (pause.h) is
// recorded as a pause named "operator new" / "operator delete" with its size.
// Link it as an object library (tracelane::alloc_hooks) so the replacements are
// always part of the program.
//
// When libtracelane_malloc.so is also loaded, malloc itself is timed and these
// wrappers only forward (one relaxed load), so a slow call is recorded once.
#include <cstdlib>
#include <new>

#include "tracer/alloc/alloc_pause.h"

namespace {

using tracelane::internal::AllocOp;
using tracelane::internal::g_alloc_pause;

[[maybe_unused]] const bool g_registered = [] {
  g_alloc_pause.new_hooked.store(true, std::memory_order_relaxed);
  return true;
}();

void* Allocate(size_t n, size_t align, AllocOp op) {
  if (align <= __STDCPP_DEFAULT_NEW_ALIGNMENT__) return std::malloc(n);
  // aligned_alloc wants a size that is a multiple of the alignment.
  const size_t rounded = (n + align - 1) & ~(align - 1);
  static_cast<void>(op);
  return std::aligned_alloc(align, rounded);
}

void* NewImpl(size_t n, size_t align, AllocOp op) {
  if (n == 0) n = 1;
  for (;;) {
    void* p;
    if (g_alloc_pause.time_new.load(std::memory_order_relaxed)) {
      p = tracelane::internal::TimedAlloc(op, n, [&] { return Allocate(n, align, op); });
    } else {
      p = Allocate(n, align, op);
    }
    if (p != nullptr) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* NewNoThrow(size_t n, size_t align, AllocOp op) noexcept {
  try {
    return NewImpl(n, align, op);
  } catch (...) {
    return nullptr;
  }
}

// `size` is 0 when the caller did not say (unsized delete): always timed then.
void DeleteImpl(void* p, size_t size, AllocOp op) noexcept {
  if (p == nullptr) return;
  if (!g_alloc_pause.time_new.load(std::memory_order_relaxed) ||
      (size != 0 && size < g_alloc_pause.untimed_free_max.load(std::memory_order_relaxed))) {
    std::free(p);
    return;
  }
  tracelane::internal::TimedAlloc(op, size, [&]() -> void* {
    std::free(p);
    return nullptr;
  });
}

constexpr size_t kDefault = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

}  // namespace

void* operator new(size_t n) { return NewImpl(n, kDefault, AllocOp::kNew); }
void* operator new[](size_t n) { return NewImpl(n, kDefault, AllocOp::kNewArray); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return NewNoThrow(n, kDefault, AllocOp::kNew);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return NewNoThrow(n, kDefault, AllocOp::kNewArray);
}
void* operator new(size_t n, std::align_val_t a) {
  return NewImpl(n, static_cast<size_t>(a), AllocOp::kNew);
}
void* operator new[](size_t n, std::align_val_t a) {
  return NewImpl(n, static_cast<size_t>(a), AllocOp::kNewArray);
}
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return NewNoThrow(n, static_cast<size_t>(a), AllocOp::kNew);
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return NewNoThrow(n, static_cast<size_t>(a), AllocOp::kNewArray);
}

void operator delete(void* p) noexcept { DeleteImpl(p, 0, AllocOp::kDelete); }
void operator delete[](void* p) noexcept { DeleteImpl(p, 0, AllocOp::kDeleteArray); }
void operator delete(void* p, size_t n) noexcept { DeleteImpl(p, n, AllocOp::kDelete); }
void operator delete[](void* p, size_t n) noexcept { DeleteImpl(p, n, AllocOp::kDeleteArray); }
void operator delete(void* p, const std::nothrow_t&) noexcept { DeleteImpl(p, 0, AllocOp::kDelete); }
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  DeleteImpl(p, 0, AllocOp::kDeleteArray);
}
void operator delete(void* p, std::align_val_t) noexcept { DeleteImpl(p, 0, AllocOp::kDelete); }
void operator delete[](void* p, std::align_val_t) noexcept {
  DeleteImpl(p, 0, AllocOp::kDeleteArray);
}
void operator delete(void* p, size_t n, std::align_val_t) noexcept {
  DeleteImpl(p, n, AllocOp::kDelete);
}
void operator delete[](void* p, size_t n, std::align_val_t) noexcept {
  DeleteImpl(p, n, AllocOp::kDeleteArray);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  DeleteImpl(p, 0, AllocOp::kDelete);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  DeleteImpl(p, 0, AllocOp::kDeleteArray);
}
