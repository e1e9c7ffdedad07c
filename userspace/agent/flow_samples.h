// Turning a sampled packet from the ring buffer into an sFlow flow sample.
#pragma once

#include <cstdint>
#include <optional>

#include "datapath/sampler.h"
#include "sflow/records.h"

namespace csflowd::agent {

// Inputs of a flow sample besides the ring record.
struct FlowContext {
  uint32_t sequence_number = 0;
  datapath::SamplerCounters counters;  // of the sampling interface
  bool interface_is_bridge = false;
  uint64_t realtime_offset_ns = 0;  // CLOCK_REALTIME - CLOCK_MONOTONIC
  bool header_only = false;
  // Containers on either side, when known (extended_entities).
  std::optional<sflow::DataSource> source_entity;
  std::optional<sflow::DataSource> destination_entity;
};

// Chooses input and output for a sample. On ingress the input is the interface, and the
// output is internal on a bridge (the packet goes up to the host stack) or unknown (0) on a
// port. On egress the output is the interface. The input is the interface the packet entered
// the host on when the kernel records it (skb->ingress_ifindex), else internal on a bridge or
// unknown on a port.
void set_interfaces(const csflowd_sample& record, bool is_bridge, sflow::FlowSample& sample);

sflow::FlowSample make_flow_sample(const datapath::SampleView& view, const FlowContext& context);

}  // namespace csflowd::agent
