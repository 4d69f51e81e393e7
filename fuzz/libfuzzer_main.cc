// libFuzzer's entry point for one target: TRACELANE_FUZZ_ENTRY names the entry
// function (fuzz_targets.h), set per binary by fuzz/CMakeLists.txt.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tracelane::fuzz::TRACELANE_FUZZ_ENTRY(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
