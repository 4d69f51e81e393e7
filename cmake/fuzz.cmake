# libFuzzer builds (TRACELANE_FUZZ=ON, clang only; fuzz/README.md, scripts/fuzz.sh).
# Included from the top-level CMakeLists.txt before any target is defined: every
# library of the build is compiled with -fsanitize=fuzzer-no-link (coverage for the
# fuzzer) plus ASan and UBSan; the fuzz targets in fuzz/ link -fsanitize=fuzzer.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR
    "TRACELANE_FUZZ needs clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}: configure with "
    "-DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 (Debian: clang-14 and "
    "libclang-rt-14-dev, see scripts/install-deps.sh), or use scripts/fuzz.sh")
endif()
if(NOT TRACELANE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TRACELANE_FUZZ brings its own sanitizers: leave TRACELANE_SANITIZE empty")
endif()
set(TRACELANE_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
                         -fno-omit-frame-pointer)
add_compile_options(-fsanitize=fuzzer-no-link ${TRACELANE_FUZZ_FLAGS})
add_link_options(-fsanitize=address,undefined)
if(TRACELANE_FUZZ_SKIP_CHECKSUM)
  # The reader accepts any crc32 (viewer/lib/block_codec.h, ChecksumMatches).
  add_compile_definitions(TRACELANE_FUZZ_SKIP_CHECKSUM)
endif()
