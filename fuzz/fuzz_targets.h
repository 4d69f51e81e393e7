// The entry functions of tracelane's libFuzzer targets (fuzz/README.md). Each
// runs one input through the code under test and returns what that code said;
// it aborts (a finding) only when the code breaks a promise the target checks
// (e.g. the serial and parallel readers disagree). The fuzz binaries call them
// from LLVMFuzzerTestOneInput (libfuzzer_main.cc); the regression test
// (tests/fuzz) replays fuzz/regressions/<target>/ through the same functions in
// the normal build.
#ifndef TRACELANE_FUZZ_FUZZ_TARGETS_H_
#define TRACELANE_FUZZ_FUZZ_TARGETS_H_

#include <string>
#include <string_view>

namespace tracelane::fuzz {

// What one input gave: accepted (the trace loaded, the request was served) or
// the clean error the code returned. `error` is empty when accepted.
struct FuzzOutcome {
  bool accepted = false;
  std::string error;
};

// trace_reader: the bytes as a .tlt file through the serial reader (strict and
// salvage), the streaming reader, the parallel reader with 2 workers and the
// model builder (serial trace -> BuildModel, and LoadModelFromBytes with 2
// workers); checks that the readers agree. O(input) time and memory.
FuzzOutcome FuzzTraceReader(std::string_view data);

// trace_analysis: the bytes as a .tlt file loaded in salvage mode, then the
// Chrome export, the three pprof profiles, scope statistics, explain of the
// slowest instance and of one picked by the input, `why` of the slowest scope
// and the loss summary.
FuzzOutcome FuzzTraceAnalysis(std::string_view data);

// endpoint_request: the bytes as an HTTP request (request line, headers) planned
// by PlanEndpointRequest with and without a token, plus ParseHostPort and
// IsLoopbackHost of the target; checks the plan's invariants (401 without the
// right token, 4xx bodies that say "tracelane endpoint:", captures within limits).
FuzzOutcome FuzzEndpointRequest(std::string_view data);

// Puts valid checksums into a .tlt-like input (file header, every block header
// walked from offset 72 and its payload): inputs a fuzz build made with
// TRACELANE_FUZZ_SKIP_CHECKSUM then reach the same decoders in a normal build.
// Returns the repaired copy. O(size).
std::string RepairChecksums(std::string_view data);

}  // namespace tracelane::fuzz

#endif  // TRACELANE_FUZZ_FUZZ_TARGETS_H_
