#!/usr/bin/env bash
# Quick start command 1: installs prerequisites, builds, runs the traced example
# and summarizes its trace.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
mkdir -p out
build/bin/minimal out/minimal.tlt
build/bin/tracelane info out/minimal.tlt
