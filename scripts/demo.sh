#!/usr/bin/env bash
# Quick start command 1: installs prerequisites, builds, runs the demo service
# with its capture endpoint on loopback, takes a 5-second capture over HTTP, and
# prints the summary and the explanation of the slowest request, then shows the
# timeline (the viewer's window when there is a display, else a screenshot).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
mkdir -p out
PORT="${TRACELANE_DEMO_PORT:-6060}"

build/bin/demo_service --seconds=9 --endpoint="127.0.0.1:${PORT}" &
DEMO_PID=$!
trap 'kill "$DEMO_PID" 2>/dev/null || true' EXIT
sleep 1.5   # let it warm up
build/bin/tracelane capture "127.0.0.1:${PORT}" --seconds 5 -o out/demo.tlt
wait "$DEMO_PID"
trap - EXIT

echo
build/bin/tracelane summary out/demo.tlt
echo
build/bin/tracelane explain out/demo.tlt --scope handle_request --rank 1
echo
# The timeline: in a window when there is a display, else as a picture.
VIEWER=build/bin/tracelane-viewer
if [ -x "$VIEWER" ] && [ -n "${DISPLAY:-}" ] && [ -z "${TRACELANE_DEMO_NO_WINDOW:-}" ]; then
  echo "Opening the timeline on the slowest request (close the window to finish)"
  "$VIEWER" out/demo.tlt --select-scope handle_request --rank 1 || true
elif [ -x "$VIEWER" ] && command -v xvfb-run >/dev/null; then
  xvfb-run -a -s "-screen 0 1600x1000x24" "$VIEWER" out/demo.tlt \
    --select-scope handle_request --rank 1 --screenshot out/demo_timeline.png
  echo "No display: the timeline of the slowest request is in out/demo_timeline.png"
  echo "(on a desktop: build/bin/tracelane-viewer out/demo.tlt)"
fi
echo
echo "Next: build/bin/tracelane-viewer out/demo.tlt, build/bin/tracelane threads|locks|scopes|mmu out/demo.tlt,"
echo "      or build/bin/tracelane export out/demo.tlt --chrome out/demo.json (open in ui.perfetto.dev)"
