#!/usr/bin/env bash
# Installs the Debian packages Parley needs to build, run and test; does nothing if all are there.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config openssl
  libcaf-dev libboost-dev libboost-system-dev libssl-dev libsrtp2-dev libmsgpack-cxx-dev
  librocksdb-dev libsodium-dev libspdlog-dev nlohmann-json3-dev catch2
  liboath-dev libqrencode-dev zlib1g-dev libxmlsec1-dev xmlsec1
)
if [ "${1:-}" = "--test" ]; then
  # Sanitizer and fuzzing builds use clang's runtime.
  packages+=(clang libclang-rt-14-dev)
  # Real-browser tests (web client, WebRTC interop) drive Debian's Chromium, never a downloaded one.
  packages+=(chromium)
fi
# The web client is built with Node.js and npm.
packages+=(nodejs)
if [ "${1:-}" = "--bench" ]; then
  # Optional, for benchmarks/run_media.sh only (never the CI test path): Janus is the anchor
  # of the media benchmark; curl waits for its HTTP API; ip and unshare make the benchmark's
  # private network namespace.
  packages+=(janus curl iproute2 util-linux)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Debian's nodejs comes without npm; NodeSource's includes it.
if ! command -v npm > /dev/null; then
  missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "run as root (or install these packages with apt-get): ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
