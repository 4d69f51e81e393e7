// PodVector<T>: a std::vector-like array of trivially copyable elements that
// grows without copying. The analysis model keeps its per-thread arrays (states,
// scopes, waits, holds, ...) in it because they are built by appending, one event
// at a time, to arrays of hundreds of MB.
//
// Why not std::vector: growing a std::vector allocates a new buffer twice the
// size, copies the old one and frees it, so building an array of N bytes touches
// about 2N bytes of fresh memory and copies N. On Linux every fresh page costs a
// fault and a zeroing (about 1 s of kernel time per GB touched on a 2-core VM:
// more than decoding the events). A large PodVector (>= kMapBytes) lives in its
// own anonymous mapping and grows with mremap: the kernel moves page-table
// entries, nothing is copied, and only the pages actually written are ever
// faulted in (capacity beyond the size costs address space, not memory). Small
// arrays use malloc/realloc.
//
// Costs: push_back O(1) amortized (a remap per doubling, O(pages) page-table work,
// no data copy); operator[], back(), size() O(1); insert/erase O(n) like
// std::vector. Copying is an explicit O(n) memcpy. Iterators are plain pointers and
// are invalidated by any growth, as with std::vector. Allocation failure throws
// std::bad_alloc.
#ifndef TRACELANE_VIEWER_LIB_POD_VECTOR_H_
#define TRACELANE_VIEWER_LIB_POD_VECTOR_H_

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <type_traits>
#include <utility>

namespace tracelane {
namespace pod_vector_internal {

// Arrays of at least this many bytes get their own mapping.
inline constexpr size_t kMapBytes = size_t{1} << 20;

// Returns a buffer of `new_bytes` holding the first `keep_bytes` of `old` (a
// buffer of `old_bytes` from a previous call, or nullptr). new_bytes > 0.
// Throws std::bad_alloc. pod_vector.cc.
void* Grow(void* old, size_t old_bytes, size_t keep_bytes, size_t new_bytes);
// Frees a buffer of `bytes` returned by Grow.
void Free(void* p, size_t bytes);
// The capacity in bytes Grow actually provides for a request of `bytes` (a whole
// number of pages for mapped buffers).
size_t RoundBytes(size_t bytes);

}  // namespace pod_vector_internal

template <typename T>
class PodVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "PodVector holds trivially copyable types only");

 public:
  using value_type = T;
  using size_type = size_t;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using const_reference = const T&;
  using pointer = T*;
  using const_pointer = const T*;
  using iterator = T*;
  using const_iterator = const T*;

  PodVector() = default;
  PodVector(std::initializer_list<T> init) { assign(init.begin(), init.end()); }
  template <typename It>
  PodVector(It first, It last) {
    assign(first, last);
  }
  PodVector(const PodVector& o) { assign(o.begin(), o.end()); }
  PodVector(PodVector&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)),
        cap_(std::exchange(o.cap_, 0)) {}
  PodVector& operator=(const PodVector& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  PodVector& operator=(PodVector&& o) noexcept {
    if (this != &o) {
      Release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      cap_ = std::exchange(o.cap_, 0);
    }
    return *this;
  }
  ~PodVector() { Release(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return cap_; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  const T* cbegin() const { return data_; }
  const T* cend() const { return data_ + size_; }
  std::reverse_iterator<T*> rbegin() { return std::reverse_iterator<T*>(end()); }
  std::reverse_iterator<T*> rend() { return std::reverse_iterator<T*>(begin()); }
  std::reverse_iterator<const T*> rbegin() const { return std::reverse_iterator<const T*>(end()); }
  std::reverse_iterator<const T*> rend() const { return std::reverse_iterator<const T*>(begin()); }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T& front() { return data_[0]; }
  const T& front() const { return data_[0]; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }

  // O(1) amortized; the element is copied in before any growth, so pushing an
  // element of the array itself is safe.
  void push_back(const T& v) {
    if (size_ == cap_) {
      const T copy = v;
      Reserve(NextCapacity(size_ + 1));
      data_[size_++] = copy;
      return;
    }
    data_[size_++] = v;
  }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    push_back(T{std::forward<Args>(args)...});
    return back();
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  void reserve(size_t n) {
    if (n > cap_) Reserve(n);
  }
  // New elements are value-initialized (zero).
  void resize(size_t n) { resize(n, T{}); }
  void resize(size_t n, const T& v) {
    if (n > cap_) Reserve(std::max(n, NextCapacity(n)));
    for (size_t i = size_; i < n; ++i) data_[i] = v;
    size_ = n;
  }
  // Like resize, but the new elements are left unwritten (their pages untouched
  // until then): the caller must write every one before reading it. Lets
  // several threads fill disjoint parts of a large array, each faulting in its
  // own pages. O(1) plus the growth.
  void resize_uninitialized(size_t n) {
    if (n > cap_) Reserve(std::max(n, NextCapacity(n)));
    size_ = n;
  }
  void shrink_to_fit() {
    if (size_ == cap_) return;
    if (size_ == 0) {
      Release();
      return;
    }
    Reserve(size_);
  }

  template <typename It>
  void assign(It first, It last) {
    const auto n = static_cast<size_t>(std::distance(first, last));
    clear();
    reserve(n);
    std::copy(first, last, data_);
    size_ = n;
  }

  T* insert(const T* pos, const T& v) { return insert(pos, &v, &v + 1); }
  // Inserts [first, last) before pos. The range must not be part of this array.
  template <typename It>
  T* insert(const T* pos, It first, It last) {
    const size_t at = static_cast<size_t>(pos - data_);
    const auto n = static_cast<size_t>(std::distance(first, last));
    if (n == 0) return data_ + at;
    if (size_ + n > cap_) Reserve(std::max(size_ + n, NextCapacity(size_ + n)));
    std::memmove(data_ + at + n, data_ + at, (size_ - at) * sizeof(T));
    std::copy(first, last, data_ + at);
    size_ += n;
    return data_ + at;
  }
  T* erase(const T* pos) { return erase(pos, pos + 1); }
  T* erase(const T* first, const T* last) {
    const size_t a = static_cast<size_t>(first - data_), b = static_cast<size_t>(last - data_);
    std::memmove(data_ + a, data_ + b, (size_ - b) * sizeof(T));
    size_ -= b - a;
    return data_ + a;
  }
  void swap(PodVector& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(cap_, o.cap_);
  }

  friend bool operator==(const PodVector& a, const PodVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  // Doubling: O(1) amortized appends (a doubling of a mapped array is a remap).
  size_t NextCapacity(size_t need) const { return std::max({need, cap_ * 2, size_t{16}}); }
  void Reserve(size_t n) {
    const size_t bytes = pod_vector_internal::RoundBytes(n * sizeof(T));
    data_ = static_cast<T*>(
        pod_vector_internal::Grow(data_, cap_ * sizeof(T), size_ * sizeof(T), bytes));
    cap_ = bytes / sizeof(T);
  }
  void Release() {
    if (data_ != nullptr) pod_vector_internal::Free(data_, cap_ * sizeof(T));
    data_ = nullptr;
    size_ = cap_ = 0;
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace tracelane

#endif  // TRACELANE_VIEWER_LIB_POD_VECTOR_H_
