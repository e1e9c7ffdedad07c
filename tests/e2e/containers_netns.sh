#!/usr/bin/env bash
# End-to-end: without Docker, a plain network namespace with a process in it is a container.
#
# Netns csfx-n1 contains a `sleep` moved into a cgroup2 folder of its own (csfx-n1 under the
# cgroup2 mount), and the peer of veth csfxn0. csflowd --no-docker must report it as data
# source (3, dsIndex) with hostname csfx-n1 (the name under /run/netns) and the uuid the
# registry derives from the namespace inode ("netns", three zero bytes, the inode
# big-endian), read virt_cpu from that cgroup's cpu.stat and virt_net_io from the process's
# /proc/<pid>/net/dev, and put extended_entities on the flow samples of csfxn0: the
# namespace is the source of the echo replies and the destination of the echo requests.
#
# Usage: containers_netns.sh CSFLOWD CSFLOWD_DUMP   (root; takes /tmp/csflowd-docker.lock)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/counters_lib.sh"
e2e_init "$@"

NETNS=csfx-n1
PINGS=10
CGROUP=$(cgroup2_mount)/csfx-n1
SLEEP_PID=

teardown() {
  if [[ -n $SLEEP_PID ]]; then
    kill "$SLEEP_PID" 2>/dev/null
    wait "$SLEEP_PID" 2>/dev/null
  fi
  [[ -d $CGROUP ]] && rmdir "$CGROUP"
  ip netns del "$NETNS" 2>/dev/null
  ip link del csfxn0 2>/dev/null
  return 0
}
csfx_on_exit teardown

ip netns del "$NETNS" 2>/dev/null || true
make_veth_pair csfxn0 csfxn1 "$NETNS" 198.18.31.1/24 198.18.31.2/24
ip netns exec "$NETNS" sleep 600 &
SLEEP_PID=$!
INODE=$(stat -L -c %i "/run/netns/$NETNS")
[[ $(readlink "/proc/$SLEEP_PID/ns/net") == "net:[$INODE]" ]] ||
  fail "sleep (pid $SLEEP_PID) is not in $NETNS: $(readlink "/proc/$SLEEP_PID/ns/net")"
if [[ -d $(cgroup2_mount) ]] && mkdir "$CGROUP" && echo "$SLEEP_PID" >"$CGROUP/cgroup.procs"; then
  log "sleep (pid $SLEEP_PID) moved into $CGROUP"
else
  log "no cgroup2 folder for the sleep; virt_cpu is not checked"
  CGROUP=
fi
IFINDEX=$(cat /sys/class/net/csfxn0/ifindex)
MAC=$(ip netns exec "$NETNS" cat /sys/class/net/csfxn1/address)
DS=$(python3 "$CHECK_CONTAINERS" dsindex "6e65746e73000000$(printf '%016x' "$INODE")")
log "$NETNS: inode $INODE, expected data source 3:$DS; csfxn0 ifindex $IFINDEX"

PORT=$(free_udp_port)
start_stamped_dump "$PORT" dump
start_csflowd --no-docker --interfaces csfxn0 --polling-interval 1 --sampling-rate 1 \
  --collector "127.0.0.1:$PORT"
wait_sample "3:$DS" 0 --timeout 10 >/dev/null

ping -q -i 0.05 -c "$PINGS" -w 30 198.18.31.2 >"$WORK/ping.log" || fail "ping failed"
grep -qE "^$PINGS packets transmitted, $PINGS (packets )?received" "$WORK/ping.log" ||
  fail "expected $PINGS echo requests and replies: $(cat "$WORK/ping.log")"
fact net "$(proc_net_dev "$SLEEP_PID")"
if [[ -n $CGROUP ]]; then
  fact cpu_ms "$(awk '$1 == "usage_usec" { print int($2 / 1000) }' "$CGROUP/cpu.stat")"
fi
wait_sample "3:$DS" "$(now)" --timeout 5 >/dev/null

stop_csflowd
stop_stamped_dump "$PORT"
python3 "$CHECK_CONTAINERS" netns "$STAMPED" "$WORK/facts.txt" --name "$NETNS" --inode "$INODE" \
  --mac "$MAC" --veth "$IFINDEX" --pings "$PINGS" || fail "netns container checks failed (see above)"
log "PASS"
