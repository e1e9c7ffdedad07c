#!/usr/bin/env bash
# End-to-end: csflowd at sampling rate 10 on two Docker containers' host-side veths.
#
# 1000 pings from A to B make about 2000 packets per veth. Each veth's sample count must lie
# within 5 standard deviations of pool/10 (the bound is explained in check_flows.py). Every
# sample must report rate 10 and drops 0. Each sample_pool must be at least the position of
# its packet in the veth's packet stream, never decrease, and stay within the veth's rx+tx
# packet delta from `ip -s link`.
# NOTE: at rate 10 the packets after the last sample appear in no flow sample, so the final
# pool cannot be compared with the rx+tx delta exactly; docker_rate1 checks that equality.
#
# Usage: docker_rate10.sh CSFLOWD CSFLOWD_DUMP   (root; takes /tmp/csflowd-docker.lock)
source "$(dirname "$0")/lib.sh"
e2e_init "$@"

PINGS=1000
RATE=10

docker_up
setup_two_containers
PORT=$(free_udp_port)
start_dump "$PORT" dump

BEFORE_A=$(rxtx_packets "$VETH_A")
BEFORE_B=$(rxtx_packets "$VETH_B")
start_csflowd --sampling-rate "$RATE" --polling-interval 0 \
  --interfaces "$VETH_A" --interfaces "$VETH_B" --collector "127.0.0.1:$PORT"
ping_a_to_b "$PINGS"
stop_csflowd
DELTA_A=$(($(rxtx_packets "$VETH_A") - BEFORE_A))
DELTA_B=$(($(rxtx_packets "$VETH_B") - BEFORE_B))
log "rx+tx packet delta: $VETH_A $DELTA_A, $VETH_B $DELTA_B"
stop_dump "$PORT"

python3 "$E2E_LIB_DIR/check_flows.py" --dump "$WORK/dump.json" --rate "$RATE" \
  --pings "$PINGS" --veth "a=$IFINDEX_A:$DELTA_A" --veth "b=$IFINDEX_B:$DELTA_B" ||
  fail "flow sample checks failed (see above)"
log "PASS"
