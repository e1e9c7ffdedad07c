#!/usr/bin/env bash
# End-to-end: csflowd at sampling rate 1 on two Docker containers' host-side veths.
#
# 1000 pings go from container A to B. At rate 1 every packet is a sample, so the counts
# are exact. There must be 1000 echo requests on A's veth ingress and B's veth egress and
# 1000 replies the other way. Each veth's last sample_pool must equal its number of samples.
# Its rx+tx packet delta from `ip -s link` must lie between that pool and the pool plus a
# small slack for ARP outside csflowd's lifetime (see check_flows.py). Two collectors get the
# same datagrams: csflowd-dump --strict (every datagram must decode) and sfcapd, read back
# with nfdump. tshark records the loopback UDP so the number of datagrams sent can be
# compared with the number decoded.
#
# Usage: docker_rate1.sh CSFLOWD CSFLOWD_DUMP   (root; takes /tmp/csflowd-docker.lock)
source "$(dirname "$0")/lib.sh"
e2e_init "$@"

PINGS=1000
for tool in sfcapd nfdump tshark ss; do
  command -v "$tool" >/dev/null || skip "$tool not found; run scripts/install-deps.sh"
done

# 1. Two containers, and the collectors.
docker_up
setup_two_containers
DUMP_PORT=$(free_udp_port)
SFCAPD_PORT=$(free_udp_port)
start_dump "$DUMP_PORT" dump
mkdir "$WORK/nfcapd"
start_bg sfcapd sfcapd -b 127.0.0.1 -p "$SFCAPD_PORT" -w "$WORK/nfcapd"
SFCAPD_PID=$LAST_PID
wait_udp_bound "$SFCAPD_PORT" 10 "$SFCAPD_PID"
start_bg tshark tshark -n -i lo -f "udp dst port $DUMP_PORT" -w "$WORK/sflow.pcap"
TSHARK_PID=$LAST_PID
wait_for_line "$WORK/tshark.log" "Capturing on" 30 "$TSHARK_PID"

# 2. Sample every packet on both veths while A pings B. The containers are idle otherwise
# (IPv6 off on both ends), so the counter deltas differ from the attached period only by the
# ARP packets the kernel counts between each stats read and csflowd's attach or detach.
BEFORE_A=$(rxtx_packets "$VETH_A")
BEFORE_B=$(rxtx_packets "$VETH_B")
start_csflowd --sampling-rate 1 --polling-interval 2 \
  --interfaces "$VETH_A" --interfaces "$VETH_B" \
  --collector "127.0.0.1:$DUMP_PORT" --collector "127.0.0.1:$SFCAPD_PORT"
ping_a_to_b "$PINGS"
stop_csflowd
DELTA_A=$(($(rxtx_packets "$VETH_A") - BEFORE_A))
DELTA_B=$(($(rxtx_packets "$VETH_B") - BEFORE_B))
log "rx+tx packet delta: $VETH_A $DELTA_A, $VETH_B $DELTA_B"

# 3. Let the collectors read everything, then stop them.
stop_dump "$DUMP_PORT"
wait_udp_drained "$SFCAPD_PORT" 10
stop_process "$SFCAPD_PID" 10
stop_process "$TSHARK_PID" 10

# 4. csflowd-dump: every datagram decoded, exact counts.
DECODED=$(grep -c . "$WORK/dump.json" || true)
CAPTURED=$(tshark -n -r "$WORK/sflow.pcap" -T fields -e frame.number | wc -l)
log "datagrams captured $CAPTURED, decoded $DECODED"
((CAPTURED > 0)) || fail "tshark captured no datagram to port $DUMP_PORT"
((DECODED == CAPTURED)) || fail "decoded datagrams: expected $CAPTURED, actual $DECODED"
python3 "$E2E_LIB_DIR/check_flows.py" --dump "$WORK/dump.json" --rate 1 --pings "$PINGS" \
  --exact --veth "a=$IFINDEX_A:$DELTA_A" --veth "b=$IFINDEX_B:$DELTA_B" ||
  fail "flow sample checks failed (see above)"

# 5. sfcapd/nfdump: no decoding problems, and 4 * PINGS ICMP packets (each echo is
# sampled once on each veth, and nfdump scales by the sampling rate of 1).
SUMMARY=$(grep -E "^Ident: .*Sequence Errors" "$WORK/sfcapd.log" | tail -n 1)
log "sfcapd: $SUMMARY"
[[ $SUMMARY =~ Sequence\ Errors:\ 0, ]] || fail "sfcapd Sequence Errors: expected 0 in '$SUMMARY'"
[[ $SUMMARY =~ Bad\ Packets:\ 0$ ]] || fail "sfcapd Bad Packets: expected 0 in '$SUMMARY'"
if grep -iE "^SFLOW: .*(exception|unknown|error|fail|bad|invalid|short)" "$WORK/sfcapd.log"; then
  fail "sfcapd reported decoding problems (lines above)"
fi
ICMP_PACKETS=$(nfdump -R "$WORK/nfcapd" -q -N -o 'fmt:%pkt' 'proto icmp' |
  awk '{ sum += $1 } END { print sum + 0 }')
((ICMP_PACKETS == 4 * PINGS)) ||
  fail "nfdump ICMP packets: expected $((4 * PINGS)), actual $ICMP_PACKETS"
log "nfdump ICMP packets: $ICMP_PACKETS"
log "PASS"
