#!/usr/bin/env bash
# Frame-time benchmark of tracelane-viewer's analysis panels on a real capture:
# for the timeline alone (the baseline) and each panel view (threads, locks,
# scopes, mmu) renders 60 frames headless at 1600x1000 with 1 ms of the trace
# in view (so the frame is mostly the panel's), waiting first for the panel's
# tables (computed off the UI thread); then the same with the table re-sorted by
# the next column every frame (--sort-each-frame), then limited to a 100 ms range
# selection (--limit-to-range); and prints each --frame-stats JSON.
#
#   bench/viewer_panels.sh [TRACE] [BUILD_DIR]   (default: out/busy_10M.tlt, build)
#
# Target (10M events): median frame <= 8 ms in every line.
set -euo pipefail
cd "$(dirname "$0")/.."
TRACE="${1:-out/busy_10M.tlt}"
BIN="${2:-build}/bin"
run() {
  if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a -s "-screen 0 1600x1000x24" "$@"; fi
}
if [ ! -f "$TRACE" ]; then
  mkdir -p "$(dirname "$TRACE")"
  "$BIN/record_busy" "$TRACE" --events 10000000 --seconds 5
fi
echo "== $TRACE ($("$BIN/tracelane" info "$TRACE" | awk '/^events/ {print $2}') events)"
for view in timeline threads locks scopes mmu; do
  echo -n "$view: "
  run "$BIN/tracelane-viewer" "$TRACE" --view "$view" --frames 60 --frame-stats --range 1s:1.001s
  if [ "$view" != mmu ] && [ "$view" != timeline ]; then
    echo -n "$view sorting every frame: "
    run "$BIN/tracelane-viewer" "$TRACE" --view "$view" --frames 60 --frame-stats \
      --range 1s:1.001s --sort-each-frame
    echo -n "$view limited to 1s:1.1s: "
    run "$BIN/tracelane-viewer" "$TRACE" --view "$view" --frames 60 --frame-stats \
      --range 1s:1.1s --limit-to-range
  fi
done
