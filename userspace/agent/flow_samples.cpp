#include "agent/flow_samples.h"

namespace csflowd::agent {

void set_interfaces(const csflowd_sample& record, bool is_bridge, sflow::FlowSample& sample) {
  const uint32_t unknown_or_internal = is_bridge ? sflow::kInternalInterface : 0;
  if (record.direction == CSFLOWD_DIR_INGRESS) {
    sample.input = {0, record.ifindex};
    sample.output = {0, unknown_or_internal};
    return;
  }
  sample.output = {0, record.ifindex};
  bool entered_elsewhere = record.ingress_ifindex != 0 && record.ingress_ifindex != record.ifindex;
  sample.input = {0, entered_elsewhere ? record.ingress_ifindex : unknown_or_internal};
}

sflow::FlowSample make_flow_sample(const datapath::SampleView& view, const FlowContext& context) {
  const csflowd_sample& record = *view.record;
  sflow::FlowSample sample;
  sample.sequence_number = context.sequence_number;
  sample.source = {sflow::DsClass::kIfIndex, record.ifindex};
  sample.sampling_rate = record.sampling_rate;
  // sFlow carries 32-bit counters that wrap; the BPF side keeps 64 bits.
  sample.sample_pool = static_cast<uint32_t>(context.counters.pool);
  sample.drops = static_cast<uint32_t>(context.counters.drops);
  set_interfaces(record, context.interface_is_bridge, sample);

  sflow::SampledHeader header;
  header.frame_length = record.frame_length + 4;  // skb->len has no FCS; the wire frame does
  header.stripped = 4;
  header.header.assign(view.header.begin(), view.header.end());
  sample.records.emplace_back(std::move(header));
  if (context.header_only) {
    return sample;
  }
  if ((record.flags & CSFLOWD_SAMPLE_F_VLAN) != 0) {
    sflow::ExtendedSwitch vlan;
    vlan.src_vlan = vlan.dst_vlan = record.vlan_tci & 0x0FFF;
    vlan.src_priority = vlan.dst_priority = record.vlan_tci >> 13;
    sample.records.emplace_back(vlan);
  }
  sample.records.emplace_back(
      sflow::ExtendedTimestamp{record.timestamp_ns + context.realtime_offset_ns});
  if (context.source_entity || context.destination_entity) {
    sflow::ExtendedEntities entities;
    entities.source = context.source_entity.value_or(sflow::DataSource{});
    entities.destination = context.destination_entity.value_or(sflow::DataSource{});
    sample.records.emplace_back(entities);
  }
  return sample;
}

}  // namespace csflowd::agent
