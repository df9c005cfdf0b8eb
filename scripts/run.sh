#!/usr/bin/env bash
# Installs what is missing, builds, and starts parleyd on https://localhost:8443 with data in ./var.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build" -DBUILD_TESTING=OFF -DPARLEY_BENCHMARKS=OFF
cd "$root"
exec "$root/build/apps/parleyd" --port="${PARLEY_PORT:-8443}" --data-dir="${PARLEY_DATA_DIR:-./var}" "$@"
