#!/usr/bin/env bash
# Configures and builds tracelane into build/ (binaries in build/bin/), warnings as
# errors (the project's own build; a plain cmake build leaves them warnings). Idempotent.
# Usage: scripts/build.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRACELANE_WERROR=ON "$@"
fi
cmake --build build --parallel "$(nproc)"
