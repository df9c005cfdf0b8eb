#!/usr/bin/env bash
# Runs the media forwarding benchmark against Janus (VideoRoom) and parleyd side by side:
#   benchmarks/run_media.sh BUILD_DIR [media_load_bench options, e.g. --streams=4 --receivers=4]
# Builds nothing: ninja -C BUILD_DIR media_benchmarks first. Needs root and the optional
# benchmark dependency janus (scripts/install-deps.sh --bench).
set -uo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [--streams=K --receivers=M --duration-s=S ...]" >&2
  exit 2
fi

# Janus (libnice) never gathers candidates on a loopback interface, and this machine's other
# interfaces are no place for benchmark traffic. So the whole benchmark runs in a private
# network namespace in which a veth pair carries 127.0.0.2: a loopback-range host candidate
# for Janus, traffic that never leaves the machine, and nothing changed outside.
if [ -z "${PARLEY_MEDIA_BENCH_NETNS:-}" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run as root: the benchmark needs a private network namespace (unshare --net)" >&2
    exit 2
  fi
  exec env PARLEY_MEDIA_BENCH_NETNS=1 unshare --net --fork "$0" "$@"
fi

build_dir=$(cd "$1" && pwd)
shift
bench="$build_dir/benchmarks/media_load_bench"
parleyd="$build_dir/apps/parleyd"
if [ ! -x "$bench" ]; then
  echo "missing $bench: build it first (ninja -C $build_dir media_benchmarks)" >&2
  exit 2
fi
# parleyd's side runs when parleyd is built (and the tool has the parleyd adapter).
parleyd_option=()
if [ -x "$parleyd" ]; then
  parleyd_option=(--parleyd="$parleyd")
fi
janus_bin=$(command -v janus || true)
janus_libs=/usr/lib/x86_64-linux-gnu/janus
if [ -z "$janus_bin" ] || [ ! -e "$janus_libs/plugins/libjanus_videoroom.so" ]; then
  echo "Janus is not installed: scripts/install-deps.sh --bench (Debian package janus)" >&2
  exit 2
fi

ip link set lo up
ip link add pbench0 type veth peer name pbench1
ip addr add 127.0.0.2/32 dev pbench0
ip link set pbench1 up
ip link set pbench0 up

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-media-bench-XXXXXX")
janus_pid=""
cleanup() {
  if [ -n "$janus_pid" ]; then
    kill "$janus_pid" 2>/dev/null
    wait "$janus_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Janus with only what the scenario uses: the VideoRoom plugin, the HTTP transport on
# 127.0.0.1, ICE-lite (like parleyd), warnings-only logging, one pre-made room.
janus_port=8088
mkdir -p "$work/janus"
cat > "$work/janus/janus.jcfg" <<JCFG
general: {
  configs_folder = "$work/janus"
  plugins_folder = "$janus_libs/plugins"
  transports_folder = "$janus_libs/transports"
  events_folder = "$janus_libs/events"
  loggers_folder = "$janus_libs/loggers"
  debug_level = 3
  session_timeout = 0
  server_name = "parley-media-bench"
}
media: {
  rtp_port_range = "40000-49999"
}
nat: {
  ice_lite = true
  ice_enforce_list = "pbench0"
  ignore_mdns = true
}
plugins: {
  disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}
transports: {
  disable = "libjanus_websockets.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
}
events: {
  broadcast = false
}
loggers: {
  disable = "libjanus_jsonlog.so"
}
JCFG
cat > "$work/janus/janus.transport.http.jcfg" <<JCFG
general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = $janus_port
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
JCFG
cat > "$work/janus/janus.plugin.videoroom.jcfg" <<JCFG
general: {
}
room-1234: {
  description = "parley media benchmark"
  publishers = 256
  bitrate = 0
  fir_freq = 0
  videocodec = "vp8"
  notify_joining = false
}
JCFG

"$janus_bin" -C "$work/janus/janus.jcfg" -F "$work/janus" -o > "$work/janus.log" 2>&1 &
janus_pid=$!
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$janus_port/janus/info" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$janus_pid" 2>/dev/null; then
    echo "Janus exited at start-up; its log:" >&2
    cat "$work/janus.log" >&2
    exit 1
  fi
  sleep 0.1
done

# The client binds 127.0.0.2 as well: libnice fails to send from 127.0.0.2 to 127.0.0.1
# (EINVAL), while plain sockets (the client's, parleyd's) reach either address.
"$bench" --janus="127.0.0.1:$janus_port" --janus-pid="$janus_pid" "${parleyd_option[@]}" --client-address=127.0.0.2 "$@"
rc=$?
if [ $rc -ne 0 ]; then
  echo "== Janus log (last 20 lines)"
  tail -n 20 "$work/janus.log"
fi
exit $rc
