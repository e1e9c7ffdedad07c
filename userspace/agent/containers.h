// The agent's view of containers: discovery, attribution of samples, counter samples.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/container_worker.h"
#include "agent/flow_samples.h"
#include "agent/poll_schedule.h"
#include "cli/settings.h"
#include "containers/registry.h"
#include "counters/cgroup_location.h"
#include "counters/host.h"
#include "net/link.h"
#include "sflow/records.h"

namespace csflowd::agent {

// Keeps the container registry up to date from the worker's results, names the containers
// on either side of a sampled packet, and builds each container's counter sample.
class ContainerTracker {
 public:
  using Sink = std::function<void(const sflow::CounterSample&)>;

  ContainerTracker(const cli::Settings& settings, const counters::HostPaths& paths,
                   PollSchedule& schedule, Sink sink);
  ~ContainerTracker();
  ContainerTracker(const ContainerTracker&) = delete;
  ContainerTracker& operator=(const ContainerTracker&) = delete;

  // Starts discovery. Docker being absent is not an error: discovery goes on from cgroups.
  Status start();
  // A descriptor that becomes readable when discovery results wait.
  [[nodiscard]] int event_fd() const;
  // Applies waiting discovery results.
  void on_events(uint64_t now_s);
  // Takes a new interface list (veths come and go with containers).
  void update_links(const std::vector<net::Link>& links);
  // Names the containers on either side of a sampled packet.
  void fill_entities(const csflowd_sample& record, FlowContext& context) const;
  // Builds the counter sample of the container with this dsIndex, if it is known.
  std::optional<sflow::CounterSample> counter_sample(uint32_t ds_index);
  // Running and paused containers, for virt_node.
  [[nodiscard]] uint32_t count() const;

 private:
  // Per-container state that lives as long as the container is in the registry.
  struct Tracked {
    uint32_t sequence = 0;
    bool running = false;
    int pid = 0;  // pid the caches below were read for
    counters::CgroupLocation cgroup;
    sflow::HostAdapters adapters;
    std::vector<sflow::CounterRecord> last_records;  // for the final sample
  };

  void apply(const ContainerUpdate& update, uint64_t now_s);
  void handle(const containers::RegistryChanges& changes, uint64_t now_s);
  void refresh_caches(const containers::Container& container, Tracked& tracked);
  std::vector<sflow::CounterRecord> read_records(const containers::Container& container,
                                                 Tracked& tracked);
  void send_final(const containers::Container& container, Tracked& tracked);

  const cli::Settings& settings_;
  counters::HostPaths paths_;
  PollSchedule& schedule_;
  Sink sink_;
  std::unique_ptr<ContainerWorker> worker_;
  containers::Registry registry_;
  const ContainerUpdate* pending_ = nullptr;  // the update being applied, for the inspector
  std::map<std::string, Tracked> tracked_;    // by container id
  std::vector<net::Link> links_;
  sflow::HostDescr host_;  // machine type and OS release shared by every container
  uint32_t host_cpus_ = 1;
  uint64_t host_memory_ = 0;
};

}  // namespace csflowd::agent
