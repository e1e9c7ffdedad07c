#!/bin/bash
# Boot kernels in QEMU and run the declarative cases in vmtests/cases/.
# Usage: vmtests/run.sh --kernel <vmlinuz path | release | host> [--kernel ...] [--build DIR]
#        vmtests/run.sh --all [--build DIR]
# See vmtests/README.md and `vmtests/run.sh --help`.
set -euo pipefail
exec python3 "$(dirname "$(readlink -f "$0")")/lib/vmrun.py" "$@"
