#!/usr/bin/env bash
# Shows csflowd at work in about a minute: two containers talk (ping and HTTP), csflowd
# samples their host-side veths and docker0, and csflowd-dump prints the decoded datagrams.
#
# Usage: scripts/demo.sh   (as root; installs packages and builds into build/ first)
# Environment:
#   CSFLOWD_BUILD_DIR      build folder (default: build/ in the repository)
#   CSFLOWD_DEMO_SECONDS   how long csflowd-dump prints samples (default 20)
#   CSFLOWD_DEMO_NETNS=1   use two network namespaces instead of Docker
# Without a working Docker engine it falls back to two network namespaces on a bridge.
# Everything it starts is stopped and removed on exit, including on Ctrl-C.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${CSFLOWD_BUILD_DIR:-$ROOT/build}
SECONDS_TO_SHOW=${CSFLOWD_DEMO_SECONDS:-20}
COLLECTOR_PORT=6343
SAMPLING_RATE=10
POLLING_INTERVAL_S=5
LOCK_FILE=/tmp/csflowd-docker.lock
export CSFLOWD_IMAGE=csflowd-demo-busybox
WEB=csflowd-demo-web
CLIENT=csflowd-demo-client
# The client's traffic: this many rounds of two pings and one HTTP request, 0.5 s apart.
ROUNDS=60

MODE=
CSFLOWD_PID=
declare -a NETNS_PIDS=()
WORK=$(mktemp -d /tmp/csflowd-demo.XXXXXX)

say() { printf '\n*** %s\n' "$*" >&2; }

cleanup() {
  local status=$?
  set +e
  if [[ -n $CSFLOWD_PID ]] && kill -0 "$CSFLOWD_PID" 2>/dev/null; then
    kill -TERM "$CSFLOWD_PID"
    wait "$CSFLOWD_PID"
  fi
  case $MODE in
  docker) "$ROOT/scripts/docker-env.sh" down ;;
  netns)
    # Deleting a namespace does not stop the processes inside it.
    local pid
    for pid in "${NETNS_PIDS[@]}"; do
      kill -TERM "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    done
    "$ROOT/scripts/netns-env.sh" down
    ;;
  esac
  rm -rf "$WORK"
  exit "$status"
}

build() {
  say "installing packages and building (Release) in $BUILD_DIR"
  "$ROOT/scripts/install-deps.sh"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target csflowd csflowd-dump
  CSFLOWD=$(find "$BUILD_DIR" -type f -name csflowd -perm -u+x | head -n 1)
  CSFLOWD_DUMP=$(find "$BUILD_DIR" -type f -name csflowd-dump -perm -u+x | head -n 1)
  [[ -n $CSFLOWD && -n $CSFLOWD_DUMP ]] || {
    echo "csflowd or csflowd-dump was not built" >&2
    exit 1
  }
}

# Client loop run inside the client container or namespace; $1 is the web server address.
client_script() {
  cat <<EOF
for i in \$(seq $ROUNDS); do
  ping -c 2 -W 1 $1 >/dev/null
  printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 $1 80 >/dev/null
  sleep 0.5
done
EOF
}

start_docker_traffic() {
  "$ROOT/scripts/docker-env.sh" up || return 1
  MODE=docker
  docker run -d --name "$WEB" "$CSFLOWD_IMAGE" timeout 300 httpd -f -p 80 -h /www >/dev/null
  local web_ip
  web_ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$WEB")
  docker run -d --name "$CLIENT" "$CSFLOWD_IMAGE" sh -c "$(client_script "$web_ip")" >/dev/null
  INTERFACES=(docker0)
  local name ifindex
  for name in "$WEB" "$CLIENT"; do
    ifindex=$(docker exec "$name" cat /sys/class/net/eth0/iflink)
    INTERFACES+=("$(ip -o link show | awk -F': ' -v i="$ifindex" '$1 == i { sub(/@.*/, "", $2); print $2 }')")
  done
  say "containers $WEB ($web_ip, httpd) and $CLIENT (ping + HTTP) on docker0"
}

start_netns_traffic() {
  export CSFLOWD_NETNS_PREFIX=csflowd
  "$ROOT/scripts/netns-env.sh" up
  MODE=netns
  local web_ip=198.18.100.3
  mkdir -p "$WORK/www"
  echo 'csflowd demo page' >"$WORK/www/index.html"
  # timeout forwards the SIGTERM of cleanup() to its child.
  ip netns exec csflowd-b timeout 300 busybox httpd -f -p 80 -h "$WORK/www" &
  NETNS_PIDS+=($!)
  ip netns exec csflowd-a timeout 300 busybox sh -c "$(client_script "$web_ip")" &
  NETNS_PIDS+=($!)
  INTERFACES=(csflowd-a csflowd-b csflowd-br0)
  say "namespaces csflowd-a (ping + HTTP) and csflowd-b ($web_ip, httpd) on csflowd-br0"
}

start_traffic() {
  if [[ ${CSFLOWD_DEMO_NETNS:-0} != 1 ]] && command -v dockerd >/dev/null; then
    # Only one dockerd may run on the machine; the lock is held until this script exits.
    exec 9>"$LOCK_FILE"
    if ! flock -w 60 9; then
      say "the Docker lock $LOCK_FILE is held by another run after 60 s;" \
        "falling back to network namespaces"
    elif start_docker_traffic; then
      return 0
    else
      say "starting the Docker containers failed; falling back to network namespaces"
    fi
    [[ $MODE == docker ]] && "$ROOT/scripts/docker-env.sh" down
    MODE=
  fi
  start_netns_traffic
}

start_csflowd() {
  local args=(--sampling-rate "$SAMPLING_RATE" --polling-interval "$POLLING_INTERVAL_S"
    --collector "127.0.0.1:$COLLECTOR_PORT")
  local name
  for name in "${INTERFACES[@]}"; do
    args+=(--interfaces "$name")
  done
  say "starting: csflowd ${args[*]}"
  # The background job creates the log only after it forks, so create it here and let grep
  # tolerate a missing file anyway.
  : >"$WORK/csflowd.log"
  "$CSFLOWD" "${args[@]}" 2>"$WORK/csflowd.log" &
  CSFLOWD_PID=$!
  local deadline=$((SECONDS + 30))
  until grep -qs 'csflowd running' "$WORK/csflowd.log"; do
    if ! kill -0 "$CSFLOWD_PID" 2>/dev/null || ((SECONDS >= deadline)); then
      cat "$WORK/csflowd.log" >&2
      echo "csflowd did not start" >&2
      exit 1
    fi
    sleep 0.1
  done
}

main() {
  [[ $(id -u) -eq 0 ]] || {
    echo "run as root: csflowd loads BPF programs and the demo starts containers" >&2
    exit 1
  }
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  build
  start_traffic
  start_csflowd
  say "decoded sFlow datagrams on 127.0.0.1:$COLLECTOR_PORT for ${SECONDS_TO_SHOW} s" \
    "(1 in $SAMPLING_RATE packets; counters every ${POLLING_INTERVAL_S} s)"
  timeout --signal=INT "$((SECONDS_TO_SHOW + 5))" \
    "$CSFLOWD_DUMP" --listen "127.0.0.1:$COLLECTOR_PORT" --timeout "$SECONDS_TO_SHOW" || true
  say "done; stopping csflowd and cleaning up"
}

main "$@"
