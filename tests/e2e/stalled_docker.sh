#!/usr/bin/env bash
# End-to-end: a Docker engine that accepts connections but never replies does not stop
# sampling, does not delay start-up, and does not keep csflowd from exiting.
#
# A fake engine listens on a unix socket and reads requests without replying. csflowd runs
# with --docker-socket pointing at it, at rate 1 on csfx5, whose peer csfx6 is in netns
# csfx-s1 (198.18.31.0/24, IPv6 off). The host sends exactly PINGS pings to the peer. Every
# echo request and reply must arrive as a flow sample, the last sample_pool must equal the
# number of samples, csflowd must be running within 5 s and exit 0 within 10 s of SIGTERM.
#
# Usage: stalled_docker.sh CSFLOWD CSFLOWD_DUMP   (root; takes /tmp/csflowd-docker.lock)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/counters_lib.sh"
e2e_init "$@"

PINGS=100
NETNS=csfx-s1

teardown() {
  ip netns del "$NETNS" 2>/dev/null || true
  ip link del csfx5 2>/dev/null || true
  return 0
}
csfx_on_exit teardown

teardown
make_veth_pair csfx5 csfx6 "$NETNS" 198.18.31.1/24 198.18.31.2/24
IFINDEX=$(cat /sys/class/net/csfx5/ifindex)

# The fake engine: accepts every connection, reads what arrives and never writes. It stops
# by itself after 120 s, so it cannot outlive a broken run for long.
SOCKET=$WORK/docker.sock
start_bg fake_docker python3 -c '
import socket, sys, threading, time
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1]); server.listen(16)
print("listening", flush=True)
open_connections = []
def drain(conn):
    while conn.recv(4096):
        pass
def accept():
    while True:
        conn, _ = server.accept(); open_connections.append(conn)
        print("accepted", flush=True)
        threading.Thread(target=drain, args=(conn,), daemon=True).start()
threading.Thread(target=accept, daemon=True).start()
time.sleep(120)
' "$SOCKET"
FAKE_PID=$LAST_PID
wait_for_line "$WORK/fake_docker.log" listening 10 "$FAKE_PID"

PORT=$(free_udp_port)
start_dump "$PORT" dump
T_START=$SECONDS
start_csflowd --docker-socket "$SOCKET" --interfaces csfx5 --sampling-rate 1 \
  --polling-interval 1 --collector "127.0.0.1:$PORT"
((SECONDS - T_START <= 5)) || fail "csflowd took $((SECONDS - T_START)) s to start, expected <= 5"
# csflowd must really be waiting on the engine while it samples.
wait_for_line "$WORK/fake_docker.log" accepted 10 "$FAKE_PID"

ping -q -i 0.01 -c "$PINGS" -w 30 198.18.31.2 >"$WORK/ping.log" || fail "ping failed"
grep -qE "^$PINGS packets transmitted, $PINGS (packets )?received" "$WORK/ping.log" ||
  fail "expected $PINGS echo requests and replies: $(cat "$WORK/ping.log")"
# Two flushes (one per second) after the last ping carry its samples.
sleep 2.5

T_STOP=$SECONDS
stop_csflowd
((SECONDS - T_STOP <= 10)) || fail "csflowd took $((SECONDS - T_STOP)) s to stop"
stop_process "$DUMP_PID" 5

python3 - "$WORK/dump.json" "$IFINDEX" "$PINGS" <<'PY' || fail "flow sample checks failed"
import json, sys
path, ifindex, pings = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
samples = [s for line in open(path) for s in json.loads(line)["samples"]
           if s["type"] == "flow_sample" and s["source"]["index"] == ifindex]
def icmp_type(sample):
    summary = sample["records"][0].get("summary", {})
    return summary.get("icmp_type") if summary.get("ip_protocol") == 1 else None
requests = sum(1 for s in samples if icmp_type(s) == 8)
replies = sum(1 for s in samples if icmp_type(s) == 0)
failures = 0
for label, expected, actual in [("echo requests sampled", pings, requests),
                                ("echo replies sampled", pings, replies),
                                ("last sample_pool (rate 1: one sample per packet)",
                                 len(samples), samples[-1]["sample_pool"] if samples else None)]:
    ok = expected == actual
    failures += not ok
    print("%s %s: expected %s, actual %s" % ("ok  " if ok else "FAIL", label, expected, actual))
sys.exit(1 if failures else 0)
PY
log "PASS: sampling went on with a Docker engine that never replies"
