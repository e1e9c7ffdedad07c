#include "containers/cgroup_scan.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

namespace csflowd::containers {
namespace {

constexpr size_t kIdLength = 64;

bool is_hex_id(std::string_view text) {
  return text.size() == kIdLength && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Systemd scope units name the id between a runtime prefix and ".scope".
struct ScopePrefix {
  std::string_view prefix;
  std::string_view runtime;
};
constexpr ScopePrefix kScopePrefixes[] = {
    {"docker-", "docker"},
    {"cri-containerd-", "containerd"},
    {"crio-", "crio"},
    {"libpod-", "podman"},
};

std::optional<CgroupId> id_from_component(std::string_view component, std::string_view parent,
                                          bool under_kubepods) {
  for (const ScopePrefix& scope : kScopePrefixes) {
    if (component.starts_with(scope.prefix)) {
      std::string_view rest = component.substr(scope.prefix.size());
      if (rest.ends_with(".scope")) {
        rest.remove_suffix(6);
      }
      // "libpod-conmon-<id>.scope" runs podman's monitor, not the container, so it fails here.
      if (is_hex_id(rest)) {
        return CgroupId{std::string(rest), std::string(scope.runtime)};
      }
    }
  }
  if (!is_hex_id(component)) {
    return std::nullopt;
  }
  if (parent == "docker") {
    return CgroupId{std::string(component), "docker"};
  }
  if (under_kubepods) {
    return CgroupId{std::string(component), "kubepods"};
  }
  return std::nullopt;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<int> list_pids(DIR* dir) {
  std::vector<int> pids;
  while (dirent* entry = readdir(dir)) {
    if (auto pid = parse_number<int>(entry->d_name); pid && *pid > 0) {
      pids.push_back(*pid);
    }
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

}  // namespace

std::vector<CgroupLine> parse_cgroup_file(std::string_view text) {
  std::vector<CgroupLine> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    size_t first = line.find(':');
    size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) {
      continue;
    }
    auto hierarchy = parse_number<int>(line.substr(0, first));
    std::string_view path = line.substr(second + 1);  // a path may itself contain ':'
    if (!hierarchy || *hierarchy < 0 || !path.starts_with('/')) {
      continue;
    }
    lines.push_back(
        {*hierarchy, std::string(line.substr(first + 1, second - first - 1)), std::string(path)});
  }
  return lines;
}

std::optional<CgroupId> container_id_from_path(std::string_view path) {
  bool under_kubepods = false;
  std::string_view parent;
  while (!path.empty()) {
    size_t start = path.find_first_not_of('/');
    if (start == std::string_view::npos) {
      break;
    }
    path.remove_prefix(start);
    std::string_view component = path.substr(0, path.find('/'));
    path.remove_prefix(component.size());
    if (auto found = id_from_component(component, parent, under_kubepods)) {
      return found;
    }
    // "kubepods", "kubepods.slice", "kubepods-burstable.slice", ...
    under_kubepods = under_kubepods || component.starts_with("kubepods");
    parent = component;
  }
  return std::nullopt;
}

std::optional<CgroupId> container_id_from_cgroups(const std::vector<CgroupLine>& lines) {
  for (const CgroupLine& line : lines) {
    if (auto found = container_id_from_path(line.path)) {
      return found;
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> parse_netns_link(std::string_view target) {
  if (!target.starts_with("net:[") || !target.ends_with(']')) {
    return std::nullopt;
  }
  return parse_number<uint64_t>(target.substr(5, target.size() - 6));
}

namespace {

Result<uint64_t> read_netns_link(const std::string& path) {
  char target[64];
  ssize_t length = readlink(path.c_str(), target, sizeof target - 1);
  if (length < 0) {
    return errno_error("failed to read link '" + path + "'");
  }
  auto inode = parse_netns_link(std::string_view(target, static_cast<size_t>(length)));
  if (!inode) {
    return plain_error("link '" + path + "' does not name a network namespace");
  }
  return *inode;
}

}  // namespace

Result<std::vector<CgroupLine>> read_cgroups(int pid, const std::string& proc_root) {
  std::string path = proc_root + "/" + std::to_string(pid) + "/cgroup";
  auto text = read_file(path);
  if (!text) {
    return errno_error("failed to read '" + path + "'");
  }
  return parse_cgroup_file(*text);
}

Result<uint64_t> read_netns_inode(int pid, const std::string& proc_root) {
  return read_netns_link(proc_root + "/" + std::to_string(pid) + "/ns/net");
}

Result<ScanResult> scan_processes(const std::string& proc_root) {
  DIR* dir = opendir(proc_root.c_str());
  if (dir == nullptr) {
    return errno_error("failed to open '" + proc_root + "'");
  }
  std::vector<int> pids = list_pids(dir);
  closedir(dir);

  // The reference is PID 1's namespace, or this process's own where PID 1's cannot be read
  // (a sandbox or a PID namespace that hides it).
  auto host_netns = read_netns_inode(1, proc_root);
  if (!host_netns) {
    host_netns = read_netns_link(proc_root + "/self/ns/net");
  }
  std::map<std::string, ScannedContainer> containers;
  std::map<uint64_t, int> other_netns;  // inode -> lowest pid without a container id
  for (int pid : pids) {
    if (pid == 1) {
      continue;
    }
    auto cgroups = read_cgroups(pid, proc_root);
    if (!cgroups) {
      continue;  // the process exited, or is a kernel thread without the file
    }
    auto netns = read_netns_inode(pid, proc_root);
    std::optional<uint64_t> inode = netns ? std::optional(*netns) : std::nullopt;
    if (auto found = container_id_from_cgroups(*cgroups)) {
      // pids are in ascending order, so the first process seen is the lowest.
      containers.try_emplace(
          found->id, ScannedContainer{found->id, found->runtime, pid, std::move(*cgroups), inode});
    } else if (inode && host_netns && *inode != *host_netns) {
      other_netns.try_emplace(*inode, pid);
    }
  }
  ScanResult result;
  for (auto& [id, container] : containers) {
    if (container.netns_inode) {
      other_netns.erase(*container.netns_inode);  // e.g. `docker exec` or nsenter processes
    }
    result.containers.push_back(std::move(container));
  }
  for (const auto& [inode, pid] : other_netns) {
    result.netns_only.push_back({inode, pid});
  }
  return result;
}

std::map<uint64_t, std::string> read_named_netns(const std::string& dir) {
  std::map<uint64_t, std::string> names;
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) {
    return names;
  }
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    struct stat info {};
    if (name == "." || name == ".." ||
        stat((std::string(dir).append("/").append(name)).c_str(), &info) != 0) {
      continue;
    }
    names.emplace(info.st_ino, name);
  }
  closedir(handle);
  return names;
}

}  // namespace csflowd::containers
