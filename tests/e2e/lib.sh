# Helpers shared by the end-to-end test scripts; sourced, not run.
#
# A test script calls e2e_init "$@" first. e2e_init takes the Docker lock, makes a work
# folder and installs a trap that stops every process the test started and tears the
# Docker environment down, whatever way the script ends.
#
# Every wait here has a deadline; none sleeps for a fixed time where an event can be awaited.

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$E2E_LIB_DIR/../.." && pwd)
DOCKER_ENV=$SOURCE_DIR/scripts/docker-env.sh
LOCK_FILE=/tmp/csflowd-docker.lock
LOCK_TIMEOUT_S=1200
SKIP_EXIT_CODE=77
# Test objects carry this prefix, so a leftover can be traced back to these tests.
export CSFLOWD_IMAGE=csfe-busybox
CONTAINER_A=csfe-a
CONTAINER_B=csfe-b

declare -a E2E_PIDS=()
E2E_DOCKER_UP=0

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

fail() {
  log "FAIL: $*"
  exit 1
}

skip() {
  log "SKIP: $*"
  exit "$SKIP_EXIT_CODE"
}

# e2e_init CSFLOWD CSFLOWD_DUMP: checks the environment, takes the lock, sets up the trap.
e2e_init() {
  set -euo pipefail
  (($# >= 2)) || fail "usage: $0 CSFLOWD CSFLOWD_DUMP"
  CSFLOWD=$1
  CSFLOWD_DUMP=$2
  [[ $(id -u) -eq 0 ]] || skip "needs root (BPF, tc, dockerd)"
  local tool
  for tool in dockerd docker busybox python3 ip tc; do
    command -v "$tool" >/dev/null || skip "$tool not found; run scripts/install-deps.sh"
  done
  [[ -x $CSFLOWD && -x $CSFLOWD_DUMP ]] || fail "binaries not found: $CSFLOWD $CSFLOWD_DUMP"

  WORK=$(mktemp -d /tmp/csfe-e2e.XXXXXX)
  exec 9>"$LOCK_FILE"
  log "waiting for $LOCK_FILE"
  flock -w "$LOCK_TIMEOUT_S" 9 || fail "could not take $LOCK_FILE within ${LOCK_TIMEOUT_S}s"
  trap e2e_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  log "work folder $WORK"
}

# Stops pid $1 with SIGTERM, then SIGKILL after $2 seconds, and stores its exit status in
# STOP_STATUS. Not usable in $(...): only this shell can wait for its own children.
stop_process() {
  local pid=$1 grace=${2:-10} deadline
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  STOP_STATUS=0
  wait "$pid" 2>/dev/null || STOP_STATUS=$?
}

e2e_cleanup() {
  local status=$?
  set +e
  local pid
  for pid in "${E2E_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && stop_process "$pid" 5
  done
  if ((E2E_DOCKER_UP)); then
    "$DOCKER_ENV" down
  fi
  if ((status == 0)); then
    rm -rf "$WORK"
  else
    local file
    for file in "$WORK"/*.log; do
      [[ -f $file ]] || continue
      log "last lines of $file:"
      tail -n 15 "$file" >&2
    done
    log "kept $WORK for inspection"
  fi
  exit "$status"
}

# Starts a command in the background with output to $WORK/NAME.log; sets LAST_PID.
start_bg() {
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  E2E_PIDS+=("$LAST_PID")
}

# wait_for_line FILE REGEX TIMEOUT_S [PID]: waits until FILE has a line matching REGEX;
# fails early when PID exits first.
wait_for_line() {
  local file=$1 pattern=$2 timeout=$3 pid=${4:-}
  local deadline=$((SECONDS + timeout))
  until grep -qE "$pattern" "$file" 2>/dev/null; do
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      fail "process $pid exited before '$pattern' appeared in $file"
    fi
    ((SECONDS < deadline)) || fail "'$pattern' did not appear in $file within ${timeout}s"
    sleep 0.1
  done
}

# wait_udp_drained PORT TIMEOUT_S: waits until the UDP socket bound to 127.0.0.1:PORT has
# read every queued datagram (receive queue 0), so a collector saw all that was sent.
wait_udp_drained() {
  local port=$1 timeout=$2 queued
  local deadline=$((SECONDS + timeout))
  while true; do
    queued=$(ss -Hnu -l "sport = :$port" | awk '{ sum += $2 } END { print sum + 0 }')
    ((queued == 0)) && return 0
    ((SECONDS < deadline)) || fail "collector on port $port still has $queued bytes queued"
    sleep 0.1
  done
}

# Prints a free UDP port on 127.0.0.1 chosen by the kernel.
free_udp_port() {
  python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

docker_up() {
  E2E_DOCKER_UP=1
  "$DOCKER_ENV" up || fail "docker-env.sh up failed"
  # docker0 sends IPv6 router solicitations and MLD reports to every port; keep it quiet.
  disable_ipv6 docker0
}

disable_ipv6() {
  echo 1 >"/proc/sys/net/ipv6/conf/$1/disable_ipv6"
}

# start_container NAME CMD...: runs the busybox image with IPv6 off inside, so the only
# packets are the ones the test sends. CMD must end by itself (e.g. sleep 600).
start_container() {
  local name=$1
  shift
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" --network bridge \
    --sysctl net.ipv6.conf.all.disable_ipv6=1 --sysctl net.ipv6.conf.default.disable_ipv6=1 \
    "$CSFLOWD_IMAGE" "$@" >/dev/null || fail "could not start container $name"
}

container_ip() {
  docker inspect -f '{{.NetworkSettings.IPAddress}}' "$1"
}

# Prints the ifindex of the host-side veth of container $1 (its eth0's iflink).
host_veth_ifindex() {
  docker exec "$1" cat /sys/class/net/eth0/iflink
}

ifname_of() {
  ip -j link show | python3 -c "import json, sys
print(next(l['ifname'] for l in json.load(sys.stdin) if l['ifindex'] == $1))"
}

# Prints rx_packets + tx_packets of interface $1.
rxtx_packets() {
  ip -s -j link show dev "$1" | python3 -c "import json, sys
stats = json.load(sys.stdin)[0]['stats64']
print(stats['rx']['packets'] + stats['tx']['packets'])"
}

# start_csflowd ARGS...: starts csflowd and waits until it has attached every program.
start_csflowd() {
  start_bg csflowd "$CSFLOWD" --log-level debug "$@"
  CSFLOWD_PID=$LAST_PID
  wait_for_line "$WORK/csflowd.log" 'csflowd running' 30 "$CSFLOWD_PID"
  log "csflowd running (pid $CSFLOWD_PID)"
}

# Stops csflowd with SIGTERM and checks that it exits 0 within 10 s.
stop_csflowd() {
  stop_process "$CSFLOWD_PID" 10
  ((STOP_STATUS == 0)) || fail "csflowd exited with status $STOP_STATUS after SIGTERM, expected 0"
  log "csflowd stopped with status 0"
}

# start_dump PORT NAME: csflowd-dump --strict --json on 127.0.0.1:PORT into $WORK/NAME.json.
start_dump() {
  local port=$1 name=$2
  "$CSFLOWD_DUMP" --listen "127.0.0.1:$port" --json --strict >"$WORK/$name.json" \
    2>"$WORK/$name.log" &
  LAST_PID=$!
  E2E_PIDS+=("$LAST_PID")
  DUMP_PID=$LAST_PID
  wait_udp_bound "$port" 10 "$DUMP_PID"
}

# wait_udp_bound PORT TIMEOUT_S PID: waits until PID listens on UDP 127.0.0.1:PORT.
wait_udp_bound() {
  local port=$1 timeout=$2 pid=$3
  local deadline=$((SECONDS + timeout))
  until [[ -n $(ss -Hnu -l "sport = :$port") ]]; do
    kill -0 "$pid" 2>/dev/null || fail "process $pid exited before binding UDP port $port"
    ((SECONDS < deadline)) || fail "nothing bound UDP port $port within ${timeout}s"
    sleep 0.1
  done
}

# Stops csflowd-dump after it has read every queued datagram, and checks its exit status.
stop_dump() {
  local port=$1
  wait_udp_drained "$port" 10
  stop_process "$DUMP_PID" 5
  # 0: exited by itself; 143: the SIGTERM above. Anything else is a decoder failure.
  ((STOP_STATUS == 0 || STOP_STATUS == 143)) || fail "csflowd-dump exited with status $STOP_STATUS"
}

# ping_a_to_b COUNT: busybox ping from A to B, one request every 5 ms (-w bounds the run to
# 120 s). The pace matters: with -A (next request as soon as the reply is in) 1000 pings
# take 0.3 s, and at rate 1 the resulting burst of ~570 datagrams overflows the collectors'
# default 208 KiB socket buffers. At 5 ms the reply (RTT ~0.1 ms) is always back before the
# next request, so requests and replies alternate on both veths.
ping_a_to_b() {
  local count=$1 output
  output=$(docker exec "$CONTAINER_A" ping -q -i 0.005 -c "$count" -w 120 "$IP_B") ||
    fail "ping failed: $output"
  log "ping: $(grep -E 'transmitted' <<<"$output")"
  grep -q "^$count packets transmitted, $count packets received" <<<"$output" ||
    fail "expected $count echo requests and replies: $output"
}

# Starts two idle containers and records their addresses and host-side veths in
# IP_B, IFINDEX_A, IFINDEX_B, VETH_A, VETH_B. IPv6 is also off on the host-side veths.
setup_two_containers() {
  start_container "$CONTAINER_A" sleep 600
  start_container "$CONTAINER_B" sleep 600
  IP_B=$(container_ip "$CONTAINER_B")
  IFINDEX_A=$(host_veth_ifindex "$CONTAINER_A")
  IFINDEX_B=$(host_veth_ifindex "$CONTAINER_B")
  VETH_A=$(ifname_of "$IFINDEX_A")
  VETH_B=$(ifname_of "$IFINDEX_B")
  disable_ipv6 "$VETH_A"
  disable_ipv6 "$VETH_B"
  log "A: veth $VETH_A ($IFINDEX_A); B: $IP_B, veth $VETH_B ($IFINDEX_B)"
}
