#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the normal build, then an
# AddressSanitizer + UndefinedBehaviorSanitizer build, then the parser fuzzers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh" --test
ulimit -n "$(ulimit -Hn)" || true
export CTEST_OUTPUT_ON_FAILURE=1

echo "== build and test (RelWithDebInfo)"
"$root/scripts/build.sh" "$root/build"
(cd "$root/build" && ctest -j 2 --timeout 600)

echo "== build and test with ASan + UBSan"
"$root/scripts/build.sh" "$root/build-asan" -DPARLEY_SANITIZE=ON -DPARLEY_BENCHMARKS=OFF
(cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -j 2 --timeout 900)

echo "== fuzz the media parsers"
"$root/tests/fuzz/run.sh" "$root/build-fuzz" 20

echo "== all tests passed"
