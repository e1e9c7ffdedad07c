# shellcheck shell=bash disable=SC2034
# Helpers for the counter and container end-to-end tests; sourced after lib.sh, not run.
#
# csflowd-dump --json writes into a FIFO, and check_counters.py stamp copies each line to
# $WORK/NAME.jsonl with the time it arrived, so tests can relate samples to the moments
# they changed something (csflowd-dump's JSON has no receive time).

CHECK_COUNTERS=$E2E_LIB_DIR/check_counters.py
CHECK_CONTAINERS=$E2E_LIB_DIR/check_containers.py

now() { date +%s.%N; }

# csfx_on_exit FUNCTION: runs FUNCTION (the test's own teardown) before lib.sh's cleanup,
# keeping the script's exit status.
csfx_on_exit() {
  CSFX_TEARDOWN=$1
  trap csfx_exit EXIT
}

csfx_exit() {
  local status=$?
  set +e
  "$CSFX_TEARDOWN"
  (exit "$status")
  e2e_cleanup
}

# start_stamped_dump PORT NAME: csflowd-dump --json --strict on 127.0.0.1:PORT, each line
# stamped into $WORK/NAME.jsonl (set in STAMPED).
start_stamped_dump() {
  local port=$1 name=$2
  STAMPED=$WORK/$name.jsonl
  mkfifo "$WORK/$name.fifo"
  start_bg stamp python3 "$CHECK_COUNTERS" stamp "$WORK/$name.fifo" "$STAMPED"
  STAMP_PID=$LAST_PID
  "$CSFLOWD_DUMP" --listen "127.0.0.1:$port" --json --strict >"$WORK/$name.fifo" \
    2>"$WORK/$name.log" &
  DUMP_PID=$!
  E2E_PIDS+=("$DUMP_PID")
  wait_udp_bound "$port" 10 "$DUMP_PID"
}

# Stops csflowd-dump once it has read every datagram, then waits for the stamper to
# write the last line (it ends at the FIFO's end of file).
stop_stamped_dump() {
  stop_dump "$1"
  local deadline=$((SECONDS + 10))
  while kill -0 "$STAMP_PID" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "the stamper (pid $STAMP_PID) did not end within 10 s"
    sleep 0.1
  done
}

# wait_sample SOURCE AFTER [check_counters.py wait options]: prints the receive time of the
# first counter sample of SOURCE (CLASS:INDEX) that arrived after AFTER (epoch seconds).
wait_sample() {
  local source=$1 after=$2
  shift 2
  python3 "$CHECK_COUNTERS" wait "$STAMPED" "$source" --after "$after" "$@" ||
    fail "no counter sample of data source $source after $after ($*)"
}

# fact NAME VALUE: records a value read from the kernel, with the time it was read.
fact() {
  printf '%s %s %s\n' "$(now)" "$1" "$2" >>"$WORK/facts.txt"
}

# Prints rx_bytes rx_packets tx_bytes tx_packets of /proc/PID/net/dev, summed over every
# device but lo (the container's point of view).
# A name of 6 characters or more has no space before its colon, so split at the colon.
proc_net_dev() {
  awk 'NR > 2 {
      name = $0; sub(/:.*/, "", name); gsub(/ /, "", name)
      counters = $0; sub(/^[^:]*:/, "", counters); split(counters, f, " ")
      if (name != "lo") { rb += f[1]; rp += f[2]; tb += f[9]; tp += f[10] }
    }
    END { printf "%d,%d,%d,%d\n", rb, rp, tb, tp }' "/proc/$1/net/dev"
}

# Prints the mount point of the cgroup2 hierarchy (/sys/fs/cgroup/unified on a hybrid host).
cgroup2_mount() {
  awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts
}

# Creates a veth pair HOST_END/PEER with PEER in netns NS: HOST_ADDR and PEER_ADDR (CIDR),
# IPv6 off on both ends so the only packets are the ones the test sends.
make_veth_pair() {
  local host_end=$1 peer=$2 ns=$3 host_addr=$4 peer_addr=$5
  ip netns add "$ns"
  ip link add "$host_end" type veth peer name "$peer"
  ip link set "$peer" netns "$ns"
  echo 1 >"/proc/sys/net/ipv6/conf/$host_end/disable_ipv6"
  ip netns exec "$ns" sh -c "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6"
  ip addr add "$host_addr" dev "$host_end"
  ip netns exec "$ns" ip addr add "$peer_addr" dev "$peer"
  ip link set "$host_end" up
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" ip link set "$peer" up
}
