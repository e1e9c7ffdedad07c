// The set of containers the agent reports, merged from Docker and the /proc scan.
//
// Single-threaded: the owner's loop calls refresh(), apply() and update_interfaces(); the
// Docker event worker only queues events for it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "containers/cgroup_scan.h"
#include "containers/docker_json.h"
#include "containers/identity.h"
#include "net/link.h"

namespace csflowd::containers {

struct Container {
  std::string id;    // 64 hex digits, or "netns-<inode>" for a plain network namespace
  std::string name;  // host_descr hostname: at most 64 bytes, unique among containers
  Uuid uuid{};
  uint32_t ds_index = 0;        // 0 when the range 100000-149999 is full
  int pid = 0;                  // lowest or Docker's main pid; 0 when unknown
  std::string state;            // "running", "paused" or "exited"
  std::vector<int> host_veths;  // host-side veth ifindexes, ascending
  std::optional<int> netnsid;   // this host's id for the container's namespace
  double cpu_limit = 0;         // CPUs, 0 for no limit
  uint64_t memory_limit = 0;    // bytes, 0 for no limit
  std::string cpuset;           // HostConfig.CpusetCpus, "" when not pinned
  bool from_docker = false;

  std::string docker_name;          // Docker's name without the '/', "" when not from Docker
  std::string config_hostname;      // Config.Hostname
  std::string runtime;              // "docker", "containerd", "podman", "crio", "kubepods", "netns"
  std::vector<CgroupLine> cgroups;  // /proc/<pid>/cgroup when last read
  std::optional<uint64_t> netns_inode;
  int netnsid_pid = 0;  // pid that netnsid was resolved from

  [[nodiscard]] bool is_running() const { return state == "running" || state == "paused"; }
};

// Changes made by one refresh() or apply(), so the owner can start or end pollers.
struct RegistryChanges {
  std::vector<std::string> added;
  std::vector<std::string> stopped;  // now "exited": send one final counter sample
  std::vector<Container> removed;    // gone from the registry, dsIndex already released
  std::vector<std::string> updated;  // renamed, paused, unpaused, new pid or limits

  [[nodiscard]] bool empty() const {
    return added.empty() && stopped.empty() && removed.empty() && updated.empty();
  }
};

struct RegistryOptions {
  bool use_config_hostname = false;  // report Config.Hostname instead of the container name
  bool include_netns_only = false;   // report plain network namespaces as containers
  std::string proc_root = "/proc";
  std::string named_netns_dir = "/run/netns";
};

// Inspects one container; DockerClient::inspect in the daemon, a fake in tests.
using Inspector = std::function<Result<ContainerInfo>(const std::string& id)>;
// Resolves a pid to the netns id of its namespace; netns_id_for_pid in the daemon.
using NetnsResolver = std::function<Result<std::optional<int>>(int pid)>;

class Registry {
 public:
  explicit Registry(RegistryOptions options = {}, Inspector inspector = {});

  // Merges a full view: Docker's running containers (or an error when Docker is absent)
  // and a /proc scan. Running containers that neither source shows any more are marked
  // exited, and exited ones are removed.
  RegistryChanges refresh(const Result<std::vector<ContainerInfo>>& docker, const ScanResult& scan);
  // Applies one Docker event; a start inspects the container through the Inspector.
  // NOTE: with DockerClient as the Inspector, a start blocks the caller for up to the
  // request timeout (3 s by default) when dockerd is slow to reply.
  RegistryChanges apply(const DockerEvent& event);
  // Resolves each running container's netns id (once per pid) and picks its host-side
  // veths from links. Returns the ids whose veths changed.
  std::vector<std::string> update_interfaces(const std::vector<net::Link>& links,
                                             const NetnsResolver& resolve);

  [[nodiscard]] const Container* find(const std::string& id) const;
  [[nodiscard]] const Container* find_by_ds_index(uint32_t ds_index) const;
  [[nodiscard]] const Container* find_by_veth(int ifindex) const;
  [[nodiscard]] const std::map<std::string, Container>& containers() const { return by_id_; }

 private:
  Container* insert(const std::string& id, const Uuid& uuid, RegistryChanges& changes);
  void upsert_docker(const ContainerInfo& info, RegistryChanges& changes);
  void upsert_scanned(const ScannedContainer& scanned, RegistryChanges& changes);
  void upsert_netns(const NetnsCandidate& candidate, const std::string& netns_name,
                    RegistryChanges& changes);
  void mark_exited(Container& container, RegistryChanges& changes);
  void remove(const std::string& id, RegistryChanges& changes);
  void set_state(const std::string& id, const std::string& state, RegistryChanges& changes);
  void apply_start(const DockerEvent& event, RegistryChanges& changes);
  void apply_rename(const DockerEvent& event, RegistryChanges& changes);
  void update_name(Container& container);
  void rebuild_veth_index();

  RegistryOptions options_;
  Inspector inspector_;
  DsIndexAllocator ds_indexes_;
  std::map<std::string, Container> by_id_;
  std::map<uint32_t, std::string> by_ds_index_;
  std::map<int, std::string> by_veth_;
};

}  // namespace csflowd::containers
