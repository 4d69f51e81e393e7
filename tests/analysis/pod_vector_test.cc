// PodVector: the model's growable arrays (viewer/lib/pod_vector.h). Each test
// checks contents against a std::vector doing the same operations, across the
// malloc -> mapping threshold and through remaps.
#include "viewer/lib/pod_vector.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace tracelane {
namespace {

struct Item {
  int64_t a;
  uint32_t b;
  bool operator==(const Item&) const = default;
};

template <typename T>
void ExpectSame(const PodVector<T>& p, const std::vector<T>& v) {
  ASSERT_EQ(p.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(p[i], v[i]) << "at " << i;
}

TEST(PodVector, PushBackKeepsEveryElementThroughRemaps) {
  // 24 MB of 16-byte items: crosses the 1 MiB mapping threshold and doubles
  // (remaps) several times after it.
  PodVector<Item> p;
  std::vector<Item> v;
  for (int64_t i = 0; i < 1500000; ++i) {
    p.push_back(Item{i * 7, static_cast<uint32_t>(i)});
    v.push_back(Item{i * 7, static_cast<uint32_t>(i)});
  }
  ExpectSame(p, v);
  EXPECT_GE(p.capacity(), p.size());
  EXPECT_EQ(p.back(), v.back());
  EXPECT_EQ(p.front(), v.front());
}

TEST(PodVector, PushingAnElementOfItselfWhileGrowingCopiesItFirst) {
  PodVector<int64_t> p{1, 2, 3};
  while (p.size() < 300000) p.push_back(p[p.size() / 2]);  // growth moves the buffer
  std::vector<int64_t> v{1, 2, 3};
  while (v.size() < 300000) v.push_back(v[v.size() / 2]);
  ExpectSame(p, v);
}

TEST(PodVector, RandomOperationsMatchStdVector) {
  std::mt19937_64 rng(42);
  PodVector<uint32_t> p;
  std::vector<uint32_t> v;
  for (int step = 0; step < 4000; ++step) {
    const int op = static_cast<int>(rng() % 8);
    const auto x = static_cast<uint32_t>(rng());
    if (op <= 2) {
      const size_t n = rng() % 2000;  // bursts that cross the threshold both ways
      for (size_t i = 0; i < n; ++i) {
        p.push_back(x + static_cast<uint32_t>(i));
        v.push_back(x + static_cast<uint32_t>(i));
      }
    } else if (op == 3 && !v.empty()) {
      const size_t n = rng() % (v.size() + 1);
      p.resize(p.size() - n);
      v.resize(v.size() - n);
    } else if (op == 4) {
      const size_t at = v.empty() ? 0 : rng() % (v.size() + 1);
      const std::vector<uint32_t> ins(rng() % 50, x);
      p.insert(p.begin() + at, ins.begin(), ins.end());
      v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), ins.begin(), ins.end());
    } else if (op == 5 && !v.empty()) {
      const size_t a = rng() % v.size();
      const size_t b = a + rng() % (v.size() - a + 1);
      p.erase(p.begin() + a, p.begin() + b);
      v.erase(v.begin() + static_cast<std::ptrdiff_t>(a),
              v.begin() + static_cast<std::ptrdiff_t>(b));
    } else if (op == 6) {
      const size_t n = v.size() + rng() % 300000;
      p.resize(n);  // grows with zeros
      v.resize(n);
    } else if (op == 7 && rng() % 4 == 0) {
      p.shrink_to_fit();
      EXPECT_EQ(p.capacity() >= p.size(), true);
    }
    ASSERT_EQ(p.size(), v.size()) << "step " << step;
  }
  ExpectSame(p, v);
}

TEST(PodVector, CopiesAreDeepAndMovesLeaveTheSourceEmpty) {
  PodVector<int64_t> a;
  for (int64_t i = 0; i < 200000; ++i) a.push_back(i);  // mapped (1.6 MB)
  PodVector<int64_t> b = a;
  b[0] = -1;
  EXPECT_EQ(a[0], 0);
  EXPECT_EQ(b.size(), a.size());
  PodVector<int64_t> c = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(c.size(), 200000u);
  EXPECT_EQ(c[199999], 199999);
  c = b;
  EXPECT_EQ(c, b);
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_NE(c, b);
  PodVector<int64_t> small{1, 2, 3};
  small.swap(c);
  EXPECT_EQ(small.size(), 200000u);
  EXPECT_EQ(c, (PodVector<int64_t>{1, 2, 3}));
}

}  // namespace
}  // namespace tracelane
