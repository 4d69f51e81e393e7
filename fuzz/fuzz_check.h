// FUZZ_CHECK(cond, format, ...): a promise the code under test broke. Prints the
// message and aborts, which libFuzzer reports as a crash and a regression test
// as a failed test. For the fuzz entry functions only.
#ifndef TRACELANE_FUZZ_FUZZ_CHECK_H_
#define TRACELANE_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                                            \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                                 \
      std::fprintf(stderr, "\n");                                                        \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

#endif  // TRACELANE_FUZZ_FUZZ_CHECK_H_
