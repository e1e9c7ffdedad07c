#include "counters/cgroup_location.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "counters/text.h"

namespace csflowd::counters {

namespace {

bool is_directory(const std::string& path) {
  std::error_code ec;
  return !path.empty() && std::filesystem::is_directory(path, ec);
}

std::vector<std::string> to_strings(const std::vector<std::string_view>& parts) {
  return {parts.begin(), parts.end()};
}

// mountinfo: "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw".
std::optional<CgroupMount> parse_mountinfo_line(const std::vector<std::string_view>& f) {
  auto dash = std::find(f.begin(), f.end(), std::string_view("-"));
  if (f.size() < 5 || dash == f.end() || f.end() - dash < 4) return std::nullopt;
  std::string_view fstype = *(dash + 1);
  if (fstype != "cgroup" && fstype != "cgroup2") return std::nullopt;
  CgroupMount mount;
  mount.v2 = fstype == "cgroup2";
  mount.root = decode_octal_escapes(f[3]);
  mount.mount_point = decode_octal_escapes(f[4]);
  if (!mount.v2) mount.controllers = to_strings(split_on(*(dash + 3), ','));
  return mount;
}

// /proc/mounts: "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0".
std::optional<CgroupMount> parse_mounts_line(const std::vector<std::string_view>& f) {
  if (f.size() < 4 || (f[2] != "cgroup" && f[2] != "cgroup2")) return std::nullopt;
  CgroupMount mount;
  mount.v2 = f[2] == "cgroup2";
  mount.mount_point = decode_octal_escapes(f[1]);
  if (!mount.v2) mount.controllers = to_strings(split_on(f[3], ','));
  return mount;
}

// The path of `cgroup` below a mount of `mount_root`, or nullopt when the cgroup lies
// outside what the mount shows.
std::optional<std::string> relative_to_mount(std::string_view cgroup, std::string_view mount_root) {
  if (cgroup.empty() || cgroup.front() != '/' || cgroup.starts_with("/..")) return std::nullopt;
  if (mount_root == "/") return std::string(cgroup);
  if (!cgroup.starts_with(mount_root)) return std::nullopt;
  std::string_view rest = cgroup.substr(mount_root.size());
  if (!rest.empty() && rest.front() != '/') return std::nullopt;
  return std::string(rest);
}

std::string find_container_dir(const std::string& mount_dir, std::string_view id) {
  for (const std::string& candidate :
       {"/docker/" + std::string(id), "/system.slice/docker-" + std::string(id) + ".scope"}) {
    if (is_directory(mount_dir + candidate)) return mount_dir + candidate;
  }
  return {};
}

std::string resolve_dir(const CgroupMount& mount, std::string_view cgroup_path,
                        const std::string& root, std::string_view container_id) {
  std::string mount_dir = join_root(root, mount.mount_point);
  while (mount_dir.size() > 1 && mount_dir.back() == '/') mount_dir.pop_back();
  bool namespaced = cgroup_path == "/" || cgroup_path.starts_with("/..");
  if (namespaced && !container_id.empty()) return find_container_dir(mount_dir, container_id);
  std::optional<std::string> relative = relative_to_mount(cgroup_path, mount.root);
  if (!relative) return {};
  std::string dir = *relative == "/" ? mount_dir : mount_dir + *relative;
  return is_directory(dir) ? dir : std::string();
}

const CgroupMount* find_v1_mount(const std::vector<CgroupMount>& mounts, std::string_view name) {
  for (const CgroupMount& mount : mounts) {
    if (mount.v2) continue;
    if (std::find(mount.controllers.begin(), mount.controllers.end(), name) !=
        mount.controllers.end()) {
      return &mount;
    }
  }
  return nullptr;
}

std::string* v1_slot(CgroupLocation& location, std::string_view controller) {
  if (controller == "cpu") return &location.cpu;
  if (controller == "cpuacct") return &location.cpuacct;
  if (controller == "memory") return &location.memory;
  if (controller == "blkio") return &location.blkio;
  if (controller == "cpuset") return &location.cpuset;
  return nullptr;
}

}  // namespace

std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text) {
  std::vector<CgroupMembership> memberships;
  for (std::string_view line : split_lines(text)) {
    size_t first = line.find(':');
    size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    auto hierarchy = parse_u64(line.substr(0, first));
    std::string_view path = trim(line.substr(second + 1));
    if (!hierarchy || *hierarchy > UINT32_MAX || !path.starts_with('/')) continue;
    CgroupMembership membership;
    membership.hierarchy = static_cast<uint32_t>(*hierarchy);
    std::string_view controllers = line.substr(first + 1, second - first - 1);
    if (!controllers.empty()) membership.controllers = to_strings(split_on(controllers, ','));
    membership.path = std::string(path);
    memberships.push_back(std::move(membership));
  }
  return memberships;
}

std::vector<CgroupMount> parse_cgroup_mounts(std::string_view text) {
  std::vector<CgroupMount> mounts;
  for (std::string_view line : split_lines(text)) {
    std::vector<std::string_view> fields = split_fields(line);
    bool mountinfo = std::find(fields.begin(), fields.end(), std::string_view("-")) != fields.end();
    std::optional<CgroupMount> mount =
        mountinfo ? parse_mountinfo_line(fields) : parse_mounts_line(fields);
    if (mount) mounts.push_back(std::move(*mount));
  }
  return mounts;
}

CgroupLocation resolve_cgroup_location(std::string_view proc_cgroup, std::string_view mounts,
                                       const std::string& root, std::string_view container_id) {
  std::vector<CgroupMount> table = parse_cgroup_mounts(mounts);
  CgroupLocation location;
  for (const CgroupMembership& membership : parse_proc_cgroup(proc_cgroup)) {
    if (membership.hierarchy == 0 && membership.controllers.empty()) {
      auto v2 = std::find_if(table.begin(), table.end(), [](const auto& m) { return m.v2; });
      if (v2 != table.end()) {
        location.unified = resolve_dir(*v2, membership.path, root, container_id);
      }
      continue;
    }
    for (const std::string& controller : membership.controllers) {
      std::string* slot = v1_slot(location, controller);
      const CgroupMount* mount = find_v1_mount(table, controller);
      if (slot != nullptr && mount != nullptr) {
        *slot = resolve_dir(*mount, membership.path, root, container_id);
      }
    }
  }
  return location;
}

}  // namespace csflowd::counters
