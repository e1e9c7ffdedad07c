#include "agent/containers.h"

namespace csflowd::agent {

// NOTE: a placeholder until the container registry is wired in: it tracks no containers.
ContainerTracker::ContainerTracker(const cli::Settings& /*settings*/,
                                   const counters::HostPaths& /*paths*/) {}
ContainerTracker::~ContainerTracker() = default;
int ContainerTracker::event_fd() const { return -1; }
void ContainerTracker::on_events(uint64_t /*now_s*/) {}
void ContainerTracker::update_links(const std::vector<net::Link>& /*links*/) {}
void ContainerTracker::fill_entities(const csflowd_sample& /*record*/,
                                     FlowContext& /*context*/) const {}
void ContainerTracker::schedule(PollSchedule& /*schedule*/, uint64_t /*now_s*/) {}
std::optional<sflow::CounterSample> ContainerTracker::counter_sample(uint32_t /*ds_index*/) {
  return std::nullopt;
}
uint32_t ContainerTracker::count() const { return 0; }

}  // namespace csflowd::agent
