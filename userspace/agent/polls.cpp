// Counter polling: which data sources are due, and their counter samples.
#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "agent/containers.h"
#include "agent/host_sample.h"

namespace csflowd::agent {

void Agent::poll_counters(uint64_t now_s) {
  if (settings_.polling_interval_s == 0) {
    return;
  }
  schedule_.add(sflow::kHostDataSource, now_s);
  auto due = schedule_.take_due(now_s);
  if (due.empty()) {
    return;
  }
  // One interface dump serves every poll of this tick.
  if (auto links = net::list_links()) {
    links_ = std::move(*links);
    for (const auto& link : links_) {
      if (auto it = interfaces_.find(link.ifindex); it != interfaces_.end()) {
        it->second.link = link;
      }
    }
  }
  for (const auto& source : due) {
    switch (source.ds_class) {
      case sflow::DsClass::kPhysical:
        send_host_counters();
        break;
      case sflow::DsClass::kIfIndex:
        if (auto it = interfaces_.find(static_cast<int>(source.ds_index));
            it != interfaces_.end()) {
          send_interface_counters(it->second,
                                  read_link_speed(settings_.sys_root, it->second.link.name));
        }
        break;
      case sflow::DsClass::kLogical:
        if (auto sample = containers_->counter_sample(source.ds_index)) {
          send(*sample);
        }
        break;
      default:
        break;
    }
  }
}

void Agent::send_interface_counters(WatchedInterface& watched, const LinkSpeed& speed) {
  sflow::CounterSample sample;
  sample.sequence_number = ++watched.counter_sequence;
  sample.source = {sflow::DsClass::kIfIndex, static_cast<uint32_t>(watched.link.ifindex)};
  sample.records.emplace_back(make_if_counters(watched.link, speed));
  sample.records.emplace_back(sflow::PortName{watched.link.name});
  send(sample);
}

void Agent::send_host_counters() {
  HostSampleInputs inputs;
  inputs.links = &links_;
  inputs.container_count = containers_->count();
  inputs.uuid_override = host_uuid_ ? &*host_uuid_ : nullptr;
  sflow::CounterSample sample;
  sample.sequence_number = ++host_sequence_;
  sample.source = sflow::kHostDataSource;
  sample.records = read_host_records(host_paths_, inputs);
  send(sample);
}

}  // namespace csflowd::agent
