// Compiled with -DTRACELANE_DISABLE (see CMakeLists.txt): every macro must compile
// to nothing. UseEveryMacroDisabled() records nothing and evaluates no argument.
#ifndef TRACELANE_DISABLE
#error "this file must be compiled with -DTRACELANE_DISABLE"
#endif

#include "tests/core/disabled_macros.h"
#include "tracelane/tracelane.h"

namespace tracelane::testing {

int UseEveryMacroDisabled(int iterations) {
  int side_effects = 0;
  TRACE_THREAD_NAME("disabled-thread");
  for (int i = 0; i < iterations; ++i) {
    TRACE_SCOPE("disabled_scope");
    TRACE_SCOPE();
    TRACE_INSTANT("disabled_instant");
    TRACE_COUNTER("disabled_counter", ++side_effects);  // must not be evaluated
    TRACE_COUNTER("disabled_double", 2.5 * i);
  }
  return side_effects;
}

}  // namespace tracelane::testing
