#!/usr/bin/env bash
# Starts and stops a Docker engine for the demo and the end-to-end tests.
#
# Usage: scripts/docker-env.sh up|down|status
#   up      start dockerd (unless ours already runs), then import the busybox image
#   down    remove every container, stop dockerd and undo what it changed on the host
#   status  print whether our dockerd runs; exit 0 if it responds, 1 otherwise
#
# Only one dockerd may run on a machine, so callers hold the lock for as long as it runs:
#   flock -w 1200 /tmp/csflowd-docker.lock bash -c 'scripts/docker-env.sh up; ...; scripts/docker-env.sh down'
#
# dockerd does not undo its changes to the host when it exits (ip_forward=1, FORWARD policy
# DROP, DOCKER chains, MASQUERADE, docker0, bridge-nf-call-*). `up` records the host state in
# $CSFLOWD_DOCKER_STATE before dockerd starts and `down` puts it back, so `down` is safe to call
# twice and after a failed `up`.
#
# Environment:
#   CSFLOWD_DOCKER_STATE  state folder (default /run/csflowd-docker)
#   CSFLOWD_IMAGE         name of the busybox image to import (default csflowd-busybox)
set -euo pipefail

STATE=${CSFLOWD_DOCKER_STATE:-/run/csflowd-docker}
IMAGE=${CSFLOWD_IMAGE:-csflowd-busybox}
# Container addresses stay inside 198.18.0.0/15, the range reserved for benchmark networks.
DOCKERD_ARGS=(--bip=198.18.0.1/24 --default-address-pool base=198.19.0.0/16,size=24
  --userland-proxy=false)
START_TIMEOUT_S=30
STOP_TIMEOUT_S=30
IPTABLES_TABLES=(filter nat)

log() { printf 'docker-env: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

# Succeeds when pid $1 exists and is not a zombie.
pid_alive() {
  local stat
  [[ -n $1 ]] && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# Waits up to $2 seconds for pid $1 to exit.
wait_pid_gone() {
  local deadline=$((SECONDS + $2))
  while pid_alive "$1"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

our_pid() { cat "$STATE/dockerd.pid" 2>/dev/null || true; }

docker_answers() { timeout 10 docker info >/dev/null 2>&1; }

sysctl_file() { printf '/proc/sys/%s' "${1//.//}"; }

# Records each value that dockerd changes. Runs once per `up` cycle, because a second `up`
# must not overwrite the original values with the ones dockerd set.
record_host_state() {
  [[ -f $STATE/recorded ]] && return 0
  mkdir -p "$STATE/sysctl"
  local key file
  for key in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables \
    net.bridge.bridge-nf-call-ip6tables net.bridge.bridge-nf-call-arptables; do
    file=$(sysctl_file "$key")
    [[ -r $file ]] && cat "$file" >"$STATE/sysctl/$key"
  done
  # A full save lists only the tables that exist; `iptables-save -t filter` would print an
  # empty filter table even when there is none.
  iptables-save >"$STATE/iptables.rules" 2>/dev/null || true
  ip6tables-save >"$STATE/ip6tables.rules" 2>/dev/null || true
  touch "$STATE/recorded"
}

# Prints the pids of running dockerd processes, leaving out zombies that wait to be reaped.
running_dockerd_pids() {
  local pid
  for pid in $(pgrep -x dockerd || true); do
    if pid_alive "$pid"; then
      printf '%s ' "$pid"
    fi
  done
}

start_dockerd() {
  local other
  other=$(running_dockerd_pids)
  [[ -z $other ]] || die "another dockerd is running (pid $other); stop it first"
  record_host_state
  log "starting dockerd ${DOCKERD_ARGS[*]}"
  # setsid: dockerd must outlive this script and not get the caller's terminal signals.
  setsid dockerd "${DOCKERD_ARGS[@]}" </dev/null >>"$STATE/dockerd.log" 2>&1 &
  echo $! >"$STATE/dockerd.pid"
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until docker_answers; do
    if ! pid_alive "$(our_pid)" || ((SECONDS >= deadline)); then
      tail -n 20 "$STATE/dockerd.log" >&2 || true
      die "dockerd did not respond within ${START_TIMEOUT_S}s (see $STATE/dockerd.log)"
    fi
    sleep 0.2
  done
}

# Imports a minimal image: a static busybox with one symlink per applet.
import_image() {
  docker image inspect "$IMAGE:latest" >/dev/null 2>&1 && return 0
  local busybox root
  busybox=$(command -v busybox) || die "busybox not found; run scripts/install-deps.sh"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/etc" "$root/www" "$root/tmp"
  chmod 1777 "$root/tmp"
  cp "$busybox" "$root/bin/busybox"
  local applet
  for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  echo 'csflowd test page' >"$root/www/index.html"
  tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - "$IMAGE:latest" \
    >/dev/null
  rm -rf "$root"
  log "imported image $IMAGE:latest"
}

cmd_up() {
  mkdir -p "$STATE"
  if pid_alive "$(our_pid)" && docker_answers; then
    log "dockerd already runs (pid $(our_pid))"
  else
    start_dockerd
  fi
  import_image
  log "up: dockerd pid $(our_pid)"
}

remove_containers() {
  docker_answers || return 0
  local ids
  ids=$(docker ps -aq)
  [[ -z $ids ]] || timeout 60 docker rm -f $ids >/dev/null || log "could not remove containers: $ids"
  timeout 30 docker network prune -f >/dev/null || true
}

stop_dockerd() {
  local pid containerd_pid
  pid=$(our_pid)
  containerd_pid=$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true)
  if pid_alive "$pid"; then
    kill -TERM "$pid"
    if ! wait_pid_gone "$pid" "$STOP_TIMEOUT_S"; then
      log "dockerd (pid $pid) did not stop in ${STOP_TIMEOUT_S}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_pid_gone "$pid" 5 || die "dockerd (pid $pid) did not exit after SIGKILL"
    fi
  fi
  # dockerd stops the containerd it started; one left behind by a killed dockerd goes here.
  if [[ -n $containerd_pid ]] && pid_alive "$containerd_pid" &&
    [[ $(cat "/proc/$containerd_pid/comm" 2>/dev/null) == containerd ]]; then
    kill -TERM "$containerd_pid" 2>/dev/null || true
    wait_pid_gone "$containerd_pid" 10 || kill -KILL "$containerd_pid" 2>/dev/null || true
  fi
  rm -f "$STATE/dockerd.pid"
}

# Deletes a table that did not exist before dockerd created it (iptables over nf_tables).
delete_nft_table() {
  local family=ip
  [[ $1 == ip6tables ]] && family=ip6
  if command -v nft >/dev/null && "$1" --version 2>/dev/null | grep -q nf_tables; then
    nft delete table "$family" "$2" 2>/dev/null || true
  fi
}

# Puts back the filter and nat tables as saved (rules, chains and policies such as FORWARD),
# and deletes those that did not exist before dockerd.
restore_iptables() {
  local table tool saved
  for tool in iptables ip6tables; do
    saved=$STATE/$tool.rules
    [[ -f $saved ]] || continue
    for table in "${IPTABLES_TABLES[@]}"; do
      if grep -qx "\*$table" "$saved"; then
        "$tool-restore" -T "$table" <"$saved" || log "could not restore $tool table $table"
      else
        "$tool" -t "$table" -F 2>/dev/null || true
        "$tool" -t "$table" -X 2>/dev/null || true
        "$tool" -t "$table" -P FORWARD ACCEPT 2>/dev/null || true
        delete_nft_table "$tool" "$table"
      fi
    done
  done
}

restore_sysctls() {
  local saved key
  for saved in "$STATE"/sysctl/*; do
    [[ -f $saved ]] || continue
    key=${saved##*/}
    cat "$saved" >"$(sysctl_file "$key")" 2>/dev/null || log "could not restore $key"
  done
}

remove_cgroup_folders() {
  local dir
  while IFS= read -r dir; do
    rmdir "$dir" 2>/dev/null || log "cgroup folder $dir is not empty; left in place"
  done < <(find /sys/fs/cgroup -maxdepth 3 -type d -name docker 2>/dev/null | sort -r)
}

cmd_down() {
  remove_containers
  stop_dockerd
  # docker0 is created only by dockerd, and only one dockerd runs at a time (the lock).
  if ip link show docker0 >/dev/null 2>&1; then
    ip link del docker0
  fi
  if [[ -f $STATE/recorded ]]; then
    restore_iptables
    restore_sysctls
  fi
  remove_cgroup_folders
  rm -rf "$STATE"
  log "down"
}

cmd_status() {
  local pid
  pid=$(our_pid)
  if pid_alive "$pid" && docker_answers; then
    echo "dockerd runs (pid $pid); containers: $(docker ps -q | wc -l)"
    return 0
  fi
  echo "dockerd is not running"
  return 1
}

case ${1:-} in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
*) die "usage: $0 up|down|status" ;;
esac
