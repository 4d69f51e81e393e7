#!/usr/bin/env bash
# The build matrix of docs/RELIABILITY.md: builds everything with warnings as
# errors and runs every test, for each compiler and build type given.
#   scripts/build-matrix.sh                       # g++ and clang x Debug, RelWithDebInfo, Release
#   scripts/build-matrix.sh clang Release         # one cell
#   MATRIX_TESTS=0 scripts/build-matrix.sh ...    # build only
# Build trees: build-matrix/<compiler>-<type>/ (reused). Prints one line per cell,
# "<compiler> <type>: build ok|FAILED, tests <passed>/<total>", and exits non-zero
# if any cell failed. Takes about 10 minutes per cell on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >/dev/null

compilers=(gcc clang)
types=(Debug RelWithDebInfo Release)
if [ $# -ge 1 ]; then compilers=("$1"); fi
if [ $# -ge 2 ]; then types=("$2"); fi
jobs="$(nproc)"
status=0
summary=()
for cc in "${compilers[@]}"; do
  case "$cc" in
    gcc) cxx=(-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++) ;;
    clang) cxx=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
    *) echo "build-matrix: unknown compiler '$cc' (gcc or clang)" >&2; exit 2 ;;
  esac
  for type in "${types[@]}"; do
    dir="build-matrix/$cc-$type"
    log="$dir.log"
    mkdir -p build-matrix
    echo "== $cc $type ($dir, log $log) =="
    line="$cc $type:"
    if cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "${cxx[@]}" \
         -DTRACELANE_WERROR=ON >"$log" 2>&1 &&
       cmake --build "$dir" --parallel "$jobs" >>"$log" 2>&1; then
      warnings=$(grep -c "warning:" "$log" || true)
      line="$line build ok ($warnings warnings)"
      if [ "${MATRIX_TESTS:-1}" != 0 ]; then
        if ctest --test-dir "$dir" -j "$jobs" --timeout 900 >>"$log" 2>&1; then :; else status=1; fi
        line="$line, $(grep -E "tests passed" "$log" | tail -1)"
      fi
    else
      status=1
      line="$line build FAILED (see $log)"
    fi
    echo "$line"
    summary+=("$line")
  done
done
echo "== matrix =="
printf '%s\n' "${summary[@]}"
exit $status
