// A bounded lock-free MPMC queue of 32-bit indices (Dmitry Vyukov's design).
// Push and Pop are wait-free in the uncontended case: one CAS and two atomic loads.
#ifndef TRACELANE_TRACER_INDEX_QUEUE_H_
#define TRACELANE_TRACER_INDEX_QUEUE_H_

#include <atomic>
#include <cstdint>
#include <memory>

namespace tracelane::internal {

class IndexQueue {
 public:
  // Prepares for at most `capacity` elements (rounded up to a power of two).
  // Not thread-safe; call before use.
  void Init(uint32_t capacity) {
    uint64_t n = 1;
    while (n < capacity) n <<= 1;
    cells_ = std::make_unique<Cell[]>(n);
    for (uint64_t i = 0; i < n; ++i) cells_[i].seq.store(i, std::memory_order_relaxed);
    mask_ = n - 1;
    head_.store(0, std::memory_order_relaxed);
    tail_.store(0, std::memory_order_relaxed);
  }

  // Appends `v`. Returns false if full.
  bool Push(uint32_t v) {
    uint64_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      const uint64_t seq = cell.seq.load(std::memory_order_acquire);
      const int64_t diff = static_cast<int64_t>(seq) - static_cast<int64_t>(pos);
      if (diff == 0) {
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          cell.value.store(v, std::memory_order_relaxed);
          cell.seq.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  // Removes the oldest element into `*v` only if `pred(oldest)` holds. Returns false
  // if the queue is empty or the oldest element fails the predicate. The head cell
  // cannot change while `head_` points at it, so the value the predicate saw is
  // the value removed. Used for flight-recorder retention (age out old chunks).
  template <typename Pred>
  bool PopIf(Pred pred, uint32_t* v) {
    uint64_t pos = head_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      const uint64_t seq = cell.seq.load(std::memory_order_acquire);
      const int64_t diff = static_cast<int64_t>(seq) - static_cast<int64_t>(pos + 1);
      if (diff == 0) {
        const uint32_t value = cell.value.load(std::memory_order_relaxed);
        if (!pred(value)) return false;
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          *v = value;
          cell.seq.store(pos + mask_ + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = head_.load(std::memory_order_relaxed);
      }
    }
  }

  // Removes the oldest element into `*v`. Returns false if empty.
  bool Pop(uint32_t* v) {
    return PopIf([](uint32_t) { return true; }, v);
  }

 private:
  struct Cell {
    std::atomic<uint64_t> seq{0};
    // Atomic (relaxed: a plain mov) because PopIf reads it before winning the
    // CAS, possibly while the cell is being recycled; the CAS decides.
    std::atomic<uint32_t> value{0};
  };
  std::unique_ptr<Cell[]> cells_;
  uint64_t mask_ = 0;
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
};

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_INDEX_QUEUE_H_
