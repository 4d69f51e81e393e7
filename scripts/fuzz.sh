#!/usr/bin/env bash
# Runs tracelane's libFuzzer targets (fuzz/README.md).
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]   one target
#   scripts/fuzz.sh --all SECONDS [libFuzzer flags...]    every target in turn
#   scripts/fuzz.sh --list                                the targets
# Builds build-fuzz/ first if needed (clang-14, TRACELANE_FUZZ=ON with the reader's
# checksums skipped; GUI, tests, benchmarks and examples off). The seed corpus
# fuzz/corpus/TARGET is copied into out/fuzz/TARGET/corpus (the repository's corpus
# is never written); findings (crash-*, timeout-*, oom-*, leak-*) and the log go
# to out/fuzz/TARGET/. Exits non-zero if any target found anything. Warnings are
# not errors in this build (the build matrix checks them).
# Environment: FUZZ_JOBS (cmake --build parallelism, default 2), FUZZ_BUILD_DIR,
# FUZZ_NO_BUILD=1 (run the binaries already built, e.g. while the tree changes),
# FUZZ_PARALLEL=N (run up to N targets at once; default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGETS=(trace_reader trace_analysis endpoint_request)
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}

# Number of finding files libFuzzer left in directory $1.
findings() {
  find "$1" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \
    -o -name 'leak-*' \) | wc -l
}
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
if [ "$1" = "--list" ]; then printf '%s\n' "${TARGETS[@]}"; exit 0; fi
[ $# -ge 2 ] || usage
WHAT=$1
SECONDS_EACH=$2
shift 2
[[ $SECONDS_EACH =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number" >&2; exit 2; }
if [ "$WHAT" = "--all" ]; then
  RUN=("${TARGETS[@]}")
else
  printf '%s\n' "${TARGETS[@]}" | grep -qx -- "$WHAT" ||
    { echo "fuzz.sh: unknown target '$WHAT' (one of: ${TARGETS[*]})" >&2; exit 2; }
  RUN=("$WHAT")
fi

for tool in clang-14 clang++-14; do
  command -v "$tool" >/dev/null ||
    { echo "fuzz.sh: $tool not found: run scripts/install-deps.sh" >&2; exit 2; }
done
if [ ! -f "$BUILD/build.ninja" ]; then
  launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 "${launcher[@]}" \
    -DTRACELANE_FUZZ=ON -DTRACELANE_FUZZ_SKIP_CHECKSUM=ON \
    -DTRACELANE_BUILD_TESTS=OFF -DTRACELANE_BUILD_BENCH=OFF -DTRACELANE_BUILD_EXAMPLES=OFF \
    -DTRACELANE_BUILD_GUI=OFF
fi
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  cmake --build "$BUILD" --parallel "${FUZZ_JOBS:-2}" --target "${RUN[@]/#/fuzz_}"
fi

# Fuzzes target $1; its report goes to stdout, its exit status says whether it
# found anything.
run_one() {
  local t=$1 out=$ROOT/out/fuzz/$1 d rc=0 before after
  mkdir -p "$out/corpus"
  if [ -d "$ROOT/fuzz/corpus/$t" ]; then cp -n "$ROOT/fuzz/corpus/$t"/* "$out/corpus/" 2>/dev/null || true; fi
  local dict=()
  case $t in trace_*) d=tlt.dict ;; *) d=$t.dict ;; esac
  if [ -f "$ROOT/fuzz/$d" ]; then dict=(-dict="$ROOT/fuzz/$d"); fi
  before=$(findings "$out")
  echo "fuzz.sh: $t for ${SECONDS_EACH} s (log: $out/fuzz.log)"
  # -rss_limit_mb / -timeout: the reader's memory and time must stay proportional
  # to its input; a hostile count or timestamp that breaks that is a finding.
  "$BUILD/bin/fuzz_$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
    -max_len=131072 -print_final_stats=1 -print_funcs=0 -artifact_prefix="$out/" "${dict[@]}" \
    "${FUZZ_FLAGS[@]}" "$out/corpus" >"$out/fuzz.log" 2>&1 || rc=$?
  after=$(findings "$out")
  grep -E '^stat::|^#[0-9]+.*DONE' "$out/fuzz.log" | tail -n 8 || true
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    echo "fuzz.sh: $t FOUND A PROBLEM (exit $rc; see $out/fuzz.log and $out/)"
    grep -m1 -E 'ERROR: |FUZZ_CHECK|runtime error' "$out/fuzz.log" || true
    return 1
  fi
  echo "fuzz.sh: $t clean"
}

FUZZ_FLAGS=("$@")
status=0
# FUZZ_PARALLEL=N runs up to N targets at once (CI: all of them, each for the
# whole SECONDS, sharing the cores); reports are printed in target order.
parallel=${FUZZ_PARALLEL:-1}
[[ $parallel =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: FUZZ_PARALLEL must be a positive number" >&2; exit 2; }
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
for ((i = 0; i < ${#RUN[@]}; i += parallel)); do
  pids=()
  for t in "${RUN[@]:i:parallel}"; do
    run_one "$t" >"$reports/$t" 2>&1 &
    pids+=($!)
  done
  for k in "${!pids[@]}"; do
    t=${RUN[$((i + k))]}
    if ! wait "${pids[$k]}"; then status=1; fi
    cat "$reports/$t"
  done
done
exit $status
