// A translation unit compiled with TRACELANE_DISABLE, for api_test.cc.
#ifndef TRACELANE_TESTS_CORE_DISABLED_MACROS_H_
#define TRACELANE_TESTS_CORE_DISABLED_MACROS_H_

namespace tracelane::testing {

// Runs every tracing macro `iterations` times with TRACELANE_DISABLE defined.
// Returns how many times the TRACE_COUNTER value expression was evaluated (0).
int UseEveryMacroDisabled(int iterations);

}  // namespace tracelane::testing

#endif  // TRACELANE_TESTS_CORE_DISABLED_MACROS_H_
