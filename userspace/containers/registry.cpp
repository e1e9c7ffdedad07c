#include "containers/registry.h"

#include <algorithm>
#include <set>

#include "common/log.h"
#include "containers/netns.h"

namespace csflowd::containers {
namespace {

constexpr size_t kShortIdLength = 12;
// hsflowd writes "<name>.<short id>" with snprintf into 64 bytes, so it keeps 63.
constexpr size_t kMaxDisambiguatedBytes = 63;

void note(std::vector<std::string>& ids, const std::string& id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
    ids.push_back(id);
  }
}

// A plain namespace has no id to take a UUID from: "netns" then the inode, big-endian.
Uuid uuid_for_netns(uint64_t inode) {
  Uuid uuid{'n', 'e', 't', 'n', 's', 0, 0, 0};
  for (size_t i = 0; i < 8; ++i) {
    uuid[15 - i] = static_cast<uint8_t>(inode >> (8 * i));
  }
  return uuid;
}

std::string docker_state(const ContainerInfo& info) {
  if (info.paused) {
    return "paused";
  }
  return info.running ? "running" : "exited";
}

}  // namespace

Registry::Registry(RegistryOptions options, Inspector inspector)
    : options_(std::move(options)), inspector_(std::move(inspector)) {}

Container* Registry::insert(const std::string& id, const Uuid& uuid, RegistryChanges& changes) {
  auto [it, inserted] = by_id_.try_emplace(id);
  Container& container = it->second;
  if (!inserted) {
    return &container;
  }
  container.id = id;
  container.uuid = uuid;
  container.state = "running";
  if (auto index = ds_indexes_.assign(uuid)) {
    container.ds_index = *index;
    by_ds_index_[*index] = id;
  } else {
    spdlog::warn("no free dsIndex for container '{}', it gets no counter samples", id);
  }
  note(changes.added, id);
  return &container;
}

void Registry::upsert_docker(const ContainerInfo& info, RegistryChanges& changes) {
  auto uuid = uuid_from_id(info.id);
  if (!uuid) {
    spdlog::warn("ignoring docker container: {}", uuid.error().message());
    return;
  }
  bool known = by_id_.count(info.id) != 0;
  Container& container = *insert(info.id, *uuid, changes);

  std::string state = docker_state(info);
  bool changed = container.state != state || container.pid != info.pid ||
                 container.docker_name != hostname_from_name(info.name) ||
                 container.config_hostname != info.hostname;
  if (known && container.state != "exited" && state == "exited") {
    mark_exited(container, changes);
  }

  container.state = state;
  container.from_docker = true;
  container.runtime = "docker";
  container.pid = info.pid;
  container.docker_name = hostname_from_name(info.name);
  container.config_hostname = info.hostname;
  container.cpu_limit = info.cpu_limit();
  container.memory_limit = info.memory;
  container.cpuset = info.cpuset_cpus;
  if (info.pid > 0) {
    if (auto cgroups = read_cgroups(info.pid, options_.proc_root)) {
      container.cgroups = std::move(*cgroups);
    }
  }
  update_name(container);
  if (known && changed && state != "exited") {
    note(changes.updated, info.id);
  }
}

void Registry::upsert_scanned(const ScannedContainer& scanned, RegistryChanges& changes) {
  auto found = by_id_.find(scanned.id);
  if (found != by_id_.end() && found->second.from_docker && found->second.pid > 0) {
    found->second.netns_inode = scanned.netns_inode;  // Docker's pid and cgroups take priority
    return;
  }
  auto uuid = uuid_from_id(scanned.id);
  if (!uuid) {
    return;
  }
  Container& container = *insert(scanned.id, *uuid, changes);
  if (container.pid != scanned.pid || container.state != "running") {
    if (found != by_id_.end()) {
      note(changes.updated, scanned.id);
    }
  }
  container.state = "running";
  container.pid = scanned.pid;
  container.runtime = scanned.runtime;
  container.cgroups = scanned.cgroups;
  container.netns_inode = scanned.netns_inode;
  update_name(container);
}

void Registry::upsert_netns(const NetnsCandidate& candidate, const std::string& netns_name,
                            RegistryChanges& changes) {
  std::string id = "netns-" + std::to_string(candidate.netns_inode);
  Container& container = *insert(id, uuid_for_netns(candidate.netns_inode), changes);
  container.state = "running";
  container.pid = candidate.pid;
  container.runtime = "netns";
  container.netns_inode = candidate.netns_inode;
  container.docker_name = netns_name;
  if (auto cgroups = read_cgroups(candidate.pid, options_.proc_root)) {
    container.cgroups = std::move(*cgroups);
  }
  update_name(container);
}

RegistryChanges Registry::refresh(const Result<std::vector<ContainerInfo>>& docker,
                                  const ScanResult& scan) {
  RegistryChanges changes;
  std::set<std::string> seen;
  if (docker) {
    for (const ContainerInfo& info : *docker) {
      if (info.running || info.paused) {
        upsert_docker(info, changes);
        seen.insert(info.id);
      }
    }
  }
  for (const ScannedContainer& scanned : scan.containers) {
    upsert_scanned(scanned, changes);
    seen.insert(scanned.id);
  }
  if (options_.include_netns_only) {
    auto names = read_named_netns(options_.named_netns_dir);
    for (const NetnsCandidate& candidate : scan.netns_only) {
      auto name = names.find(candidate.netns_inode);
      upsert_netns(candidate, name == names.end() ? "" : name->second, changes);
      seen.insert("netns-" + std::to_string(candidate.netns_inode));
    }
  }
  std::vector<std::string> removable;
  for (auto& [id, container] : by_id_) {
    if (seen.count(id) != 0) {
      continue;
    }
    if (container.is_running()) {
      mark_exited(container, changes);
    } else {
      removable.push_back(id);
    }
  }
  for (const std::string& id : removable) {
    remove(id, changes);
  }
  return changes;
}

void Registry::mark_exited(Container& container, RegistryChanges& changes) {
  if (container.state == "exited") {
    return;
  }
  container.state = "exited";
  container.host_veths.clear();
  container.netnsid.reset();
  container.netnsid_pid = 0;
  rebuild_veth_index();
  spdlog::info("container '{}' ({}) stopped", container.name, container.id);
  note(changes.stopped, container.id);
}

void Registry::remove(const std::string& id, RegistryChanges& changes) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) {
    return;
  }
  if (it->second.ds_index != 0) {
    ds_indexes_.release(it->second.ds_index);
    by_ds_index_.erase(it->second.ds_index);
  }
  spdlog::info("container '{}' ({}) removed", it->second.name, id);
  changes.removed.push_back(std::move(it->second));
  by_id_.erase(it);
  rebuild_veth_index();
}

void Registry::set_state(const std::string& id, const std::string& state,
                         RegistryChanges& changes) {
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.state == state || it->second.state == "exited") {
    return;
  }
  it->second.state = state;
  note(changes.updated, id);
}

void Registry::apply_start(const DockerEvent& event, RegistryChanges& changes) {
  if (inspector_) {
    auto info = inspector_(event.id);
    if (info) {
      upsert_docker(*info, changes);
      return;
    }
    spdlog::warn("failed to inspect started container '{}': {}", event.id, info.error().message());
  }
  auto uuid = uuid_from_id(event.id);
  if (!uuid) {
    return;
  }
  Container& container = *insert(event.id, *uuid, changes);
  container.state = "running";
  container.from_docker = true;
  container.runtime = "docker";
  if (!event.name.empty()) {
    container.docker_name = hostname_from_name(event.name);
  }
  update_name(container);
}

void Registry::apply_rename(const DockerEvent& event, RegistryChanges& changes) {
  auto it = by_id_.find(event.id);
  if (it == by_id_.end() || event.name.empty()) {
    return;
  }
  Container& container = it->second;
  container.docker_name = hostname_from_name(event.name);
  std::string before = container.name;
  update_name(container);
  if (container.name != before) {
    spdlog::info("container '{}' ({}) renamed to '{}'", before, container.id, container.name);
    note(changes.updated, container.id);
  }
}

RegistryChanges Registry::apply(const DockerEvent& event) {
  RegistryChanges changes;
  switch (event.action) {
    case EventAction::kStart:
      apply_start(event, changes);
      break;
    case EventAction::kDie:
    case EventAction::kStop:
      if (auto it = by_id_.find(event.id); it != by_id_.end()) {
        mark_exited(it->second, changes);
      }
      break;
    case EventAction::kDestroy:
      remove(event.id, changes);
      break;
    case EventAction::kRename:
      apply_rename(event, changes);
      break;
    case EventAction::kPause:
      set_state(event.id, "paused", changes);
      break;
    case EventAction::kUnpause:
      set_state(event.id, "running", changes);
      break;
    case EventAction::kKill:  // a die event follows if the container exits
    case EventAction::kOom:
    case EventAction::kOther:
    case EventAction::kStreamConnected:  // the owner calls refresh() on it
      break;
  }
  return changes;
}

void Registry::update_name(Container& container) {
  std::string base;
  if (options_.use_config_hostname && !container.config_hostname.empty()) {
    base = container.config_hostname;
  } else if (!container.docker_name.empty()) {
    base = container.docker_name;
  } else {
    base =
        container.id.substr(0, container.runtime == "netns" ? std::string::npos : kShortIdLength);
  }
  base = clamp_utf8(base, kMaxHostnameBytes);
  bool clash = std::any_of(by_id_.begin(), by_id_.end(), [&](const auto& entry) {
    return entry.first != container.id && entry.second.name == base;
  });
  if (clash) {
    std::string suffix = "." + container.id.substr(0, kShortIdLength);
    base = clamp_utf8(base, kMaxDisambiguatedBytes - suffix.size()) + suffix;
  }
  container.name = base;
}

std::vector<std::string> Registry::update_interfaces(const std::vector<net::Link>& links,
                                                     const NetnsResolver& resolve) {
  std::vector<std::string> changed;
  for (auto& [id, container] : by_id_) {
    std::vector<int> veths;
    if (container.is_running() && container.pid > 0) {
      if (container.netnsid_pid != container.pid) {
        auto netnsid = resolve(container.pid);
        if (!netnsid) {
          spdlog::debug("no netns id for container '{}': {}", id, netnsid.error().message());
        }
        container.netnsid = netnsid ? *netnsid : std::nullopt;
        container.netnsid_pid = netnsid ? container.pid : 0;
      }
      if (container.netnsid) {
        veths = host_veths_for(*container.netnsid, links);
      }
    }
    std::sort(veths.begin(), veths.end());
    if (veths != container.host_veths) {
      container.host_veths = std::move(veths);
      changed.push_back(id);
    }
  }
  rebuild_veth_index();
  return changed;
}

void Registry::rebuild_veth_index() {
  by_veth_.clear();
  for (const auto& [id, container] : by_id_) {
    for (int ifindex : container.host_veths) {
      by_veth_[ifindex] = id;
    }
  }
}

const Container* Registry::find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const Container* Registry::find_by_ds_index(uint32_t ds_index) const {
  auto it = by_ds_index_.find(ds_index);
  return it == by_ds_index_.end() ? nullptr : find(it->second);
}

const Container* Registry::find_by_veth(int ifindex) const {
  auto it = by_veth_.find(ifindex);
  return it == by_veth_.end() ? nullptr : find(it->second);
}

}  // namespace csflowd::containers
