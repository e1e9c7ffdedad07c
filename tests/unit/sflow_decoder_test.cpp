// Round trips through the strict decoder, its rejections of malformed input, and the
// sampled-header summary.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "sflow/datagram.h"
#include "sflow/decoder.h"
#include "sflow/encoder.h"
#include "sflow/header_summary.h"

namespace csflowd::sflow {
namespace {

void put_u32(std::vector<uint8_t>& bytes, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (24 - 8 * i));
}

uint32_t get_u32(const std::vector<uint8_t>& bytes, size_t offset) {
  return (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) |
         (uint32_t{bytes[offset + 2]} << 8) | bytes[offset + 3];
}

// Ethernet + 802.1Q VLAN 5 + IPv4 10.1.2.3 -> 10.4.5.6 + TCP 40000 -> 80.
std::vector<uint8_t> tcp_frame() {
  return {0x02, 0,    0,    0,    0,  0x02, 0x02, 0,    0,    0,    0,    0x01, 0x81, 0x00, 0x00,
          0x05, 0x08, 0x00, 0x45, 0,  0,    40,   0,    0,    0x40, 0,    64,   6,    0,    0,
          10,   1,    2,    3,    10, 4,    5,    6,    0x9C, 0x40, 0x00, 0x50, 0,    0,    0,
          1,    0,    0,    0,    0,  0x50, 0x02, 0xFF, 0xFF, 0,    0,    0,    0};
}

FlowSample full_flow_sample() {
  FlowSample sample;
  sample.sequence_number = 17;
  sample.source = {DsClass::kIfIndex, 12};
  sample.sampling_rate = 256;
  sample.sample_pool = 4096;
  sample.drops = 3;
  sample.input = {0, 12};
  sample.output = {0, kInternalInterface};
  SampledHeader header;
  header.header = tcp_frame();
  header.frame_length = static_cast<uint32_t>(header.header.size() + 4);
  sample.records = {header, ExtendedSwitch{5, 0, 5, 0}, ExtendedTimestamp{1'700'000'000'123},
                    ExtendedEntities{{DsClass::kLogical, 100001}, {}}};
  return sample;
}

CounterSample full_counter_sample() {
  CounterSample sample;
  sample.sequence_number = 4;
  sample.source = {DsClass::kLogical, 100001};
  HostDescr descr;
  descr.hostname = "csfs-web";
  descr.uuid[0] = 0x12;
  descr.os_release = "6.18.0";
  HostAdapters adapters;
  adapters.adapters.push_back({9, {{2, 0x42, 0xAC, 0x11, 0, 2}, {2, 0, 0, 0, 0, 1}}});
  HostCpu cpu;
  cpu.load_one = 0.25f;
  cpu.cpu_guest_nice = 7;
  HostNetIo host_io;
  host_io.bytes_in = 1ull << 40;
  VirtNetIo virt_io;
  virt_io.drops_out = 2;
  HostIp ip;
  ip.values[18] = 99;
  sample.records = {IfCounters{},
                    PortName{"veth1234"},
                    descr,
                    adapters,
                    HostParent{},
                    cpu,
                    HostMemory{},
                    HostDiskIo{},
                    host_io,
                    ip,
                    HostIcmp{},
                    HostTcp{},
                    HostUdp{},
                    VirtNode{},
                    VirtCpu{1, 5000, 2},
                    VirtMemory{1, 2},
                    VirtDiskIo{},
                    virt_io};
  return sample;
}

std::vector<uint8_t> build_datagram(const Address& agent) {
  std::vector<uint8_t> bytes;
  DatagramBuilder builder(agent, 1, 8192,
                          [&](std::span<const uint8_t> d) { bytes.assign(d.begin(), d.end()); });
  EXPECT_TRUE(builder.add(full_flow_sample(), 10).ok());
  EXPECT_TRUE(builder.add(full_counter_sample(), 10).ok());
  builder.flush(20);
  return bytes;
}

Address agent_v4() {
  Address address;
  address.bytes = {198, 18, 0, 1};
  return address;
}

// Encodes the decoded samples again, to compare with the original bytes.
std::vector<uint8_t> reencode(const Datagram& datagram) {
  std::vector<uint8_t> bytes;
  DatagramBuilder builder(datagram.agent, datagram.sub_agent_id, 8192,
                          [&](std::span<const uint8_t> d) { bytes.assign(d.begin(), d.end()); });
  for (const Sample& sample : datagram.samples) {
    if (const auto* flow = std::get_if<FlowSample>(&sample)) {
      EXPECT_TRUE(builder.add(*flow, 0).ok());
    } else if (const auto* counters = std::get_if<CounterSample>(&sample)) {
      EXPECT_TRUE(builder.add(*counters, 0).ok());
    }
  }
  builder.flush(datagram.uptime_ms);
  return bytes;
}

TEST(Decoder, RoundTripsEveryRecord) {
  auto bytes = build_datagram(agent_v4());
  auto decoded = decode_datagram(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  ASSERT_EQ(decoded->samples.size(), 2u);
  EXPECT_TRUE(decoded->unknown.empty());
  EXPECT_EQ(reencode(*decoded), bytes);

  const auto& flow = std::get<FlowSample>(decoded->samples[0]);
  EXPECT_EQ(flow.records.size(), 4u);
  EXPECT_EQ(std::get<SampledHeader>(flow.records[0]).header, tcp_frame());
  const auto& counters = std::get<CounterSample>(decoded->samples[1]);
  ASSERT_EQ(counters.records.size(), 18u);
  EXPECT_EQ(std::get<HostDescr>(counters.records[2]).hostname, "csfs-web");
  EXPECT_EQ(std::get<HostAdapters>(counters.records[3]).adapters[0].macs.size(), 2u);
  EXPECT_FLOAT_EQ(std::get<HostCpu>(counters.records[5]).load_one, 0.25f);
}

TEST(Decoder, RoundTripsIpv6Agent) {
  Address agent;
  agent.type = Address::Type::kIpv6;
  agent.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
  auto bytes = build_datagram(agent);
  auto decoded = decode_datagram(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(address_to_string(decoded->agent), "2001:db8::42");
  EXPECT_EQ(reencode(*decoded), bytes);
}

TEST(Decoder, JsonShowsHeaderSummary) {
  auto decoded = decode_datagram(build_datagram(agent_v4()));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  auto json = to_json(*decoded);
  EXPECT_EQ(json["agent"], "198.18.0.1");
  const auto& header = json["samples"][0]["records"][0];
  EXPECT_EQ(header["type"], "sampled_header");
  EXPECT_EQ(header["summary"]["ip_src"], "10.1.2.3");
  EXPECT_EQ(header["summary"]["dst_port"], 80);
  EXPECT_EQ(header["summary"]["vlans"][0], 5);
  EXPECT_EQ(json["samples"][1]["records"][2]["hostname"], "csfs-web");
}

TEST(Decoder, RejectsEveryTruncation) {
  auto bytes = build_datagram(agent_v4());
  for (size_t length = 0; length < bytes.size(); ++length) {
    auto decoded = decode_datagram(std::span(bytes).first(length));
    EXPECT_FALSE(decoded.ok()) << "accepted a datagram cut to " << length << " bytes";
  }
}

TEST(Decoder, RejectsTrailingBytes) {
  auto bytes = build_datagram(agent_v4());
  bytes.insert(bytes.end(), {0, 0, 0, 0});
  auto decoded = decode_datagram(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().context.find("trailing"), std::string::npos);
}

TEST(Decoder, RejectsBadAgentType) {
  auto bytes = build_datagram(agent_v4());
  for (uint32_t type : {0u, 3u}) {
    put_u32(bytes, 4, type);
    auto decoded = decode_datagram(bytes);
    ASSERT_FALSE(decoded.ok()) << "type " << type;
    EXPECT_NE(decoded.error().context.find("agent address type"), std::string::npos);
  }
}

TEST(Decoder, RejectsLyingLengths) {
  const auto bytes = build_datagram(agent_v4());
  // Offsets in an IPv4 datagram: 24 num_samples, 28 first sample, 36 its fixed part,
  // 76 num_records, 80 the sampled_header record (its length word at 84).
  struct Case {
    const char* name;
    size_t offset;
    int32_t delta;
  };
  for (const Case& c : {Case{"num_samples + 1", 24, 1}, Case{"num_samples - 1", 24, -1},
                        Case{"sample length + 4", 32, 4}, Case{"sample length - 4", 32, -4},
                        Case{"num_records + 1", 76, 1}, Case{"num_records - 1", 76, -1},
                        Case{"record length + 4", 84, 4}, Case{"record length - 4", 84, -4},
                        Case{"record length + 1", 84, 1}}) {
    auto mutated = bytes;
    put_u32(mutated, c.offset, get_u32(mutated, c.offset) + c.delta);
    EXPECT_FALSE(decode_datagram(mutated).ok()) << c.name;
  }
}

TEST(Decoder, RejectsOverlongHostname) {
  CounterSample sample{1, kHostDataSource, {HostDescr{}}};
  std::vector<uint8_t> bytes;
  DatagramBuilder builder(agent_v4(), 0, 1400,
                          [&](std::span<const uint8_t> d) { bytes.assign(d.begin(), d.end()); });
  ASSERT_TRUE(builder.add(sample, 0).ok());
  builder.flush(0);
  // The hostname length word follows the 28-byte header, the 8-byte sample header, the
  // 16-byte fixed part and the 8-byte record header.
  put_u32(bytes, 60, 65);
  EXPECT_FALSE(decode_datagram(bytes).ok());
}

TEST(Decoder, SkipsAndReportsUnknownRecords) {
  XdrWriter out;
  for (uint32_t word : {5u, 1u, 0xC6120001u, 0u, 1u, 0u, 2u}) out.u32(word);
  // A counter sample with an NVML GPU record (5703:1) and if_counters.
  out.u32(4);
  size_t sample_length = out.size();
  out.u32(0);
  for (uint32_t word : {1u, 0u, 3u, 2u}) out.u32(word);
  out.u32((5703u << 12) | 1);
  out.u32(8);
  out.u64(0);
  encode_if_counters(out, IfCounters{});
  out.put_u32_at(sample_length, static_cast<uint32_t>(out.size() - sample_length - 4));
  // A discarded_packet sample (format 5) with an 8-byte body.
  out.u32(5);
  out.u32(8);
  out.u64(0);
  auto decoded = decode_datagram(out.bytes());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  ASSERT_EQ(decoded->samples.size(), 2u);
  EXPECT_EQ(std::get<CounterSample>(decoded->samples[0]).records.size(), 1u);
  ASSERT_EQ(decoded->unknown.size(), 2u);
  EXPECT_EQ(decoded->unknown[0].kind, UnknownRecord::Kind::kCounterRecord);
  EXPECT_EQ(decoded->unknown[0].format, (5703u << 12) | 1);
  EXPECT_EQ(decoded->unknown[0].length, 8u);
  EXPECT_EQ(decoded->unknown[1].kind, UnknownRecord::Kind::kSample);
  EXPECT_EQ(decoded->unknown[1].format, 5u);
  EXPECT_EQ(to_json(*decoded)["unknown"][0]["format"], "5703:1");
}

TEST(Decoder, SurvivesRandomInput) {
  std::mt19937 random(12345);
  const auto valid = build_datagram(agent_v4());
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes;
    if (i % 2 == 0) {
      bytes.resize(random() % 600);
      for (auto& byte : bytes) byte = static_cast<uint8_t>(random());
    } else {
      bytes = valid;
      for (int flips = 1 + random() % 4; flips > 0; --flips) {
        bytes[random() % bytes.size()] = static_cast<uint8_t>(random());
      }
    }
    auto decoded = decode_datagram(bytes);
    if (decoded.ok()) {
      ++accepted;
      (void)to_json(*decoded).dump();
    }
  }
  EXPECT_LT(accepted, 20000u);
}

TEST(HeaderSummary, Ipv4TcpWithVlan) {
  auto summary = summarize_header(tcp_frame());
  EXPECT_EQ(summary.eth_dst, "02:00:00:00:00:02");
  EXPECT_EQ(summary.eth_src, "02:00:00:00:00:01");
  ASSERT_EQ(summary.vlans.size(), 1u);
  EXPECT_EQ(summary.vlans[0], 5);
  EXPECT_EQ(summary.ethertype, 0x0800);
  EXPECT_EQ(summary.ip_src, "10.1.2.3");
  EXPECT_EQ(summary.ip_dst, "10.4.5.6");
  EXPECT_EQ(summary.ip_protocol, 6);
  EXPECT_EQ(summary.src_port, 40000);
  EXPECT_EQ(summary.dst_port, 80);
  EXPECT_EQ(format_summary(summary), "10.1.2.3:40000 > 10.4.5.6:80 tcp vlan=5");
}

TEST(HeaderSummary, Ipv6Icmp) {
  std::vector<uint8_t> frame = {0, 0,    0,    0,    0, 2, 0, 0, 0, 0,  0,
                                1, 0x86, 0xDD, 0x60, 0, 0, 0, 0, 8, 58, 64};
  frame.insert(frame.end(), 15, 0);
  frame.push_back(1);  // ::1
  frame.insert(frame.end(), 15, 0);
  frame.push_back(2);                         // ::2
  frame.insert(frame.end(), {128, 0, 0, 0});  // echo request
  auto summary = summarize_header(frame);
  EXPECT_EQ(summary.ip_src, "::1");
  EXPECT_EQ(summary.ip_dst, "::2");
  EXPECT_EQ(summary.icmp_type, 128);
  EXPECT_EQ(format_summary(summary), "::1 > ::2 icmp6 type=128");
}

TEST(HeaderSummary, ShortFrames) {
  auto frame = tcp_frame();
  for (size_t length = 0; length <= frame.size(); ++length) {
    auto summary = summarize_header(std::span(frame).first(length));
    EXPECT_EQ(summary.eth_src.empty(), length < 14) << length;
  }
  EXPECT_EQ(format_summary(summarize_header(std::span(frame).first(20))),
            "02:00:00:00:00:01 > 02:00:00:00:00:02 ethertype=0x0800 vlan=5");
}

}  // namespace
}  // namespace csflowd::sflow
