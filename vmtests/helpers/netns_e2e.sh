#!/bin/bash
# End-to-end check of csflowd on a bridge with two network namespaces.
#
#   csfv-a (eth0 198.18.10.1/24) -- csfv-a0 --+
#                                              csfv-br
#   csfv-b (eth0 198.18.10.2/24) -- csfv-b0 --+
#
# Starts csflowd-dump on 127.0.0.1:6399 and csflowd at sampling rate 1 on
# 'csfv-*', sends exactly PINGS echo requests from csfv-a to csfv-b, stops the
# daemon and checks the decoded samples with check_ping_samples.py.
# Usage: netns_e2e.sh BUILD_DIR WORK_DIR [setup|run|cleanup]
set -euo pipefail

build=$1
work=$2
step=${3:-run}
here=$(dirname "$(readlink -f "$0")")
pings=100
collector=127.0.0.1:6399

cleanup() {
	for pid_file in "$work/csflowd.pid" "$work/dump.pid"; do
		if [[ -s $pid_file ]]; then
			kill "$(cat "$pid_file")" 2>/dev/null || true
			rm -f "$pid_file"
		fi
	done
	ip netns del csfv-a 2>/dev/null || true
	ip netns del csfv-b 2>/dev/null || true
	ip link del csfv-br 2>/dev/null || true
}

setup() {
	cleanup
	ip link add csfv-br type bridge
	ip link set csfv-br up
	local side address
	for side in a b; do
		[[ $side == a ]] && address=198.18.10.1/24 || address=198.18.10.2/24
		ip netns add "csfv-$side"
		# IPv6 stays off so that neighbour discovery adds no packets to the counts.
		ip netns exec "csfv-$side" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "csfv-$side" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
		ip link add "csfv-${side}0" type veth peer name eth0 netns "csfv-$side"
		sysctl -qw "net.ipv6.conf.csfv-${side}0.disable_ipv6=1"
		ip link set "csfv-${side}0" master csfv-br up
		ip -n "csfv-$side" addr add "$address" dev eth0
		ip -n "csfv-$side" link set eth0 up
		ip -n "csfv-$side" link set lo up
	done
	sysctl -qw net.ipv6.conf.csfv-br.disable_ipv6=1
}

# Waits up to $2 seconds for the file $1 to contain the line pattern $3.
await_line() {
	timeout "$2" grep -q -m1 -- "$3" <(tail -F -n +1 "$1" 2>/dev/null)
}

# Waits up to $2 seconds for a UDP socket bound to port $1. /proc/net/udp
# offers no change notification, so this polls every 0.1 s.
await_udp_port() {
	local port_hex tries
	port_hex=$(printf ':%04X ' "$1")
	for ((tries = $2 * 10; tries > 0; tries--)); do
		grep -q -- "$port_hex" /proc/net/udp && return 0
		sleep 0.1
	done
	return 1
}

run() {
	"$build/userspace/csflowd" --sampling-rate 1 --interfaces 'csfv-*' \
		--collector "$collector" --polling-interval 0 > "$work/csflowd.log" 2>&1 &
	local daemon=$!
	echo "$daemon" > "$work/csflowd.pid"
	if ! await_line "$work/csflowd.log" 60 'csflowd running'; then
		echo "csflowd did not log 'csflowd running' within 60 s:"
		cat "$work/csflowd.log"
		return 1
	fi

	# csflowd-dump's --timeout is a deadline from its start, so the collector
	# starts only now: no packet crosses the veths before the pings, and the
	# 20 s cover the pings and csflowd's final flush even under TCG.
	"$build/userspace/tools/csflowd-dump" --listen "$collector" --json --timeout 20 \
		> "$work/dump.json" 2> "$work/dump.log" &
	echo $! > "$work/dump.pid"
	await_udp_port 6399 10 || { echo "csflowd-dump did not bind $collector within 10 s"; return 1; }

	# -i 0.05: 100 pings take about 6 s under TCG.
	ip netns exec csfv-a ping -q -c "$pings" -i 0.05 -W 2 198.18.10.2

	kill -TERM "$daemon"
	local status=0
	wait "$daemon" || status=$?
	rm -f "$work/csflowd.pid"
	echo "csflowd exited $status after SIGTERM; its log:"
	cat "$work/csflowd.log"
	[[ $status -eq 0 ]] || return 1

	# csflowd-dump exits by itself after --timeout; bound the wait anyway.
	local dump_pid
	dump_pid=$(cat "$work/dump.pid")
	timeout 40 tail --pid="$dump_pid" -f /dev/null || { echo "csflowd-dump did not exit"; return 1; }
	echo "csflowd-dump log:"
	cat "$work/dump.log"
	rm -f "$work/dump.pid"
	python3 "$here/check_ping_samples.py" --dump "$work/dump.json" \
		--ifindex "$(cat /sys/class/net/csfv-a0/ifindex)" --pings "$pings" --frame-length 102
}

case $step in
setup) setup ;;
run) run ;;
cleanup) cleanup ;;
*) echo "netns_e2e.sh: unknown step '$step', expected setup, run or cleanup" >&2; exit 2 ;;
esac
