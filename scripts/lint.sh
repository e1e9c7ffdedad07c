#!/usr/bin/env bash
# Checks formatting (clang-format) and runs clang-tidy; exits 1 and lists the files at fault.
#
# Usage: scripts/lint.sh [BUILD_DIR]
#   BUILD_DIR  a configured build folder with compile_commands.json (default: build)
# Environment:
#   LINT_JOBS  parallel clang-tidy processes (default: number of CPUs)
#   LINT_SKIP_TIDY=1  check formatting only
#
# clang-format checks every C/C++ source under userspace/, tests/, bench/, bpf/ and include/
# against the nearest .clang-format. clang-tidy checks userspace/**/*.cpp and bench/*.cpp with
# the repository's .clang-tidy, whose WarningsAsErrors makes every finding an error; files
# that the build does not compile have no compile command and are skipped.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${1:-$ROOT/build}
JOBS=${LINT_JOBS:-$(nproc)}
cd "$ROOT" || exit 1

log() { printf 'lint: %s\n' "$*" >&2; }

format_check() {
  local files=() bad=() file
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
    'userspace/*.cpp' 'userspace/*.h' 'tests/*.cpp' 'tests/*.h' 'bpf/*.c' 'bpf/*.h' 'bench/*.cpp' 'bench/*.c' \
    'include/*.h')
  for file in "${files[@]}"; do
    [[ -f $file ]] || continue
    clang-format --dry-run -Werror "$file" >/dev/null 2>&1 || bad+=("$file")
  done
  if ((${#bad[@]} > 0)); then
    log "clang-format: ${#bad[@]} of ${#files[@]} files are not formatted" \
      "(fix with: clang-format -i FILE):"
    printf '  %s\n' "${bad[@]}" >&2
    return 1
  fi
  log "clang-format: ${#files[@]} files formatted"
}

# Runs clang-tidy on one file, saving its output next to the others when it fails.
tidy_one() {
  local file=$1 out_dir=$2 out
  # The compile commands come from GCC; clang must not reject GCC-only warning flags.
  out=$(clang-tidy --quiet --extra-arg=-Wno-unknown-warning-option -p "$BUILD_DIR" "$file" 2>&1) &&
    return 0
  # Findings inside generated files (the bpftool skeleton in the build folder) are not ours.
  if ! grep -E 'error:|warning:' <<<"$out" | grep -qv "^$(realpath "$BUILD_DIR")/"; then
    return 0
  fi
  printf '%s\n' "$out" >"$out_dir/$(tr / _ <<<"$file").txt"
  return 1
}

tidy_check() {
  if [[ ! -f $BUILD_DIR/compile_commands.json ]]; then
    log "clang-tidy: $BUILD_DIR/compile_commands.json not found; configure the build first"
    return 1
  fi
  local files=() out_dir start=$SECONDS
  # Only files that the build compiles: clang-tidy needs their compile commands.
  mapfile -t files < <(python3 - "$BUILD_DIR/compile_commands.json" "$ROOT" <<'PY'
import json, os, sys
root = sys.argv[2]
names = {os.path.relpath(os.path.join(e["directory"], e["file"]), root)
         for e in json.load(open(sys.argv[1]))}
print("\n".join(sorted(n for n in names if n.startswith(("userspace/", "bench/")) and n.endswith(".cpp"))))
PY
  )
  out_dir=$(mktemp -d)
  export -f tidy_one
  export BUILD_DIR
  printf '%s\0' "${files[@]}" |
    xargs -0 -n 1 -P "$JOBS" bash -c 'tidy_one "$1" "$0"' "$out_dir"
  local reports=("$out_dir"/*.txt)
  if [[ -f ${reports[0]} ]]; then
    log "clang-tidy: ${#reports[@]} of ${#files[@]} files have findings:"
    local report
    for report in "${reports[@]}"; do
      grep -E 'error:|warning:' "$report" | sed 's/^/  /' >&2
    done
    rm -rf "$out_dir"
    return 1
  fi
  rm -rf "$out_dir"
  log "clang-tidy: ${#files[@]} files clean in $((SECONDS - start)) s"
}

status=0
format_check || status=1
if [[ ${LINT_SKIP_TIDY:-0} != 1 ]]; then
  tidy_check || status=1
fi
exit "$status"
