#!/usr/bin/env bash
# End-to-end: tshark, an independent decoder, reads csflowd's datagrams without error.
#
# tshark 4.0 misreads any flow record it does not know, so csflowd runs with --header-only
# (flow samples carry only sampled_header) and --polling-interval 0 (no counter samples).
# At rate 1 every ping is sampled; tshark must flag nothing as malformed, report sampling
# rate 1 and a frame length of ip.len + 18 (Ethernet header and FCS) for every IPv4 sample.
#
# Usage: docker_tshark.sh CSFLOWD CSFLOWD_DUMP   (root; takes /tmp/csflowd-docker.lock)
source "$(dirname "$0")/lib.sh"
e2e_init "$@"

PINGS=200
command -v tshark >/dev/null || skip "tshark not found; run scripts/install-deps.sh"

docker_up
setup_two_containers
PORT=$(free_udp_port)
# A socket must be bound to the port, or the kernel answers each datagram with an ICMP
# port unreachable; csflowd-dump also checks that every datagram decodes.
start_dump "$PORT" dump
start_bg tshark tshark -n -i lo -f "udp dst port $PORT" -w "$WORK/sflow.pcap"
TSHARK_PID=$LAST_PID
wait_for_line "$WORK/tshark.log" "Capturing on" 30 "$TSHARK_PID"

start_csflowd --sampling-rate 1 --polling-interval 0 --header-only \
  --interfaces "$VETH_A" --interfaces "$VETH_B" --collector "127.0.0.1:$PORT"
ping_a_to_b "$PINGS"
stop_csflowd
stop_dump "$PORT"
stop_process "$TSHARK_PID" 10

tshark -n -V -r "$WORK/sflow.pcap" -d "udp.port==$PORT,sflow" >"$WORK/tshark-verbose.txt" ||
  fail "tshark could not read $WORK/sflow.pcap"
python3 "$E2E_LIB_DIR/check_tshark.py" --text "$WORK/tshark-verbose.txt" --rate 1 ||
  fail "tshark checks failed (see above)"
log "PASS"
