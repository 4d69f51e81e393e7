#!/usr/bin/env bash
# Quick start command 2: installs prerequisites, builds, and runs every test.
#   1. the full suite in the RelWithDebInfo build (build/)
#   2. the reader and recorder tests under ASan+UBSan (build-asan/, label "asan")
#   3. the concurrency tests under ThreadSanitizer (build-tsan/, label "tsan")
#   4. a clang Release build of the library, CLI and viewer (build-clang-release/),
#      warnings as errors, whose `summary` of a fresh capture must equal g++'s
#   5. every libFuzzer target for 60 s, all at once (build-fuzz/, scripts/fuzz.sh)
# Each test stage ends with CTest's summary line. Idempotent: reuses existing
# builds. The sanitizer stages build only the tests they run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
JOBS="$(nproc)"

echo "== build (RelWithDebInfo) =="
scripts/build.sh
echo "== tests =="
ctest --test-dir build --output-on-failure -j "$JOBS" --timeout 600

echo "== ASan+UBSan: reader and recorder tests =="
if [ ! -f build-asan/build.ninja ]; then
  # -g1 (line tables: what sanitizer reports need) compiles faster than full -g.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTRACELANE_SANITIZE=address \
    -DTRACELANE_BUILD_BENCH=OFF -DTRACELANE_BUILD_GUI=OFF -DTRACELANE_WERROR=ON \
    -DCMAKE_C_FLAGS_DEBUG=-g1 -DCMAKE_CXX_FLAGS_DEBUG=-g1
fi
cmake --build build-asan --parallel "$JOBS" --target tracelane_asan_tests
ctest --test-dir build-asan -L asan --output-on-failure -j "$JOBS" --timeout 900

echo "== TSan: concurrency tests =="
if [ ! -f build-tsan/build.ninja ]; then
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRACELANE_SANITIZE=thread \
    -DTRACELANE_BUILD_BENCH=OFF -DTRACELANE_BUILD_GUI=OFF -DTRACELANE_WERROR=ON \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
fi
cmake --build build-tsan --parallel "$JOBS" --target tracelane_tsan_tests
# TSan needs ASLR compatible with its shadow layout on some kernels.
setarch "$(uname -m)" -R ctest --test-dir build-tsan -L tsan --output-on-failure -j "$JOBS" --timeout 900

echo "== clang Release: library, CLI and viewer =="
if [ ! -f build-clang-release/build.ninja ]; then
  cmake -S . -B build-clang-release -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTRACELANE_WERROR=ON \
    -DTRACELANE_BUILD_TESTS=OFF -DTRACELANE_BUILD_BENCH=OFF -DTRACELANE_BUILD_EXAMPLES=OFF
fi
cmake --build build-clang-release --parallel "$JOBS" --target tracelane tracelane_cli tracelane_viewer
# The same analysis from either compiler: a capture recorded by the g++ build,
# summarized by both.
capture="$(mktemp --suffix=.tlt)"
trap 'rm -f "$capture"' EXIT
build/bin/record_busy "$capture" --events 300000 --seconds 2 --threads 2 >/dev/null
cmp <(build/bin/tracelane summary "$capture") <(build-clang-release/bin/tracelane summary "$capture")
echo "clang Release: built; its summary of a fresh capture equals g++'s"

echo "== fuzz: each libFuzzer target for 60 s (the three at once) =="
# Built with clang-14, ASan+UBSan and the reader's checksums skipped (build-fuzz/);
# a crash, leak, timeout or out-of-memory is a failure. fuzz/README.md.
FUZZ_PARALLEL=3 scripts/fuzz.sh --all 60
