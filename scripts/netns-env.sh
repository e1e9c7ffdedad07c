#!/usr/bin/env bash
# Builds a small container-like network without Docker: two network namespaces, each joined
# by a veth pair to one bridge on the host. The demo falls back to it when dockerd cannot run.
#
# Usage: scripts/netns-env.sh up|down
#
# With the default prefix "csflowd" `up` creates:
#   bridge  csflowd-br0  198.18.100.1/24
#   netns   csflowd-a    eth0 198.18.100.2/24, host-side veth csflowd-a
#   netns   csflowd-b    eth0 198.18.100.3/24, host-side veth csflowd-b
# IPv6 is off on all of them, so the only packets are the ones a caller sends.
# `down` deletes them; both commands are idempotent.
#
# Environment:
#   CSFLOWD_NETNS_PREFIX  prefix of every name above (default csflowd, at most 11 characters
#                         so that "<prefix>-br0" fits the 15-character interface name limit)
set -euo pipefail

PREFIX=${CSFLOWD_NETNS_PREFIX:-csflowd}
BRIDGE=$PREFIX-br0
SUBNET=198.18.100
NAMES=(a b)
declare -A HOST_OCTET=([a]=2 [b]=3)

log() { printf 'netns-env: %s\n' "$*" >&2; }

if ((${#PREFIX} > 11)); then
  log "prefix '$PREFIX' is longer than 11 characters"
  exit 1
fi

disable_ipv6() {
  local conf=/proc/sys/net/ipv6/conf/$1/disable_ipv6
  [[ -w $conf ]] && echo 1 >"$conf"
  return 0
}

add_namespace() {
  local ns=$PREFIX-$1 address=$SUBNET.${HOST_OCTET[$1]}
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add "$ns" type veth peer name eth0 netns "$ns"
  disable_ipv6 "$ns"
  ip link set "$ns" master "$BRIDGE" up
  ip -n "$ns" addr add "$address/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
}

cmd_up() {
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    log "already up ($BRIDGE exists)"
    return 0
  fi
  ip link add "$BRIDGE" type bridge
  disable_ipv6 "$BRIDGE"
  ip addr add "$SUBNET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  local name
  for name in "${NAMES[@]}"; do
    add_namespace "$name"
  done
  log "up: $BRIDGE, namespaces ${NAMES[*]/#/$PREFIX-}"
  warn_if_forward_drops
}

# With bridge-nf-call-iptables=1, bridged packets pass the iptables FORWARD chain, and the
# DROP policy that dockerd sets would silently drop all traffic between the namespaces.
warn_if_forward_drops() {
  local call_iptables
  call_iptables=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo 0)
  if [[ $call_iptables == 1 ]] && iptables-save 2>/dev/null | grep -q '^:FORWARD DROP'; then
    log "warning: iptables FORWARD policy is DROP and bridge-nf-call-iptables=1;" \
      "traffic between the namespaces will be dropped"
  fi
}

cmd_down() {
  local name
  for name in "${NAMES[@]}"; do
    # Deleting the namespace deletes its eth0 and with it the host-side peer.
    ip netns del "$PREFIX-$name" 2>/dev/null || true
    ip link del "$PREFIX-$name" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  log "down"
}

case ${1:-} in
up) cmd_up ;;
down) cmd_down ;;
*)
  log "usage: $0 up|down"
  exit 1
  ;;
esac
