#include "viewer/lib/pod_vector.h"

#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace tracelane::pod_vector_internal {
namespace {

constexpr size_t kPage = 4096;

bool Mapped(size_t bytes) { return bytes >= kMapBytes; }

void* Map(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

}  // namespace

size_t RoundBytes(size_t bytes) {
  if (!Mapped(bytes)) return bytes;
  if (bytes > SIZE_MAX - kPage) throw std::bad_alloc();
  return (bytes + kPage - 1) / kPage * kPage;
}

void* Grow(void* old, size_t old_bytes, size_t keep_bytes, size_t new_bytes) {
  if (old == nullptr) {
    if (Mapped(new_bytes)) return Map(new_bytes);
    void* p = std::malloc(new_bytes);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  if (Mapped(old_bytes) && Mapped(new_bytes)) {
    // The kernel moves the page-table entries: no copy, no new faults for the
    // pages already written.
    void* p = mremap(old, old_bytes, new_bytes, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return p;
  }
  if (!Mapped(old_bytes) && !Mapped(new_bytes)) {
    void* p = std::realloc(old, new_bytes);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  // Crossing kMapBytes either way: one copy of at most about kMapBytes... or of
  // what is kept when shrinking below it.
  void* p = Mapped(new_bytes) ? Map(new_bytes) : std::malloc(new_bytes);
  if (p == nullptr) throw std::bad_alloc();
  std::memcpy(p, old, std::min(keep_bytes, new_bytes));
  Free(old, old_bytes);
  return p;
}

void Free(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (Mapped(bytes)) {
    munmap(p, bytes);
  } else {
    std::free(p);
  }
}

}  // namespace tracelane::pod_vector_internal
