#!/usr/bin/env bash
# Runs the three Foundation benchmarks from an existing build directory (builds nothing) and prints a summary.
set -uo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR   (build first: ninja -C BUILD_DIR parleyd foundation_benchmarks)" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
bench="$build_dir/benchmarks"
parleyd="$build_dir/apps/parleyd"
for program in "$parleyd" "$bench/raw_wss_echo" "$bench/ws_ping_bench" "$bench/ws_idle_memory_bench" \
               "$bench/durable_write_bench"; do
  if [ ! -x "$program" ]; then
    echo "missing $program: build it first (ninja -C $build_dir parleyd foundation_benchmarks)" >&2
    exit 2
  fi
done

# 10,000 client sockets here plus 10,000 in parleyd: both need the hard limit.
ulimit -n "$(ulimit -Hn)"
logs=$(mktemp -d "${TMPDIR:-/tmp}/parley-foundation-XXXXXX")
failed=0

run() {
  local name=$1
  shift
  echo "== $name"
  "$@" 2>&1 | tee "$logs/$name.txt"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    echo "$name failed (exit $rc)" | tee -a "$logs/$name.txt"
    failed=1
  fi
  echo
}

run ws_ping_bench "$bench/ws_ping_bench" --parleyd="$parleyd" --raw-echo="$bench/raw_wss_echo"
run ws_idle_memory_bench "$bench/ws_idle_memory_bench" --parleyd="$parleyd"
run durable_write_bench "$bench/durable_write_bench"

echo "== summary ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ); full output in $logs)"
grep -h -e '^summary:' -e ' failed (exit' "$logs"/*.txt | sed 's/^summary: //'
exit $failed
