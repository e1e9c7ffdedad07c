#!/usr/bin/env bash
# End-to-end: the host counter sample (2,1) matches /proc, nproc, hostname and uname.
#
# Checked: host_memory.mem_total == MemTotal * 1024; host_cpu.cpu_num == online CPUs;
# host_descr hostname, os_release (uname -r), os_name 2 and machine_type 3 on x86_64;
# host_ip/icmp/tcp/udp/net_io present, no host_parent. host_net_io leaves veths out: a
# burst of BURST_PINGS 1400-byte pings over the csfx veth pair (about 1.4 MB each way, seen
# in full by csfx0's own counters) must grow host_net_io's bytes in and out by less than
# half of that. host_icmp's echo counters grow by at least the LOOP_PINGS pings sent to
# 127.0.0.1.
#
# Usage: host_counters.sh CSFLOWD CSFLOWD_DUMP   (root; takes /tmp/csflowd-docker.lock)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/counters_lib.sh"
e2e_init "$@"

BURST_PINGS=1000
PAYLOAD=1400
LOOP_PINGS=5
NETNS=csfx-h1

teardown() {
  ip netns del "$NETNS" 2>/dev/null || true
  ip link del csfx2 2>/dev/null || true
  return 0
}
csfx_on_exit teardown

teardown
make_veth_pair csfx2 csfx3 "$NETNS" 198.18.32.1/24 198.18.32.2/24

PORT=$(free_udp_port)
start_stamped_dump "$PORT" dump
start_csflowd --no-docker --interfaces csfx2 --polling-interval 1 --sampling-rate 0 \
  --collector "127.0.0.1:$PORT"
wait_sample 2:1 "$(now)" --timeout 5 >/dev/null

# 1. The burst over the veth pair. ping -f sends the next request once the reply is in.
TX_BEFORE=$(cat /sys/class/net/csfx2/statistics/tx_bytes)
BURST_START=$(now)
ping -q -f -s "$PAYLOAD" -c "$BURST_PINGS" -w 60 198.18.32.2 >"$WORK/burst.log" ||
  fail "burst ping failed: $(cat "$WORK/burst.log")"
BURST_END=$(now)
BURST_BYTES=$(($(cat /sys/class/net/csfx2/statistics/tx_bytes) - TX_BEFORE))
log "burst: $BURST_BYTES bytes out of csfx2"
((BURST_BYTES >= BURST_PINGS * PAYLOAD)) ||
  fail "csfx2 tx bytes over the burst: expected >= $((BURST_PINGS * PAYLOAD)), actual $BURST_BYTES"
wait_sample 2:1 "$BURST_END" --timeout 5 >/dev/null

# 2. Pings to 127.0.0.1.
PING_START=$(now)
ping -q -i 0.05 -c "$LOOP_PINGS" -w 10 127.0.0.1 >"$WORK/loop.log" ||
  fail "ping 127.0.0.1 failed: $(cat "$WORK/loop.log")"
PING_END=$(now)
wait_sample 2:1 "$PING_END" --timeout 5 >/dev/null

stop_csflowd
stop_stamped_dump "$PORT"
MEM_TOTAL_KB=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
python3 "$CHECK_COUNTERS" host "$STAMPED" --mem-total $((MEM_TOTAL_KB * 1024)) \
  --cpus "$(getconf _NPROCESSORS_ONLN)" --hostname "$(hostname)" --release "$(uname -r)" \
  --machine "$(uname -m)" --burst-bytes "$BURST_BYTES" --burst-start "$BURST_START" \
  --burst-end "$BURST_END" --pings "$LOOP_PINGS" --ping-start "$PING_START" \
  --ping-end "$PING_END" || fail "host counter checks failed (see above)"
log "PASS"
