#include <gtest/gtest.h>

#include <variant>

#include "agent/flow_samples.h"

namespace csflowd::agent {
namespace {

csflowd_sample make_record(uint8_t direction) {
  csflowd_sample record{};
  record.timestamp_ns = 5'000'000'000ULL;
  record.ifindex = 7;
  record.ingress_ifindex = 0;
  record.frame_length = 98;
  record.sampling_rate = 400;
  record.direction = direction;
  return record;
}

TEST(SetInterfaces, IngressOnPortHasUnknownOutput) {
  sflow::FlowSample sample;
  set_interfaces(make_record(CSFLOWD_DIR_INGRESS), false, sample);
  EXPECT_EQ(sample.input.value, 7U);
  EXPECT_EQ(sample.output.value, 0U);
}

TEST(SetInterfaces, IngressOnBridgeGoesToHost) {
  sflow::FlowSample sample;
  set_interfaces(make_record(CSFLOWD_DIR_INGRESS), true, sample);
  EXPECT_EQ(sample.input.value, 7U);
  EXPECT_EQ(sample.output.value, sflow::kInternalInterface);
}

TEST(SetInterfaces, EgressUsesIngressIfindex) {
  csflowd_sample record = make_record(CSFLOWD_DIR_EGRESS);
  record.ingress_ifindex = 9;
  sflow::FlowSample sample;
  set_interfaces(record, false, sample);
  EXPECT_EQ(sample.input.value, 9U);
  EXPECT_EQ(sample.output.value, 7U);
}

TEST(SetInterfaces, EgressFromHostOnBridge) {
  sflow::FlowSample sample;
  set_interfaces(make_record(CSFLOWD_DIR_EGRESS), true, sample);
  EXPECT_EQ(sample.input.value, sflow::kInternalInterface);
  EXPECT_EQ(sample.output.value, 7U);
}

TEST(MakeFlowSample, FillsCountersAndHeader) {
  csflowd_sample record = make_record(CSFLOWD_DIR_INGRESS);
  std::vector<uint8_t> bytes(64, 0xAB);
  FlowContext context;
  context.sequence_number = 12;
  context.counters = {.pool = (1ULL << 32) + 5, .samples = 3, .drops = 2};
  context.realtime_offset_ns = 1'700'000'000'000'000'000ULL;
  sflow::FlowSample sample = make_flow_sample({&record, bytes}, context);

  EXPECT_EQ(sample.sequence_number, 12U);
  EXPECT_EQ(sample.source.ds_class, sflow::DsClass::kIfIndex);
  EXPECT_EQ(sample.source.ds_index, 7U);
  EXPECT_EQ(sample.sampling_rate, 400U);
  EXPECT_EQ(sample.sample_pool, 5U) << "the 64-bit pool wraps to 32 bits";
  EXPECT_EQ(sample.drops, 2U);
  ASSERT_EQ(sample.records.size(), 2U);
  const auto& header = std::get<sflow::SampledHeader>(sample.records[0]);
  EXPECT_EQ(header.header_protocol, 1U);
  EXPECT_EQ(header.frame_length, 102U) << "skb->len + 4 bytes of FCS";
  EXPECT_EQ(header.stripped, 4U);
  EXPECT_EQ(header.header, bytes);
  const auto& timestamp = std::get<sflow::ExtendedTimestamp>(sample.records[1]);
  EXPECT_EQ(timestamp.nanoseconds, 1'700'000'005'000'000'000ULL);
}

TEST(MakeFlowSample, HeaderOnlyLeavesOutExtendedRecords) {
  csflowd_sample record = make_record(CSFLOWD_DIR_INGRESS);
  record.flags = CSFLOWD_SAMPLE_F_VLAN;
  FlowContext context;
  context.header_only = true;
  context.source_entity = sflow::DataSource{sflow::DsClass::kLogical, 100001};
  auto sample = make_flow_sample({&record, {}}, context);
  ASSERT_EQ(sample.records.size(), 1U);
  EXPECT_TRUE(std::holds_alternative<sflow::SampledHeader>(sample.records[0]));
}

TEST(MakeFlowSample, VlanAndEntities) {
  csflowd_sample record = make_record(CSFLOWD_DIR_EGRESS);
  record.flags = CSFLOWD_SAMPLE_F_VLAN;
  record.vlan_tci = (5 << 13) | 42;
  FlowContext context;
  context.destination_entity = sflow::DataSource{sflow::DsClass::kLogical, 123456};
  auto sample = make_flow_sample({&record, {}}, context);
  ASSERT_EQ(sample.records.size(), 4U);
  const auto& vlan = std::get<sflow::ExtendedSwitch>(sample.records[1]);
  EXPECT_EQ(vlan.src_vlan, 42U);
  EXPECT_EQ(vlan.src_priority, 5U);
  const auto& entities = std::get<sflow::ExtendedEntities>(sample.records[3]);
  EXPECT_EQ(entities.source, sflow::DataSource{});
  EXPECT_EQ(entities.destination.ds_index, 123456U);
}

}  // namespace
}  // namespace csflowd::agent
