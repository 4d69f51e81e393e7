#!/usr/bin/env bash
# Frame-time benchmark of tracelane-viewer on real captures: records busy
# processes with the real recorder (build/bin/record_busy: 4 workers, nested
# scopes, a shared lock, counters, pauses, stop-the-world), then renders 60
# frames headless at 1600x1000 (panning and zooming around the view) with the
# whole trace in view and with 1 ms in view, and prints each --frame-stats JSON.
#
#   bench/viewer_frames.sh [MILLIONS_OF_EVENTS...]     (default: 10 30)
#
# Targets (10M events): first frame <= 3 s, median <= 8 ms zoomed out and <= 4 ms
# at 1 ms, peak RSS <= 40 bytes per event.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/bin
mkdir -p out
run() {
  if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a -s "-screen 0 1600x1000x24" "$@"; fi
}
for m in "${@:-10 30}"; do
  for n in $m; do
    f="out/busy_${n}M.tlt"
    secs=$(( n < 10 ? 5 : n / 2 ))
    if [ ! -f "$f" ]; then
      "$BIN/record_busy" "$f" --events "${n}000000" --seconds "$secs"
    fi
    echo "== $f ($("$BIN/tracelane" info "$f" | awk '/^events/ {print $2}') events)"
    mid=$(( secs * 1000 / 2 ))
    echo -n "zoomed out: "
    run "$BIN/tracelane-viewer" "$f" --frames 60 --frame-stats
    echo -n "1 ms:       "
    run "$BIN/tracelane-viewer" "$f" --frames 60 --frame-stats --range "${mid}ms:$((mid + 1))ms"
  done
done
