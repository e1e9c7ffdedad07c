// Counter samples of containers, data source (3, dsIndex), read from cgroup files.
#include <spdlog/spdlog.h>

#include <cmath>

#include "agent/containers.h"
#include "agent/host_sample.h"
#include "containers/netns.h"
#include "counters/container.h"
#include "counters/text.h"

namespace csflowd::agent {
namespace {

uint32_t virt_state(const std::string& state) {
  if (state == "running") return 1;
  if (state == "paused") return 3;
  if (state == "exited") return 4;
  return 0;
}

}  // namespace

void ContainerTracker::refresh_caches(const containers::Container& container, Tracked& tracked) {
  if (tracked.pid == container.pid || container.pid <= 0) {
    return;
  }
  tracked.pid = container.pid;
  std::string pid_dir = settings_.proc_root + "/" + std::to_string(container.pid);
  auto cgroup = counters::read_text_file(pid_dir + "/cgroup");
  auto mounts = counters::read_text_file(settings_.proc_root + "/self/mountinfo");
  auto own_cgroup = counters::read_text_file(settings_.proc_root + "/self/cgroup");
  // A process in a plain network namespace often shares a cgroup with the rest of the host
  // (here: with csflowd itself). Its counters would be the host's, so none are reported.
  bool shared = own_cgroup && cgroup && *own_cgroup == *cgroup;
  if (cgroup && mounts && !shared) {
    tracked.cgroup = counters::resolve_cgroup_location(*cgroup, *mounts, "/", container.id);
  }
  tracked.adapters.adapters.clear();
  if (auto interfaces = containers::container_interfaces(container.pid, settings_.proc_root)) {
    for (const auto& interface : *interfaces) {
      if (interface.mac && interface.name != "lo") {
        tracked.adapters.adapters.push_back(
            {static_cast<uint32_t>(interface.ifindex), {*interface.mac}});
      }
    }
  }
}

std::vector<sflow::CounterRecord> ContainerTracker::read_records(
    const containers::Container& container, Tracked& tracked) {
  std::vector<sflow::CounterRecord> records;
  sflow::HostDescr descr = host_;
  descr.hostname = container.name;
  descr.uuid = container.uuid;
  records.emplace_back(descr);
  records.emplace_back(sflow::HostParent{});
  records.emplace_back(tracked.adapters);
  auto cpu = counters::read_virt_cpu(tracked.cgroup, host_cpus_);
  if (cpu) {
    cpu->state = virt_state(container.state);
    if (container.cpu_limit > 0) {
      cpu->nr_virt_cpu = static_cast<uint32_t>(std::ceil(container.cpu_limit));
    }
  }
  std::string sample = "container '" + container.name + "'";
  add_record(records, std::move(cpu), "virt_cpu", sample);
  add_record(records, counters::read_virt_memory(tracked.cgroup, host_memory_), "virt_memory",
             sample);
  if (!tracked.cgroup.empty()) {
    // Some hosts count no block I/O for the cgroup (no io.stat, no blkio files): zero then.
    auto disk = counters::read_virt_disk_io(tracked.cgroup);
    records.emplace_back(disk ? *disk : sflow::VirtDiskIo{});
  }
  add_record(records, counters::read_virt_net_io(settings_.proc_root, container.pid), "virt_net_io",
             sample);
  return records;
}

std::optional<sflow::CounterSample> ContainerTracker::counter_sample(uint32_t ds_index) {
  const auto* container = registry_.find_by_ds_index(ds_index);
  if (container == nullptr || !container->is_running()) {
    return std::nullopt;
  }
  Tracked& tracked = tracked_[container->id];
  refresh_caches(*container, tracked);
  tracked.last_records = read_records(*container, tracked);
  sflow::CounterSample sample;
  sample.sequence_number = ++tracked.sequence;
  sample.source = {sflow::DsClass::kLogical, ds_index};
  sample.records = tracked.last_records;
  return sample;
}

void ContainerTracker::send_final(const containers::Container& container, Tracked& tracked) {
  tracked.running = false;
  schedule_.remove({sflow::DsClass::kLogical, container.ds_index});
  if (container.ds_index == 0 || tracked.last_records.empty()) {
    return;  // never polled: nothing to close
  }
  // The cgroup is usually gone by now, so the last counters read stand, with the new state.
  sflow::CounterSample sample;
  sample.sequence_number = ++tracked.sequence;
  sample.source = {sflow::DsClass::kLogical, container.ds_index};
  sample.records = tracked.last_records;
  for (auto& record : sample.records) {
    if (auto* cpu = std::get_if<sflow::VirtCpu>(&record)) {
      cpu->state = virt_state(container.state);
    }
  }
  spdlog::info("container '{}' stopped: final counter sample {}", container.name,
               sample.sequence_number);
  sink_(sample);
}

}  // namespace csflowd::agent
