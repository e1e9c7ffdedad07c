// Size and count limits and sequence numbers of DatagramBuilder.
#include <gtest/gtest.h>

#include <vector>

#include "sflow/datagram.h"
#include "sflow/decoder.h"
#include "sflow/encoder.h"

namespace csflowd::sflow {
namespace {

Address agent_v4() {
  Address address;
  address.bytes = {192, 0, 2, 1};
  return address;
}

FlowSample flow_sample(uint32_t sequence, size_t header_bytes) {
  FlowSample sample;
  sample.sequence_number = sequence;
  sample.sampling_rate = 100;
  SampledHeader header;
  header.header.assign(header_bytes, 0xAB);
  header.frame_length = static_cast<uint32_t>(header_bytes + 4);
  sample.records.push_back(header);
  return sample;
}

size_t encoded_size(const FlowSample& sample) {
  XdrWriter out;
  encode_flow_sample(out, sample);
  return out.size();
}

struct Captured {
  std::vector<std::vector<uint8_t>> datagrams;
  DatagramBuilder::Sink sink() {
    return [this](std::span<const uint8_t> d) { datagrams.emplace_back(d.begin(), d.end()); };
  }
};

TEST(DatagramBuilder, StaysBelowMaximum) {
  Captured captured;
  // 204-byte samples: 28 + 6 * 204 = 1252 fits under 1400, a 7th would reach 1456.
  DatagramBuilder builder(agent_v4(), 0, 1400, captured.sink());
  ASSERT_EQ(encoded_size(flow_sample(1, 128)), 204u);
  for (uint32_t i = 1; i <= 20; ++i) {
    ASSERT_TRUE(builder.add(flow_sample(i, 128), i).ok());
  }
  builder.flush(100);
  ASSERT_EQ(captured.datagrams.size(), 4u);
  for (const auto& datagram : captured.datagrams) {
    EXPECT_LT(datagram.size(), 1400u);
  }
  EXPECT_EQ(captured.datagrams[0].size(), 28u + 6 * 204);
  EXPECT_EQ(captured.datagrams[3].size(), 28u + 2 * 204);
}

TEST(DatagramBuilder, ExactFitIsSentEarly) {
  Captured captured;
  // Header 28 + sample 204 = 232: a maximum of 232 must reject, 233 must accept.
  DatagramBuilder tight(agent_v4(), 0, 232, captured.sink());
  EXPECT_FALSE(tight.add(flow_sample(1, 128), 0).ok());
  EXPECT_EQ(tight.samples_rejected(), 1u);
  DatagramBuilder loose(agent_v4(), 0, 233, captured.sink());
  EXPECT_TRUE(loose.add(flow_sample(1, 128), 0).ok());
  EXPECT_TRUE(loose.add(flow_sample(2, 128), 0).ok());  // sends the first one
  ASSERT_EQ(captured.datagrams.size(), 1u);
  EXPECT_EQ(captured.datagrams[0].size(), 232u);
}

TEST(DatagramBuilder, CapsSampleCount) {
  Captured captured;
  DatagramBuilder builder(agent_v4(), 0, 8192, captured.sink());
  CounterSample small{1, kHostDataSource, {HostParent{}}};
  for (size_t i = 0; i < kMaxSamplesPerDatagram + 1; ++i) {
    ASSERT_TRUE(builder.add(small, 5).ok());
  }
  ASSERT_EQ(captured.datagrams.size(), 1u);
  auto decoded = decode_datagram(captured.datagrams[0]);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(decoded->samples.size(), kMaxSamplesPerDatagram);
  EXPECT_EQ(builder.pending_samples(), 1u);
}

TEST(DatagramBuilder, RejectsOversizeSample) {
  Captured captured;
  DatagramBuilder builder(agent_v4(), 0, 1400, captured.sink());
  ASSERT_TRUE(builder.add(flow_sample(1, 64), 0).ok());
  Status status = builder.add(flow_sample(2, 1400), 0);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().context.find("does not fit"), std::string::npos);
  EXPECT_EQ(builder.samples_rejected(), 1u);
  EXPECT_EQ(builder.pending_samples(), 1u);  // the earlier sample is kept
  EXPECT_TRUE(captured.datagrams.empty());
}

TEST(DatagramBuilder, NumbersDatagramsFromOne) {
  Captured captured;
  DatagramBuilder builder(agent_v4(), 3, 1400, captured.sink());
  builder.flush(1);  // nothing pending: nothing sent
  EXPECT_EQ(builder.datagrams_sent(), 0u);
  for (uint32_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(builder.add(flow_sample(i, 64), 10 * i).ok());
    builder.flush(10 * i + 1);
  }
  ASSERT_EQ(captured.datagrams.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    auto decoded = decode_datagram(captured.datagrams[i]);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message();
    EXPECT_EQ(decoded->sequence_number, i + 1);
    EXPECT_EQ(decoded->uptime_ms, 10 * i + 1);
    EXPECT_EQ(decoded->sub_agent_id, 3u);
  }
  EXPECT_EQ(builder.datagrams_sent(), 3u);
}

TEST(DatagramBuilder, SetAgentFlushesAndRestartsSequence) {
  Captured captured;
  DatagramBuilder builder(agent_v4(), 0, 1400, captured.sink());
  ASSERT_TRUE(builder.add(flow_sample(1, 64), 500).ok());
  builder.flush(500);
  ASSERT_TRUE(builder.add(flow_sample(2, 64), 700).ok());
  Address v6;
  v6.type = Address::Type::kIpv6;
  v6.bytes[15] = 1;
  builder.set_agent(v6);
  ASSERT_EQ(captured.datagrams.size(), 2u);
  auto second = decode_datagram(captured.datagrams[1]);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second->sequence_number, 2u);
  EXPECT_EQ(second->uptime_ms, 700u);
  EXPECT_EQ(second->agent.type, Address::Type::kIpv4);

  ASSERT_TRUE(builder.add(flow_sample(3, 64), 900).ok());
  builder.flush(900);
  ASSERT_EQ(captured.datagrams.size(), 3u);
  auto third = decode_datagram(captured.datagrams[2]);
  ASSERT_TRUE(third.ok()) << third.error().message();
  EXPECT_EQ(third->sequence_number, 1u);
  EXPECT_EQ(third->agent.type, Address::Type::kIpv6);
  EXPECT_EQ(address_to_string(third->agent), "::1");
}

}  // namespace
}  // namespace csflowd::sflow
