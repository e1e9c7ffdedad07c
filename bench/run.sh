#!/usr/bin/env bash
# Builds the benchmark programs and runs both benchmarks, printing one table each:
#   1. sampler_bench: the tc sampler's cost per packet under BPF_PROG_TEST_RUN, against a
#      no-op tc program measured in the same rounds.
#   2. e2e_bench.sh: UDP packets/s on a veth pair over a bridge without csflowd and with
#      csflowd at each rate, alternating, plus csflowd's CPU time, peak RSS and samples sent.
# Needs root. Results depend on the machine: compare ratios from one run, not across machines.
#
# Environment: BUILD (default build-bench), SAMPLER_RUNS (default 7), SAMPLER_REPEAT
# (default 1000000), and PACKETS, PAYLOAD, ROUNDS and RATES of e2e_bench.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
export BUILD=${BUILD:-$ROOT/build-bench}
SAMPLER_RUNS=${SAMPLER_RUNS:-7}
SAMPLER_REPEAT=${SAMPLER_REPEAT:-1000000}

if [[ $(id -u) != 0 ]]; then
  echo "run.sh: needs root (BPF programs, network namespaces, tc)" >&2
  exit 1
fi

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCSFLOWD_BUILD_BENCH=ON \
  -DCSFLOWD_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target sampler_bench udp_bench csflowd >/dev/null

echo "== host: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
  "kernel $(uname -r)"
echo
echo "== 1. sampler per packet (BPF_PROG_TEST_RUN)"
"$BUILD/bench/sampler_bench" --runs "$SAMPLER_RUNS" --repeat "$SAMPLER_REPEAT"
echo
echo "== 2. end to end on a veth pair over a bridge"
bash "$HERE/e2e_bench.sh"
