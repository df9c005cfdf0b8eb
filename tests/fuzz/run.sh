#!/usr/bin/env bash
# Builds the media fuzz targets in a given folder and runs each for a short, fixed budget,
# seeded from tests/data; exits non-zero if any target crashes or fails to build.
# Usage: tests/fuzz/run.sh <build-dir> [seconds-per-target]
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 <build-dir> [seconds-per-target]" >&2
  exit 2
fi
build_dir=$(mkdir -p "$1" && cd "$1" && pwd)
seconds=${2:-20}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data="$here/../data"

CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build_dir" --target stun_fuzzer rtp_fuzzer rtcp_fuzzer sdp_fuzzer dtls_fuzzer srtp_fuzzer

declare -A seeds=([stun]=stun [rtp]=rtp [rtcp]=rtcp [sdp]=sdp [dtls]=dtls [srtp]=rtp)
status=0
for target in stun rtp rtcp sdp dtls srtp; do
  # A writable corpus per target, so new inputs never land in tests/data.
  corpus="$build_dir/corpus/$target"
  mkdir -p "$corpus" "$build_dir/artifacts/$target"
  cp -n "$data/${seeds[$target]}"/* "$corpus/" 2>/dev/null || true
  echo "== ${target}_fuzzer: ${seconds}s"
  if ! "$build_dir/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build_dir/artifacts/$target/" "$corpus" \
      >"$build_dir/${target}.log" 2>&1; then
    echo "FAILED: ${target}_fuzzer (log: $build_dir/${target}.log)"
    tail -n 40 "$build_dir/${target}.log"
    status=1
  else
    grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "$build_dir/${target}.log" | tail -n 2 || true
  fi
done
exit $status
