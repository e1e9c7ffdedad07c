// Containers as the agent sees them: discovery, attribution of samples, counter samples.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "agent/flow_samples.h"
#include "agent/poll_schedule.h"
#include "cli/settings.h"
#include "counters/host.h"
#include "net/link.h"
#include "sflow/records.h"

namespace csflowd::agent {

class ContainerTracker {
 public:
  ContainerTracker(const cli::Settings& settings, const counters::HostPaths& paths);
  ~ContainerTracker();
  ContainerTracker(const ContainerTracker&) = delete;
  ContainerTracker& operator=(const ContainerTracker&) = delete;

  // A descriptor that becomes readable when container events wait, or -1 without Docker.
  [[nodiscard]] int event_fd() const;
  // Handles waiting container events.
  void on_events(uint64_t now_s);
  // Takes a new interface list (veths come and go with containers).
  void update_links(const std::vector<net::Link>& links);
  // Names the containers on either side of a sampled packet.
  void fill_entities(const csflowd_sample& record, FlowContext& context) const;
  // Adds every known container's data source to the schedule.
  void schedule(PollSchedule& schedule, uint64_t now_s);
  // Builds the counter sample of the container with this dsIndex, if it is known.
  std::optional<sflow::CounterSample> counter_sample(uint32_t ds_index);
  [[nodiscard]] uint32_t count() const;
};

}  // namespace csflowd::agent
