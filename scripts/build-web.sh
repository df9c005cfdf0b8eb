#!/usr/bin/env bash
# Builds the browser client into web/dist (served by parleyd at /): npm ci from the lock file, then Vite.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/web"
if ! command -v npm > /dev/null; then
  echo "npm is missing: run scripts/install-deps.sh" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
