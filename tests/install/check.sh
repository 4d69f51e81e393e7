#!/usr/bin/env bash
# Proves tracelane can be consumed by another CMake project:
#   1. find_package: installs BUILD_DIR into a temporary prefix with `cmake --install`,
#      then configures, builds and runs tests/install as an outside project.
#   2. add_subdirectory (with --subdir): builds tracelane from source inside the
#      consumer. Slower (compiles the library again), so off by default.
# Each run's trace is checked with BUILD_DIR/bin/tracelane info when available.
# Usage: tests/install/check.sh [BUILD_DIR] [--subdir] [--no-build]
#   BUILD_DIR defaults to build/. --no-build skips bringing BUILD_DIR up to date first
#   (CTest uses it: the tree is already built, and tests may be running its binaries).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/../.." && pwd)"
build="$src/build"
subdir=0
build_first=1
for arg in "$@"; do
  case "$arg" in
    --subdir) subdir=1 ;;
    --no-build) build_first=0 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) build="$(cd "$arg" && pwd)" ;;
  esac
done
[ -f "$build/CMakeCache.txt" ] || { echo "check.sh: $build is not a configured build dir" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/tracelane-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
jobs="${JOBS:-2}"

cli="$build/bin/tracelane"
inspect() {
  if [ -x "$cli" ]; then "$cli" info "$1" | sed 's/^/  /'; fi
}

echo "== find_package: install $build into $work/prefix =="
if [ "$build_first" = 1 ]; then  # install needs every installed target built
  cmake --build "$build" --parallel "$jobs" >/dev/null
fi
cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/tracelane/tracelane.h"
test -f "$work/prefix/lib/cmake/tracelane/tracelaneConfig.cmake" \
  || test -f "$work/prefix/lib/$(uname -m)-linux-gnu/cmake/tracelane/tracelaneConfig.cmake"
cmake -S "$here" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" --parallel "$jobs" >/dev/null
"$work/consumer/consumer" "$work/find_package.tlt"
inspect "$work/find_package.tlt"

if [ "$subdir" = 1 ]; then
  echo "== add_subdirectory: build tracelane from $src inside the consumer =="
  cmake -S "$here" -B "$work/subdir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DTRACELANE_SOURCE_DIR="$src" >/dev/null
  cmake --build "$work/subdir" --parallel "$jobs" --target consumer >/dev/null
  "$work/subdir/consumer" "$work/subdir.tlt"
  inspect "$work/subdir.tlt"
fi
echo "check.sh: OK"
