#!/bin/bash
# Unit tests of the vmtests runner itself (no VM needed): the case parser,
# the pass/fail/skip verdicts and the initramfs helpers.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/selftest"
exec python3 -m unittest -v test_runner
