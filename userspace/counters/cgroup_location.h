// Location of a container's cgroup files on cgroup v1, v2 and hybrid hosts, for both the
// cgroupfs layout (/docker/<id>) and the systemd one (/system.slice/docker-<id>.scope).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace csflowd::counters {

// Directories of one container's cgroups. An empty string means that the hierarchy or
// controller is not mounted or the directory does not exist. On a hybrid host both the
// cgroup2 directory and the v1 directories are set; on a pure cgroup2 host only `unified`.
struct CgroupLocation {
  std::string unified;  // cgroup2 directory
  std::string cpu;      // v1 "cpu" controller (cpu.cfs_quota_us)
  std::string cpuacct;  // v1 "cpuacct" (often the same directory as cpu)
  std::string memory;
  std::string blkio;
  std::string cpuset;

  [[nodiscard]] bool empty() const {
    return unified.empty() && cpu.empty() && cpuacct.empty() && memory.empty() && blkio.empty() &&
           cpuset.empty();
  }
};

// One line of /proc/<pid>/cgroup: "4:memory:/docker/<id>" or "0::/docker/<id>".
struct CgroupMembership {
  uint32_t hierarchy = 0;
  std::vector<std::string> controllers;  // empty for the cgroup2 line
  std::string path;
};

// /proc/<pid>/cgroup; malformed lines are skipped.
std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text);

// A mounted cgroup hierarchy.
struct CgroupMount {
  bool v2 = false;
  std::string mount_point;
  std::string root = "/";                // the cgroup mounted there ("/" unless namespaced)
  std::vector<std::string> controllers;  // v1 only, from the mount options
};

// The cgroup and cgroup2 mounts of /proc/<pid>/mountinfo or /proc/mounts (the format is
// recognised per line; /proc/mounts has no root field, so root is "/").
std::vector<CgroupMount> parse_cgroup_mounts(std::string_view text);

// Resolves the directories of a process's cgroups from the text of /proc/<pid>/cgroup and
// a mount table. `root` is prefixed to each mount point ("" on a real host, a fixture
// folder in tests). When the process's path is "/" or leads out of the mount with "/..",
// as a cgroup namespace shows it, and `container_id` is given, the standard Docker
// directories under each mount are tried instead: /docker/<id> and
// /system.slice/docker-<id>.scope.
CgroupLocation resolve_cgroup_location(std::string_view proc_cgroup, std::string_view mounts,
                                       const std::string& root, std::string_view container_id = {});

}  // namespace csflowd::counters
