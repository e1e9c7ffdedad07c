#!/usr/bin/env bash
# End-to-end: interface counter samples of a veth match the kernel's own counters.
#
# csfx0 stays in the host, its peer csfx1 lives in netns csfx-i1 (198.18.30.0/24, IPv6 off).
# csflowd polls csfx0 every second while the host sends exactly PINGS pings to the peer.
# The if_counters decoded by csflowd-dump must equal `ip -s -j link show csfx0` read before
# and after the pings, and change by exactly the kernel's deltas. Also if_status is 3, port_name
# is csfx0 and if_speed is /sys/class/net/csfx0/speed. tshark, an independent decoder, must
# read the same if_counters values. tshark 4.0 misreads port_name (1005), so only its
# if_counters fields are compared.
#
# Usage: interface_counters.sh CSFLOWD CSFLOWD_DUMP   (root; takes /tmp/csflowd-docker.lock)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/counters_lib.sh"
e2e_init "$@"
command -v tshark >/dev/null || skip "tshark not found; run scripts/install-deps.sh"

PINGS=50
NETNS=csfx-i1

teardown() {
  ip netns del "$NETNS" 2>/dev/null || true
  ip link del csfx0 2>/dev/null || true
  return 0
}
csfx_on_exit teardown

teardown
make_veth_pair csfx0 csfx1 "$NETNS" 198.18.30.1/24 198.18.30.2/24
IFINDEX=$(cat /sys/class/net/csfx0/ifindex)
SPEED=$(cat /sys/class/net/csfx0/speed)
log "csfx0: ifindex $IFINDEX, speed $SPEED Mb/s"
# Resolve the peer's MAC now, so no ARP exchange falls between the two readings.
ping -q -c 1 -w 5 198.18.30.2 >/dev/null || fail "the peer 198.18.30.2 does not answer"

PORT=$(free_udp_port)
start_stamped_dump "$PORT" dump
start_bg tshark tshark -n -i lo -f "udp dst port $PORT" -w "$WORK/sflow.pcap"
TSHARK_PID=$LAST_PID
wait_for_line "$WORK/tshark.log" "Capturing on" 30 "$TSHARK_PID"
start_csflowd --no-docker --interfaces csfx0 --polling-interval 1 --sampling-rate 1 \
  --header-only --collector "127.0.0.1:$PORT"

KERNEL_BEFORE=$(ip -s -j link show csfx0)
T_BEFORE=$(now)
wait_sample "0:$IFINDEX" "$T_BEFORE" --timeout 5 >/dev/null
ping -q -i 0.01 -c "$PINGS" -w 30 198.18.30.2 >"$WORK/ping.log" || fail "ping failed"
grep -qE "^$PINGS packets transmitted, $PINGS (packets )?received" "$WORK/ping.log" ||
  fail "expected $PINGS echo requests and replies: $(cat "$WORK/ping.log")"
KERNEL_AFTER=$(ip -s -j link show csfx0)
T_AFTER=$(now)
wait_sample "0:$IFINDEX" "$T_AFTER" --timeout 5 >/dev/null

stop_csflowd
stop_stamped_dump "$PORT"
stop_process "$TSHARK_PID" 10
python3 "$CHECK_COUNTERS" interface "$STAMPED" --ifindex "$IFINDEX" --name csfx0 \
  --speed-mbps "$SPEED" --pings "$PINGS" --kernel-before "$KERNEL_BEFORE" \
  --kernel-after "$KERNEL_AFTER" --t-before "$T_BEFORE" --t-after "$T_AFTER" \
  --pcap "$WORK/sflow.pcap" --port "$PORT" || fail "interface counter checks failed (see above)"
log "PASS"
