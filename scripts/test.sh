#!/usr/bin/env bash
# Quick start command 2: installs prerequisites, builds, and runs every test.
#   1. the full suite in the RelWithDebInfo build (build/)
#   2. the reader and recorder tests under ASan+UBSan (build-asan/, label "asan")
#   3. the concurrency tests under ThreadSanitizer (build-tsan/, label "tsan")
# Each stage ends with CTest's summary line. Idempotent: reuses existing builds.
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
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTRACELANE_SANITIZE=address \
    -DTRACELANE_BUILD_BENCH=OFF -DTRACELANE_BUILD_GUI=OFF -DTRACELANE_WERROR=ON
fi
cmake --build build-asan --parallel "$JOBS"
ctest --test-dir build-asan -L asan --output-on-failure -j "$JOBS" --timeout 900

echo "== TSan: concurrency tests =="
if [ ! -f build-tsan/build.ninja ]; then
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRACELANE_SANITIZE=thread \
    -DTRACELANE_BUILD_BENCH=OFF -DTRACELANE_BUILD_GUI=OFF -DTRACELANE_WERROR=ON
fi
cmake --build build-tsan --parallel "$JOBS"
# TSan needs ASLR compatible with its shadow layout on some kernels.
setarch "$(uname -m)" -R ctest --test-dir build-tsan -L tsan --output-on-failure -j "$JOBS" --timeout 900
