// Helpers for the analysis tests: loading synthetic traces into models.
#ifndef TRACELANE_TESTS_ANALYSIS_TEST_SUPPORT_H_
#define TRACELANE_TESTS_ANALYSIS_TEST_SUPPORT_H_

#include <string>

#include "gtest/gtest.h"
#include "viewer/analysis/model.h"

namespace tracelane::testing {

inline analysis::Model MustLoad(const std::string& bytes, const std::string& name = "test.tlt") {
  absl::StatusOr<analysis::Model> m = analysis::LoadModelFromBytes(bytes, name);
  EXPECT_TRUE(m.ok()) << m.status();
  if (!m.ok()) return analysis::Model();
  return *std::move(m);
}

inline uint32_t ThreadIndex(const analysis::Model& m, int64_t tid) {
  for (uint32_t i = 0; i < m.threads.size(); ++i) {
    if (m.threads[i].tid == tid) return i;
  }
  ADD_FAILURE() << "no thread " << tid;
  return 0;
}

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_ANALYSIS_TEST_SUPPORT_H_
