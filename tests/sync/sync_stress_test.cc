// Eight threads hammering traced mutexes, shared mutexes and condvars for two
// seconds. Run under ThreadSanitizer (build-tsan, label "tsan"): no reports, no
// deadlock, and the protected state stays consistent.
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tracelane/capture.h"
#include "tracelane/sync.h"
#include "tracelane/trace.h"

namespace tracelane {
namespace {

TEST(SyncStressTest, EightThreadsTwoSeconds) {
  constexpr int kThreads = 8;
  constexpr int kQueueCap = 16;
  Mutex counters_mu("counters");
  int64_t counter_a = 0, counter_b = 0;  // always equal under counters_mu
  SharedMutex table_mu("table");
  std::vector<int64_t> table(64, 0);  // every entry equal under table_mu
  Mutex queue_mu("queue");
  CondVar not_empty("not empty"), not_full("not full");
  std::deque<int64_t> queue;
  int64_t produced = 0, consumed = 0;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> inconsistencies{0};

  auto worker = [&](int id) {
    TRACE_THREAD_NAME("stress");
    uint64_t rng = 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(id + 1);
    while (!stop.load(std::memory_order_relaxed)) {
      rng ^= rng << 13;
      rng ^= rng >> 7;
      rng ^= rng << 17;
      switch (rng % 6) {
        case 0: {
          std::lock_guard<Mutex> lock(counters_mu);
          ++counter_a;
          ++counter_b;
          break;
        }
        case 1: {
          std::unique_lock<Mutex> lock(counters_mu, std::try_to_lock);
          if (lock.owns_lock() && counter_a != counter_b) ++inconsistencies;
          break;
        }
        case 2: {
          std::shared_lock<SharedMutex> lock(table_mu);
          for (int64_t v : table) {
            if (v != table[0]) ++inconsistencies;
          }
          break;
        }
        case 3: {
          std::unique_lock<SharedMutex> lock(table_mu);
          for (int64_t& v : table) ++v;
          break;
        }
        case 4: {  // producer: bounded queue, timed waits so shutdown never hangs
          std::unique_lock<Mutex> lock(queue_mu);
          if (not_full.wait_for(lock, std::chrono::milliseconds(5),
                                [&] { return queue.size() < kQueueCap; })) {
            queue.push_back(++produced);
            not_empty.notify_one();
          }
          break;
        }
        case 5: {  // consumer
          std::unique_lock<Mutex> lock(queue_mu);
          if (not_empty.wait_for(lock, std::chrono::milliseconds(5),
                                 [&] { return !queue.empty(); })) {
            queue.pop_front();
            ++consumed;
            if (queue.size() + 1 == kQueueCap) not_full.notify_all();
          }
          break;
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(worker, i);
  // A capture while everything runs: readers of the buffers race with writers.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::ostringstream sink;
  EXPECT_TRUE(WriteTrace(sink).ok());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(inconsistencies.load(), 0);
  EXPECT_EQ(counter_a, counter_b);
  for (int64_t v : table) EXPECT_EQ(v, table[0]);
  EXPECT_EQ(produced - consumed, static_cast<int64_t>(queue.size()));
  EXPECT_GT(counter_a, 0);
  EXPECT_GT(consumed, 0);
}

}  // namespace
}  // namespace tracelane
