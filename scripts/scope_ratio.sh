#!/usr/bin/env bash
# Runs build/bin/tracelane_bench RUNS times (default 5) and prints, per run, the
# median of 7 repetitions of BM_TraceScope over the same run's BM_Floor, for one
# thread and per thread with two (issue 2's target: at most 1.1x).
# Usage: scripts/scope_ratio.sh [RUNS] [BENCH_BINARY]
set -euo pipefail
runs="${1:-5}"
bin="${2:-$(cd "$(dirname "$0")/.." && pwd)/build/bin/tracelane_bench}"
[ -x "$bin" ] || { echo "scope_ratio.sh: $bin not built (run scripts/build.sh)" >&2; exit 1; }
for _ in $(seq "$runs"); do
  "$bin" --benchmark_repetitions=7 --benchmark_report_aggregates_only=true \
    --benchmark_filter='Floor|Scope$|Scope/' --benchmark_format=csv 2>/dev/null |
    awk -F, '/median/ { n = $1; gsub(/"/, "", n); t[n] = $4 }
      END { printf "1 thread: scope %.2f ns / floor %.2f ns = %.3fx   2 threads: %.2f / %.2f = %.3fx\n",
              t["BM_TraceScope_median"], t["BM_Floor_median"],
              t["BM_TraceScope_median"] / t["BM_Floor_median"],
              t["BM_TraceScope/threads:2_median"], t["BM_Floor/threads:2_median"],
              t["BM_TraceScope/threads:2_median"] / t["BM_Floor/threads:2_median"] }'
done
