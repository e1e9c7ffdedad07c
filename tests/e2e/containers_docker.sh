#!/usr/bin/env bash
# End-to-end: csflowd's container counter samples and entities on a real Docker engine.
#
# csfx-lim runs with --cpus 1.5 --memory 256m before csflowd starts; csfx-free, without
# limits, starts while csflowd runs. Workload: csfx-lim burns CPU until its cgroup counted
# BURN_MS more (at most 10 s), writes FILE_MB MiB with dd conv=fsync, and receives PINGS
# pings from csfx-free. check_containers.py then checks, for data sources of class 3:
# identity (hostname, uuid, dsIndex by hsflowd's formula, host_parent (2,1), eth0's MAC in
# host_adapters), nr_virt_cpu 2 and max_memory 256 MiB for the limits, cpu_time_ms, memory,
# wr_bytes and virt_net_io against the cgroup files and /proc/<pid>/net/dev, entities on
# the echo requests, csfx-free's first sample within 2 s of `docker run`, its final sample
# with state 4 after `docker stop`, virt_node.num_domains, and a sequence restarting at 1
# after `docker restart`.
#
# Usage: containers_docker.sh CSFLOWD CSFLOWD_DUMP   (root; takes /tmp/csflowd-docker.lock)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/counters_lib.sh"
e2e_init "$@"

LIM=csfx-lim
FREE=csfx-free
PINGS=20
BURN_MS=3000
FILE_MB=8

# run_container NAME DOCKER_RUN_ARGS...: like lib.sh's start_container, with extra arguments.
run_container() {
  local name=$1
  shift
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" --network bridge \
    --sysctl net.ipv6.conf.all.disable_ipv6=1 --sysctl net.ipv6.conf.default.disable_ipv6=1 \
    "$@" >/dev/null || fail "could not start container $name"
}

# cgroup_file ID FILE: prints the path of FILE in container ID's cgroup (v2 first, then v1).
cgroup_file() {
  local base sub
  for base in "$(cgroup2_mount)" /sys/fs/cgroup/cpuacct /sys/fs/cgroup/memory /sys/fs/cgroup/blkio; do
    for sub in "docker/$1" "system.slice/docker-$1.scope"; do
      [[ -f $base/$sub/$2 ]] && { echo "$base/$sub/$2"; return 0; }
    done
  done
  return 1
}

cpu_ms() {
  local file
  if file=$(cgroup_file "$1" cpu.stat); then
    awk '$1 == "usage_usec" { print int($2 / 1000) }' "$file"
  else
    echo $(($(cat "$(cgroup_file "$1" cpuacct.usage)") / 1000000))
  fi
}

memory_bytes() {
  local file
  file=$(cgroup_file "$1" memory.current) || file=$(cgroup_file "$1" memory.usage_in_bytes)
  cat "$file"
}

blkio_write_bytes() {
  local file
  if file=$(cgroup_file "$1" io.stat); then
    tr ' ' '\n' <"$file" | awk -F= '$1 == "wbytes" { sum += $2 } END { print sum + 0 }'
  elif file=$(cgroup_file "$1" blkio.throttle.io_service_bytes_recursive); then
    awk '$2 == "Write" { sum += $3 } END { print sum + 0 }' "$file"
  else
    echo 0
  fi
}

# describe NAME: prints NAME,ID,MAC,HOST_VETH_IFINDEX and turns IPv6 off on the host veth.
describe() {
  local id mac ifindex
  id=$(docker inspect -f '{{.Id}}' "$1")
  mac=$(docker inspect -f '{{.NetworkSettings.MacAddress}}' "$1")
  ifindex=$(host_veth_ifindex "$1")
  disable_ipv6 "$(ifname_of "$ifindex")"
  echo "$1,$id,$mac,$ifindex"
}

ds_of() { python3 "$CHECK_CONTAINERS" dsindex "$(docker inspect -f '{{.Id}}' "$1")"; }

docker_up
run_container "$LIM" --cpus 1.5 --memory 256m "$CSFLOWD_IMAGE" sleep 600
LIM_INFO=$(describe "$LIM")
LIM_ID=$(docker inspect -f '{{.Id}}' "$LIM")
DS_LIM=$(ds_of "$LIM")

PORT=$(free_udp_port)
start_stamped_dump "$PORT" dump
start_csflowd --polling-interval 2 --sampling-rate 1 --collector "127.0.0.1:$PORT"
wait_sample "3:$DS_LIM" 0 --timeout 10 >/dev/null
log "$LIM: data source 3:$DS_LIM"

# 1. A container started while csflowd runs.
run_container "$FREE" "$CSFLOWD_IMAGE" sleep 600
fact free_run_returned 0
FREE_INFO=$(describe "$FREE")
DS_FREE=$(ds_of "$FREE")
wait_sample "3:$DS_FREE" 0 --timeout 10 >/dev/null
log "$FREE: data source 3:$DS_FREE"

# 2. CPU burn in csfx-lim until its cgroup counted BURN_MS more, at most 10 s.
wait_sample "3:$DS_LIM" "$(now)" --timeout 5 >/dev/null
START_MS=$(cpu_ms "$LIM_ID")
fact burn_start_cpu_ms "$START_MS"
docker exec "$LIM" timeout 10 sh -c 'while [ ! -e /tmp/csfx-stop ]; do :; done' &
BURN_PID=$!
deadline=$((SECONDS + 12))
until (($(cpu_ms "$LIM_ID") - START_MS >= BURN_MS)); do
  ((SECONDS < deadline)) || fail "the burn did not reach $BURN_MS ms of CPU within 12 s"
  sleep 0.1
done
docker exec "$LIM" touch /tmp/csfx-stop
wait "$BURN_PID" || true
fact burn_end_cpu_ms "$(cpu_ms "$LIM_ID")"
log "burn: $(($(cpu_ms "$LIM_ID") - START_MS)) ms of CPU"

# 3. A file of known size, flushed to disk.
docker exec "$LIM" dd if=/dev/zero of=/tmp/csfx.bin bs=1M count="$FILE_MB" conv=fsync 2>/dev/null ||
  fail "dd in $LIM failed"
docker exec "$LIM" sync
fact lim_blkio_write_bytes "$(blkio_write_bytes "$LIM_ID")"

# 4. Pings from csfx-free to csfx-lim, then the values the next samples must show.
IP_LIM=$(container_ip "$LIM")
OUTPUT=$(docker exec "$FREE" ping -q -i 0.05 -c "$PINGS" -w 30 "$IP_LIM") || fail "ping failed: $OUTPUT"
grep -q "^$PINGS packets transmitted, $PINGS packets received" <<<"$OUTPUT" ||
  fail "expected $PINGS echo requests and replies: $OUTPUT"
fact lim_cpu_ms "$(cpu_ms "$LIM_ID")"
fact lim_memory "$(memory_bytes "$LIM_ID")"
# docker stats reads the same cgroup but leaves out inactive page cache, e.g. "1.2MiB / 256MiB".
fact lim_docker_stats_memory "$(docker stats --no-stream --format '{{.MemUsage}}' "$LIM")"
fact "${LIM}_net" "$(proc_net_dev "$(docker inspect -f '{{.State.Pid}}' "$LIM")")"
fact "${FREE}_net" "$(proc_net_dev "$(docker inspect -f '{{.State.Pid}}' "$FREE")")"
T=$(now)
wait_sample "3:$DS_LIM" "$T" --timeout 5 >/dev/null
wait_sample "3:$DS_FREE" "$T" --timeout 5 >/dev/null

# 5. docker stop: one final sample with state 4, then nothing for two host polls.
fact free_stop 0
docker stop -t 1 "$FREE" >/dev/null
T_FINAL=$(wait_sample "3:$DS_FREE" 0 --state 4 --timeout 10)
wait_sample 2:1 "$T_FINAL" --count 2 --timeout 10 >/dev/null

# 6. docker restart: the sequence starts again at 1.
fact lim_restart 0
docker restart -t 1 "$LIM" >/dev/null
wait_sample "3:$DS_LIM" "$(now)" --sequence 1 --timeout 10 >/dev/null

stop_csflowd
stop_stamped_dump "$PORT"
python3 "$CHECK_CONTAINERS" docker "$STAMPED" "$WORK/facts.txt" --lim "$LIM_INFO" \
  --free "$FREE_INFO" --pings "$PINGS" --file-bytes $((FILE_MB * 1024 * 1024)) ||
  fail "container checks failed (see above)"
log "PASS"
