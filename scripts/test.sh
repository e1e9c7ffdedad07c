#!/usr/bin/env bash
# Runs everything CI runs: install dependencies, build (Release), lint, unit and end-to-end
# tests (ctest), then the VM tests on Debian's 6.1 kernel.
#
# Usage: scripts/test.sh          (as root: the BPF, Docker and VM tests need it)
# Environment:
#   CSFLOWD_BUILD_DIR  build folder (default: build/ in the repository)
#   CSFLOWD_SKIP_VMTESTS=1  skip the VM tests
# Every step runs even when an earlier one failed, so one run shows every failure; the
# exit status is 1 when any step failed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${CSFLOWD_BUILD_DIR:-$ROOT/build}
JOBS=$(nproc)
cd "$ROOT" || exit 1

declare -a RESULTS=()
FAILED=0

log() { printf '\n=== test.sh: %s\n' "$*" >&2; }

# step NAME COMMAND...: runs one step, records its result and duration.
step() {
  local name=$1 start=$SECONDS status=0
  shift
  log "$name"
  "$@" || status=$?
  if ((status == 0)); then
    RESULTS+=("ok      $name ($((SECONDS - start)) s)")
  else
    RESULTS+=("FAILED  $name ($((SECONDS - start)) s, exit status $status)")
    FAILED=1
  fi
  return "$status"
}

build() {
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DCSFLOWD_BUILD_BENCH=ON &&
    cmake --build "$BUILD_DIR" -j "$JOBS"
}

run_ctest() {
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
}

# Boots the newest installed Debian 6.1 kernels, generic and PREEMPT_RT: the oldest kernel
# the agent supports and one without tcx, so the classic clsact path is tested there.
run_vmtests() {
  if [[ ${CSFLOWD_SKIP_VMTESTS:-0} == 1 ]]; then
    echo "vmtests skipped: CSFLOWD_SKIP_VMTESTS=1"
    return 0
  fi
  local flavour kernel kernels=()
  for flavour in amd64 rt-amd64; do
    kernel=$(ls /boot/vmlinuz-6.1.0-*-"$flavour" 2>/dev/null | grep -E -- "-[0-9]+-$flavour\$" |
      sort -V | tail -n 1)
    if [[ -z $kernel ]]; then
      echo "no /boot/vmlinuz-6.1.0-*-$flavour; run scripts/install-deps.sh" >&2
      return 1
    fi
    kernels+=(--kernel "$kernel")
  done
  bash "$ROOT/vmtests/run.sh" "${kernels[@]}" --build "$BUILD_DIR" --strict
}

# The same cases on the running kernel, whose image QEMU cannot boot here.
run_vmtests_local() {
  bash "$ROOT/vmtests/run.sh" --local --build "$BUILD_DIR" --strict
}

step "install dependencies" "$ROOT/scripts/install-deps.sh" || exit 1
if step "configure and build ($BUILD_DIR)" build; then
  step "lint" "$ROOT/scripts/lint.sh" "$BUILD_DIR"
  step "ctest (unit and end-to-end)" run_ctest
  step "vmtests runner self-test" bash "$ROOT/vmtests/selftest.sh"
  step "vmtests (Debian 6.1 kernels in QEMU)" run_vmtests
  step "vmtests (running kernel, no VM)" run_vmtests_local
fi

log "summary"
printf '  %s\n' "${RESULTS[@]}" >&2
exit "$FAILED"
