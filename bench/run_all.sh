#!/usr/bin/env bash
# Runs every spard benchmark against the binaries in BUILD_DIR (make bench calls this).
# JSON lines on stdout, also kept in BUILD_DIR/bench-results/<UTC time>.jsonl; progress on
# stderr. Figures are indicative on a shared machine: compare each against the baseline the same
# run measured (bench/README.md).
#
# Environment: SPARD_BENCH_EVENTS (default 2000000) for index_write and ingest,
# SPARD_BENCH_QUERY_EVENTS (default 5000000) for query, SPARD_BENCH_IMPORT_EVENTS (default
# 5000000) for import.
set -uo pipefail

BUILD=${1:-build}
BUILD=$(cd "$BUILD" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
EVENTS=${SPARD_BENCH_EVENTS:-2000000}
QUERY_EVENTS=${SPARD_BENCH_QUERY_EVENTS:-5000000}
IMPORT_EVENTS=${SPARD_BENCH_IMPORT_EVENTS:-5000000}
mkdir -p "$BUILD/bench-results"
OUT="$BUILD/bench-results/$(date -u +%Y%m%dT%H%M%SZ).jsonl"

status=0
# Each step's JSON lines go to stdout and to $OUT; a failing step is reported and the rest still
# run.
run() {
  echo "== $*" >&2
  "$@" | tee -a "$OUT"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    echo "== failed ($rc): $*" >&2
    status=1
  fi
}

run python3 "$HERE/benchlib.py"
run "$BUILD/bench/spard_bench_parse" --events 200000
run "$BUILD/bench/spard_bench_index_write" --events "$EVENTS"
run "$BUILD/bench/spard_bench_decoder"
run python3 "$HERE/ingest.py" --build-dir "$BUILD" --events "$EVENTS"
run python3 "$HERE/ingest.py" --build-dir "$BUILD" --events "$EVENTS" --format mixed --no-baseline
run python3 "$HERE/query.py" --build-dir "$BUILD" --events "$QUERY_EVENTS"
run python3 "$HERE/verify.py" --build-dir "$BUILD" --events "$EVENTS"
run python3 "$HERE/import.py" --build-dir "$BUILD" --events "$IMPORT_EVENTS"

echo "results: $OUT" >&2
exit $status
