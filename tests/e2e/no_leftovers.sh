#!/usr/bin/env bash
# End-to-end: after the other end-to-end tests, nothing of theirs is left on the host.
#
# Checked: no clsact qdisc on docker0, on a veth or on a csfe-* device; no BPF program named
# sflow_* that no process holds (a program attached to tc and forgotten) or that a csflowd
# process holds; no csfe-* network namespace; no dockerd; no docker0. It takes the Docker
# lock, so no other test's dockerd can be running while it looks.
#
# Usage: no_leftovers.sh CSFLOWD CSFLOWD_DUMP   (root; takes /tmp/csflowd-docker.lock)
source "$(dirname "$0")/lib.sh"
e2e_init "$@"
command -v bpftool >/dev/null || skip "bpftool not found; run scripts/install-deps.sh"

FAILURES=0
expect_none() {
  local what=$1 found=$2
  if [[ -n $found ]]; then
    log "FAIL $what: expected none, found: $found"
    FAILURES=$((FAILURES + 1))
  else
    log "ok   $what: none"
  fi
}

expect_none "clsact qdiscs on docker0, veth* or csfe-*" \
  "$(tc qdisc show | awk '$2 == "clsact" && $5 ~ /^(docker0|veth|csfe-)/ { print $5 }' |
    tr '\n' ' ')"
# A program held by no process stays loaded only because something (tc) still references it.
LEFTOVER_PROGRAMS=$(bpftool -j prog show | python3 -c '
import json, sys
for prog in json.load(sys.stdin):
    if not prog.get("name", "").startswith("sflow_"):
        continue
    holders = [p.get("comm", "") for p in prog.get("pids", [])]
    if not holders or "csflowd" in holders:
        print("%s (id %d, held by %s)" % (prog["name"], prog["id"], holders or "nothing"))
') || fail "could not list BPF programs with bpftool"
expect_none "sflow_* BPF programs held by no process or by csflowd" "$LEFTOVER_PROGRAMS"
expect_none "csfe-* network namespaces" "$(ip netns list | awk '$1 ~ /^csfe-/ { print $1 }')"
expect_none "dockerd processes (zombies aside)" "$(ps -C dockerd -o pid=,stat= | awk '$2 !~ /^Z/ { print $1 }' | tr '\n' ' ')"
expect_none "docker0" "$(ip -br link show docker0 2>/dev/null)"
((FAILURES == 0)) || fail "$FAILURES leftover check(s) failed"
log "PASS"
