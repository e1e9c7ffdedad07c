#!/usr/bin/env bash
# End-to-end cost of csflowd on a veth path: a bounded UDP flood between two network
# namespaces on one bridge, timed without csflowd and with csflowd at each rate, in
# alternating rounds (none, rate A, rate B, none, ...). Needs root. See bench/README.md.
#
# Topology (removed on exit):
#   bridge csfb-br 198.18.50.1/24
#   netns csfb-a: eth0 198.18.50.2/24, host-side veth csfb-a   (sender, pinned to CPU 0)
#   netns csfb-b: eth0 198.18.50.3/24, host-side veth csfb-b   (receiver, pinned to CPU 1)
# csflowd samples csfb-* (both veths and the bridge) and sends sFlow to a free UDP port on
# 127.0.0.1, where udp_bench counts datagrams and samples. A packet from a to b passes two sampled
# hooks: ingress of csfb-a and egress of csfb-b.
#
# Environment:
#   BUILD        build folder with bench/ and userspace/ (default build-bench)
#   PACKETS      UDP datagrams per flood (default 2000000)
#   PAYLOAD      UDP payload bytes (default 64)
#   ROUNDS       rounds of the alternation (default 5)
#   RATES        sampling rates to compare with no csflowd (default "400 1")
#   RESULTS      file for one line per run (default: a temporary file)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=${BUILD:-$ROOT/build-bench}
PACKETS=${PACKETS:-2000000}
PAYLOAD=${PAYLOAD:-64}
ROUNDS=${ROUNDS:-5}
RATES=${RATES:-400 1}
UDP_PORT=9000
SUBNET=198.18.50
BRIDGE=csfb-br
UDP_BENCH=$BUILD/bench/udp_bench
CSFLOWD=$BUILD/userspace/csflowd
WORK=$(mktemp -d /tmp/csfb-e2e.XXXXXX)
RESULTS=${RESULTS:-$WORK/results.tsv}
CSFLOWD_PID=
COUNTER_PID=
RECEIVER_PID=
CSFLOWD_FIGURES=

log() { printf 'e2e_bench: %s\n' "$*" >&2; }
fail() {
  log "$*"
  exit 1
}

cleanup() {
  local pid
  for pid in "$CSFLOWD_PID" "$COUNTER_PID" "$RECEIVER_PID"; do
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  ip netns del csfb-a 2>/dev/null || true
  ip netns del csfb-b 2>/dev/null || true
  ip link del csfb-a 2>/dev/null || true
  ip link del csfb-b 2>/dev/null || true
  ip link del "$BRIDGE" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

add_namespace() {
  local name=$1 address=$2
  ip netns add "$name"
  ip netns exec "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip link add "$name" type veth peer name eth0 netns "$name"
  echo 1 >"/proc/sys/net/ipv6/conf/$name/disable_ipv6"
  ip link set "$name" master "$BRIDGE" up
  ip -n "$name" addr add "$address/24" dev eth0
  ip -n "$name" link set lo up
  ip -n "$name" link set eth0 up
}

setup_network() {
  ip link add "$BRIDGE" type bridge
  echo 1 >"/proc/sys/net/ipv6/conf/$BRIDGE/disable_ipv6"
  ip addr add "$SUBNET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  add_namespace csfb-a "$SUBNET.2"
  add_namespace csfb-b "$SUBNET.3"
}

# Waits up to 10 s for a file to exist (a process creates it once it is ready).
wait_for_file() {
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -e $1 ]] && return 0
    sleep 0.05
  done
  return 1
}

# Waits up to 10 s for csflowd to log that it is attached, or for it to exit.
wait_for_csflowd() {
  local i
  for ((i = 0; i < 200; i++)); do
    grep -q 'csflowd running' "$WORK/csflowd.log" && return 0
    kill -0 "$CSFLOWD_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# Prints a process's user + system CPU time in clock ticks (fields 14 and 15 of its stat).
cpu_ticks() {
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) } # fields after the command name, which may contain spaces
  awk '{ print $12 + $13 }' <<<"$stat"
}

# Waits until csflowd has used no CPU for 0.5 s (it has drained the ring), at most 10 s.
wait_until_idle() {
  local previous current i
  previous=$(cpu_ticks "$1")
  for ((i = 0; i < 20; i++)); do
    sleep 0.5
    current=$(cpu_ticks "$1")
    [[ $current == "$previous" ]] && return 0
    previous=$current
  done
}

start_receiver() {
  rm -f "$WORK/receiver.ready"
  ip netns exec csfb-b taskset -c 1 "$UDP_BENCH" recv --listen "$SUBNET.3:$UDP_PORT" \
    --count "$1" --idle 1 --timeout 120 --ready-file "$WORK/receiver.ready" >"$WORK/receiver.out" &
  RECEIVER_PID=$!
  wait_for_file "$WORK/receiver.ready" || fail "the receiver did not start"
}

start_csflowd() {
  local rate=$1
  rm -f "$WORK/counter.ready"
  "$UDP_BENCH" sflow --listen 127.0.0.1:0 --timeout 600 \
    --ready-file "$WORK/counter.ready" >"$WORK/counter.out" &
  COUNTER_PID=$!
  wait_for_file "$WORK/counter.ready" || fail "the sFlow counter could not bind 127.0.0.1"
  "$CSFLOWD" --sampling-rate "$rate" --interfaces 'csfb-*' --no-docker \
    --collector "127.0.0.1:$(<"$WORK/counter.ready")" >"$WORK/csflowd.log" 2>&1 &
  CSFLOWD_PID=$!
  wait_for_csflowd || fail "csflowd did not start: $(tail -5 "$WORK/csflowd.log")"
}

# Stops csflowd and the counter and sets CSFLOWD_FIGURES to
# "cpu_ticks peak_kib datagrams flow_samples". It runs in the main shell, not in a $(...)
# subshell, because only the parent shell can wait for csflowd.
stop_csflowd() {
  local before=$1 after peak counts status=0
  wait_until_idle "$CSFLOWD_PID"
  after=$(cpu_ticks "$CSFLOWD_PID")
  peak=$(awk '/^VmHWM:/ { print $2 }' "/proc/$CSFLOWD_PID/status")
  kill -TERM "$CSFLOWD_PID"
  wait "$CSFLOWD_PID" || status=$?
  ((status == 0)) || log "csflowd exited with status $status: $(tail -3 "$WORK/csflowd.log")"
  CSFLOWD_PID=
  kill -TERM "$COUNTER_PID"
  wait "$COUNTER_PID" || true
  COUNTER_PID=
  counts=$(sed -E 's/datagrams=([0-9]+) flow_samples=([0-9]+).*/\1 \2/' "$WORK/counter.out")
  CSFLOWD_FIGURES="$((after - before)) $peak $counts"
}

# Fails when a tc filter that this script did not add sits on the test veths, because
# another program (such as a second csflowd sampling every veth) would skew the numbers.
check_no_filters() {
  local dev direction
  for dev in csfb-a csfb-b; do
    for direction in ingress egress; do
      if [[ -n $(tc filter show dev "$dev" "$direction" 2>/dev/null) ]]; then
        fail "a tc filter is attached to $dev $direction by another program: $(tc filter show dev "$dev" "$direction")"
      fi
    done
  done
}

# Runs one flood under one variant ("none" or a rate) and appends a line to $RESULTS.
run_once() {
  local round=$1 variant=$2 sender receiver before=0
  CSFLOWD_FIGURES="- - - -"
  [[ $variant == none ]] && check_no_filters
  start_receiver "$PACKETS"
  if [[ $variant != none ]]; then
    start_csflowd "$variant"
    before=$(cpu_ticks "$CSFLOWD_PID")
  fi
  sender=$(ip netns exec csfb-a taskset -c 0 "$UDP_BENCH" send --to "$SUBNET.3:$UDP_PORT" \
    --count "$PACKETS" --payload-bytes "$PAYLOAD" --timeout 120)
  wait "$RECEIVER_PID" || true
  RECEIVER_PID=
  receiver=$(<"$WORK/receiver.out")
  [[ $variant != none ]] && stop_csflowd "$before"
  local sent_pps received received_pps
  sent_pps=$(sed -E 's/.*pps=([0-9]+).*/\1/' <<<"$sender")
  received=$(sed -E 's/received=([0-9]+).*/\1/' <<<"$receiver")
  received_pps=$(sed -E 's/.*pps=([0-9]+).*/\1/' <<<"$receiver")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$variant" "$sent_pps" "$received" \
    "$received_pps" "${CSFLOWD_FIGURES// /$'\t'}" >>"$RESULTS"
  log "round $round $variant: $sender; $receiver; csflowd ticks/peak KiB/datagrams/flow samples: $CSFLOWD_FIGURES"
}

main() {
  [[ $(id -u) == 0 ]] || fail "needs root (network namespaces, tc, BPF)"
  [[ -x $UDP_BENCH && -x $CSFLOWD ]] ||
    fail "build first: cmake -S . -B build-bench -DCSFLOWD_BUILD_BENCH=ON && cmake --build build-bench"
  setup_network
  # A short flood fills the neighbour tables and proves that the bridge forwards.
  start_receiver 1000
  ip netns exec csfb-a "$UDP_BENCH" send --to "$SUBNET.3:$UDP_PORT" --count 1000 >/dev/null
  wait "$RECEIVER_PID" || true
  RECEIVER_PID=
  grep -q 'received=[1-9]' "$WORK/receiver.out" ||
    fail "no packet crossed $BRIDGE (is the iptables FORWARD policy DROP with bridge-nf-call-iptables=1?)"
  : >"$RESULTS"
  local round rate
  for ((round = 1; round <= ROUNDS; round++)); do
    run_once "$round" none
    for rate in $RATES; do
      run_once "$round" "$rate"
    done
  done
  python3 "$HERE/summarize_e2e.py" --packets "$PACKETS" --clock-ticks "$(getconf CLK_TCK)" "$RESULTS"
}

main "$@"
