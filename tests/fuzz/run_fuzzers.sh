#!/usr/bin/env bash
# Runs every libFuzzer target of a SPARD_FUZZ build for SECONDS each, one after the other, on a
# scratch copy of its seed corpus (the in-tree corpus is never modified). Prints one JSON line
# per target:
#   {"fuzzer":"decoder_fuzzer","execs":123456,"seconds":60,"exec_per_sec":2057,"peak_rss_mb":80,"ok":true}
# Exits non-zero if any target crashed, leaked, timed out or is missing; crash inputs are kept in
# BUILD_DIR/fuzz-artifacts/.
#
# usage: tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
bin_dir="$build/tests/fuzz"
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
targets=()
for corpus in "$here"/corpus/*/; do targets+=("$(basename "$corpus")"); done
if [ ${#targets[@]} -eq 0 ]; then
  echo "no corpora under $here/corpus" >&2
  exit 1
fi

status=0
for name in "${targets[@]}"; do
  bin="$bin_dir/$name"
  if [ ! -x "$bin" ]; then
    echo "{\"fuzzer\":\"$name\",\"execs\":0,\"seconds\":0,\"ok\":false,\"error\":\"not built\"}"
    status=1
    continue
  fi
  mkdir -p "$work/$name"
  cp -R "$here/corpus/$name/." "$work/$name/"
  log="$work/$name.log"
  start=$(date +%s)
  rc=0
  "$bin" -max_total_time="$seconds" -timeout=25 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$name-" "$work/$name" >"$log" 2>&1 || rc=$?
  elapsed=$(( $(date +%s) - start ))
  stat() { grep -oE "stat::$1: *[0-9]+" "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0; }
  execs=$(stat number_of_executed_units)
  rate=$(stat average_exec_per_sec)
  rss=$(stat peak_rss_mb)
  ok=true
  if [ "$rc" -ne 0 ]; then
    ok=false
    status=1
    echo "--- $name failed (exit $rc); last lines of its log:" >&2
    tail -n 40 "$log" >&2
  fi
  printf '{"fuzzer":"%s","execs":%s,"seconds":%s,"exec_per_sec":%s,"peak_rss_mb":%s,"ok":%s}\n' \
    "$name" "$execs" "$elapsed" "$rate" "$rss" "$ok"
done
exit $status
