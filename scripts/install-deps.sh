#!/usr/bin/env bash
# Installs every Debian 12 package that the build, the tests, the demo and the VM tests need.
# Idempotent: when all of them are already installed it returns at once without touching apt.
# Usage: scripts/install-deps.sh   (as root, or with sudo available). Waits up to 10 minutes
# for another apt or dpkg run to release its lock.
set -euo pipefail

# Packages installed under these exact names.
PACKAGES=(
  cmake g++ clang llvm bpftool pkg-config
  libbpf-dev libelf-dev zlib1g-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libmnl-dev libcurl4-openssl-dev libgtest-dev googletest
  clang-format clang-tidy
  iproute2 iputils-ping iptables procps util-linux kmod
  docker.io busybox-static
  tshark nfdump-sflow pmacct python3
  qemu-system-x86 cpio gzip
)
# The VM tests boot Debian's 6.1 kernel in two builds: the generic one and the PREEMPT_RT
# one. The newest of each is installed. (The cloud build lacks 9p, which the VM tests need.)
KERNEL_FLAVOURS=(amd64 rt-amd64)

log() { printf 'install-deps: %s\n' "$*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  else
    sudo "$@"
  fi
}

is_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == 'install ok installed' ]]
}

# Prints the names of the PACKAGES that are not installed yet.
missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || printf '%s\n' "$pkg"
  done
}

# kernel_pattern FLAVOUR: the package names of one kernel build, e.g. linux-image-6.1.0-57-rt-amd64-unsigned.
kernel_pattern() { printf '^linux-image-6\\.1\\.0-[0-9]+-%s-unsigned$' "$1"; }

installed_kernel() {
  dpkg-query -W -f='${Package} ${Status}\n' 'linux-image-6.1.0-*-unsigned' 2>/dev/null |
    awk '$NF == "installed" { print $1 }' | grep -E "$(kernel_pattern "$1")" | sort -V | tail -n 1
}

newest_kernel_package() {
  apt-cache search --names-only "$(kernel_pattern "$1")" | awk '{ print $1 }' | sort -V | tail -n 1
}

# Prints the kernel flavours that have no package installed yet.
missing_kernels() {
  local flavour
  for flavour in "${KERNEL_FLAVOURS[@]}"; do
    [[ -n $(installed_kernel "$flavour") ]] || printf '%s\n' "$flavour"
  done
}

# Fails with the list of names that apt does not know, so a renamed package is reported
# by name instead of as a generic apt-get error.
check_candidates() {
  local pkg policy unknown=()
  for pkg in "$@"; do
    # Read the whole output first: grep -q would close the pipe early and, under pipefail,
    # turn apt-cache's SIGPIPE into a false "no candidate".
    policy=$(apt-cache policy "$pkg" 2>/dev/null)
    if [[ ! $policy =~ Candidate:\ [0-9] ]]; then
      unknown+=("$pkg")
    fi
  done
  if ((${#unknown[@]} > 0)); then
    log "no installation candidate for: ${unknown[*]}"
    exit 1
  fi
}

main() {
  local missing kernels flavour kernel
  mapfile -t missing < <(missing_packages)
  mapfile -t kernels < <(missing_kernels)
  if ((${#missing[@]} == 0 && ${#kernels[@]} == 0)); then
    log "all packages present"
    return 0
  fi

  log "running apt-get update"
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  for flavour in "${kernels[@]}"; do
    kernel=$(newest_kernel_package "$flavour")
    if [[ -z $kernel ]]; then
      log "apt knows no package matching $(kernel_pattern "$flavour")"
      exit 1
    fi
    missing+=("$kernel")
  done
  check_candidates "${missing[@]}"

  # tshark asks whether non-root users may capture; answer no instead of prompting.
  echo 'wireshark-common wireshark-common/install-setuid boolean false' |
    as_root debconf-set-selections
  log "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
  log "done"
}

main "$@"
