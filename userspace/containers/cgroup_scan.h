// Container discovery without Docker: container ids in /proc/<pid>/cgroup, and processes
// in network namespaces other than PID 1's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace csflowd::containers {

// One line of /proc/<pid>/cgroup: "hierarchy-id:controllers:path".
struct CgroupLine {
  int hierarchy = 0;        // 0 for the cgroup2 line
  std::string controllers;  // "cpu,cpuacct"; "" for cgroup2 and for named v1 hierarchies' ids
  std::string path;         // path inside the hierarchy, starting with '/'
};

// A container id found in a cgroup path, with the runtime whose naming scheme matched.
struct CgroupId {
  std::string id;       // 64 hex digits
  std::string runtime;  // "docker", "containerd", "podman", "crio" or "kubepods"
};

// A container found in the cgroup of at least one process.
struct ScannedContainer {
  std::string id;
  std::string runtime;
  int pid = 0;                      // lowest pid in the container
  std::vector<CgroupLine> cgroups;  // that pid's /proc/<pid>/cgroup
  std::optional<uint64_t> netns_inode;
};

// A network namespace other than PID 1's, holding processes without a container id,
// e.g. one made by `ip netns add`.
struct NetnsCandidate {
  uint64_t netns_inode = 0;
  int pid = 0;  // lowest pid in that namespace
};

struct ScanResult {
  std::vector<ScannedContainer> containers;  // sorted by id
  std::vector<NetnsCandidate> netns_only;    // sorted by inode
};

// Parses the text of /proc/<pid>/cgroup; malformed lines are skipped.
std::vector<CgroupLine> parse_cgroup_file(std::string_view text);

// Finds a container id in one cgroup path: ".../docker/<id>", "docker-<id>.scope",
// "cri-containerd-<id>.scope", "crio-<id>.scope", "libpod-<id>.scope" or
// "/kubepods/.../<id>". The outermost match wins, so a nested engine's ids are ignored.
std::optional<CgroupId> container_id_from_path(std::string_view path);

// Reads the first container id among a process's cgroup lines.
std::optional<CgroupId> container_id_from_cgroups(const std::vector<CgroupLine>& lines);

// Parses "net:[4026531840]", the target of /proc/<pid>/ns/net.
std::optional<uint64_t> parse_netns_link(std::string_view target);

// Reads and parses <proc_root>/<pid>/cgroup.
Result<std::vector<CgroupLine>> read_cgroups(int pid, const std::string& proc_root = "/proc");

// Reads the inode of <proc_root>/<pid>/ns/net from its link target.
Result<uint64_t> read_netns_inode(int pid, const std::string& proc_root = "/proc");

// Scans every numeric directory of proc_root except PID 1. A process counts as netns-only
// when its namespace differs from PID 1's, or from proc_root/self's when PID 1's link
// cannot be read. Processes that exit during the scan are skipped.
Result<ScanResult> scan_processes(const std::string& proc_root = "/proc");

// Maps the inode of each namespace bound under dir (as `ip netns add` does) to its name.
// A missing dir gives an empty map.
std::map<uint64_t, std::string> read_named_netns(const std::string& dir = "/run/netns");

}  // namespace csflowd::containers
