// Byte-exact checks of the sFlow encoder against layouts computed by hand from
// sflow_version_5.txt and sflow_host.txt.
#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

#include "sflow/datagram.h"
#include "sflow/encoder.h"
#include "sflow/xdr.h"

namespace csflowd::sflow {
namespace {

// Big-endian bytes of a list of u32 words.
std::vector<uint8_t> words(std::initializer_list<uint32_t> values) {
  std::vector<uint8_t> out;
  for (uint32_t v : values) {
    out.insert(out.end(), {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                           static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)});
  }
  return out;
}

template <typename Encode, typename Record>
std::vector<uint8_t> encoded(Encode encode, const Record& record) {
  XdrWriter out;
  encode(out, record);
  return out.take();
}

Address ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  Address address;
  address.bytes = {a, b, c, d};
  return address;
}

TEST(XdrWriter, WritesScalarsBigEndian) {
  XdrWriter out;
  out.u32(0x01020304);
  out.u64(0x0A0B0C0D0E0F1011);
  out.f32(1.5f);
  out.i32(-1);
  EXPECT_EQ(out.take(), words({0x01020304, 0x0A0B0C0D, 0x0E0F1011, 0x3FC00000, 0xFFFFFFFF}));
}

TEST(XdrWriter, PadsOpaqueWithZeros) {
  XdrWriter out;
  std::vector<uint8_t> five = {1, 2, 3, 4, 5};
  out.fixed_opaque(five);
  out.variable_opaque(five, 100);
  std::vector<uint8_t> expected = {1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0};
  EXPECT_EQ(out.take(), expected);
}

TEST(XdrWriter, ClampsStringToMaximum) {
  XdrWriter out;
  out.string("abcdefgh", 6);
  std::vector<uint8_t> expected = {0, 0, 0, 6, 'a', 'b', 'c', 'd', 'e', 'f', 0, 0};
  EXPECT_EQ(out.take(), expected);
}

TEST(EncoderDatagram, HeaderWithIpv4Agent) {
  std::vector<uint8_t> sent;
  DatagramBuilder builder(ipv4(192, 0, 2, 1), 7, 1400,
                          [&](std::span<const uint8_t> d) { sent.assign(d.begin(), d.end()); });
  CounterSample sample{42, {DsClass::kLogical, 100001}, {HostParent{}}};
  ASSERT_TRUE(builder.add(sample, 1234).ok());
  builder.flush(1234);
  auto expected = words({5, 1, 0xC0000201, 7, 1, 1234, 1,  // datagram header
                         4, 32, 42, 3, 100001, 1,          // counters_sample_expanded
                         2002, 8, 2, 1});                  // host_parent (2, 1)
  EXPECT_EQ(sent, expected);
}

TEST(EncoderDatagram, HeaderWithIpv6Agent) {
  std::vector<uint8_t> sent;
  Address agent;
  agent.type = Address::Type::kIpv6;
  agent.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  DatagramBuilder builder(agent, 0, 1400,
                          [&](std::span<const uint8_t> d) { sent.assign(d.begin(), d.end()); });
  CounterSample sample{1, kHostDataSource, {}};
  ASSERT_TRUE(builder.add(sample, 99).ok());
  builder.flush(100);
  auto expected = words({5, 2, 0x20010db8, 0, 0, 1, 0, 1, 100, 1,  // 40-byte header
                         4, 16, 1, 2, 1, 0});                      // empty counter sample
  EXPECT_EQ(sent, expected);
  EXPECT_EQ(datagram_header_bytes(agent), 40u);
}

TEST(EncoderFlow, SampleWithPaddedSampledHeader) {
  SampledHeader header;
  header.frame_length = 65;
  header.stripped = 4;
  for (uint8_t i = 0; i < 61; ++i) header.header.push_back(i + 1);
  FlowSample sample;
  sample.sequence_number = 9;
  sample.source = {DsClass::kIfIndex, 5};
  sample.sampling_rate = 400;
  sample.sample_pool = 8000;
  sample.drops = 2;
  sample.input = {0, 5};
  sample.output = {0, kInternalInterface};
  sample.records = {header};

  auto expected = words({3, 132, 9, 0, 5, 400, 8000, 2, 0, 5, 0, 0x3FFFFFFF, 1,  // fixed part
                         1, 80, 1, 65, 4, 61});  // sampled_header: 16 + 64 payload bytes
  for (uint8_t i = 0; i < 61; ++i) expected.push_back(i + 1);
  expected.insert(expected.end(), {0, 0, 0});  // 61 bytes padded to 64
  EXPECT_EQ(encoded(encode_flow_sample, sample), expected);
}

TEST(EncoderFlow, ExtendedRecords) {
  EXPECT_EQ(encoded(encode_extended_switch, ExtendedSwitch{10, 3, 20, 5}),
            words({1001, 16, 10, 3, 20, 5}));
  EXPECT_EQ(encoded(encode_extended_timestamp, ExtendedTimestamp{0x0000000123456789}),
            words({1043, 8, 0x00000001, 0x23456789}));
  ExtendedEntities entities{{DsClass::kLogical, 100001}, {DsClass::kIfIndex, 7}};
  EXPECT_EQ(encoded(encode_extended_entities, entities), words({2210, 16, 3, 100001, 0, 7}));
}

TEST(EncoderCounters, IfCounters) {
  IfCounters c;
  c.if_index = 3;
  c.if_speed = 10'000'000'000;
  c.if_direction = 1;
  c.if_status = 3;
  c.in_octets = 0x100000002;
  c.in_ucast_pkts = 11;
  c.in_discards = 12;
  c.in_errors = 13;
  c.out_octets = 500;
  c.out_ucast_pkts = 21;
  c.out_multicast_pkts = 22;
  c.out_broadcast_pkts = 23;
  c.out_discards = 24;
  c.out_errors = 25;
  c.promiscuous_mode = 1;
  auto expected =
      words({1,          88, 3,  6,          0x00000002, 0x540BE400, 1,  3,  1,  2,  11, 0xFFFFFFFF,
             0xFFFFFFFF, 12, 13, 0xFFFFFFFF, 0,          500,        21, 22, 23, 24, 25, 1});
  EXPECT_EQ(encoded(encode_if_counters, c), expected);
}

TEST(EncoderCounters, PortNameClampedTo255) {
  EXPECT_EQ(encoded(encode_port_name, PortName{"eth0"}), words({1005, 8, 4, 0x65746830}));
  auto long_name = encoded(encode_port_name, PortName{std::string(300, 'x')});
  ASSERT_EQ(long_name.size(), 8u + 4 + 256);
  EXPECT_EQ(long_name[11], 255);   // length word
  EXPECT_EQ(long_name.back(), 0);  // padding
}

TEST(EncoderCounters, HostDescrWithRawUuid) {
  HostDescr d;
  d.hostname = "web1";
  for (uint8_t i = 0; i < 16; ++i) d.uuid[i] = static_cast<uint8_t>(0xA0 + i);
  d.machine_type = 3;
  d.os_name = 2;
  d.os_release = "6.1.0";
  auto expected = words({2000, 44, 4, 0x77656231, 0xA0A1A2A3, 0xA4A5A6A7, 0xA8A9AAAB, 0xACADAEAF, 3,
                         2, 5, 0x362E312E, 0x30000000});
  EXPECT_EQ(encoded(encode_host_descr, d), expected);
}

TEST(EncoderCounters, HostDescrClampsHostnameAndRelease) {
  HostDescr d;
  d.hostname = std::string(70, 'h');
  d.os_release = std::string(40, 'r');
  auto bytes = encoded(encode_host_descr, d);
  ASSERT_EQ(bytes.size(), 8u + 4 + 64 + 16 + 4 + 4 + 4 + 32);
  EXPECT_EQ(bytes[11], 64);                           // hostname length
  EXPECT_EQ(bytes[8 + 4 + 64 + 16 + 4 + 4 + 3], 32);  // os_release length
}

TEST(EncoderCounters, HostAdaptersPadsMacs) {
  HostAdapters a;
  a.adapters.push_back({7, {{0x02, 0x42, 0xAC, 0x11, 0x00, 0x02}}});
  a.adapters.push_back({9, {}});
  auto expected = words({2001, 28, 2, 7, 1, 0x0242AC11, 0x00020000, 9, 0});
  EXPECT_EQ(encoded(encode_host_adapters, a), expected);
}

TEST(EncoderCounters, HostParent) {
  EXPECT_EQ(encoded(encode_host_parent, HostParent{}), words({2002, 8, 2, 1}));
}

TEST(EncoderCounters, HostCpuIs80Bytes) {
  HostCpu c;
  c.load_one = 0.5f;
  c.load_five = 1.0f;
  c.load_fifteen = 2.0f;
  c.proc_run = 1, c.proc_total = 2, c.cpu_num = 3, c.cpu_speed_mhz = 4, c.uptime_s = 5;
  c.cpu_user = 6, c.cpu_nice = 7, c.cpu_system = 8, c.cpu_idle = 9, c.cpu_wio = 10;
  c.cpu_intr = 11, c.cpu_sintr = 12, c.interrupts = 13, c.contexts = 14;
  c.cpu_steal = 15, c.cpu_guest = 16, c.cpu_guest_nice = 17;
  auto expected = words({2003, 80, 0x3F000000, 0x3F800000, 0x40000000, 1,  2,  3,  4,  5,  6,
                         7,    8,  9,          10,         11,         12, 13, 14, 15, 16, 17});
  EXPECT_EQ(encoded(encode_host_cpu, c), expected);
}

TEST(EncoderCounters, HostMemory) {
  HostMemory m{1, 2, 3, 4, 5, 6, 0x700000007, 8, 9, 10, 11};
  auto expected = words({2004, 72, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 7, 7, 8, 9, 10, 11});
  EXPECT_EQ(encoded(encode_host_memory, m), expected);
}

TEST(EncoderCounters, HostDiskIo) {
  HostDiskIo d{1000, 500, -1, 3, 4096, 5, 6, 8192, 7};
  auto expected = words({2005, 52, 0, 1000, 0, 500, 0xFFFFFFFF, 3, 0, 4096, 5, 6, 0, 8192, 7});
  EXPECT_EQ(encoded(encode_host_disk_io, d), expected);
}

TEST(EncoderCounters, HostAndVirtNetIo) {
  HostNetIo h;
  h.bytes_in = 100, h.pkts_in = 2, h.errs_in = 3, h.drops_in = 4;
  h.bytes_out = 200, h.pkts_out = 5, h.errs_out = 6, h.drops_out = 7;
  EXPECT_EQ(encoded(encode_host_net_io, h), words({2006, 40, 0, 100, 2, 3, 4, 0, 200, 5, 6, 7}));
  VirtNetIo v;
  v.bytes_in = 1, v.pkts_in = 2, v.bytes_out = 3, v.drops_out = 9;
  EXPECT_EQ(encoded(encode_virt_net_io, v), words({2104, 40, 0, 1, 2, 0, 0, 0, 3, 0, 0, 9}));
}

TEST(EncoderCounters, MibTables) {
  HostIp ip;
  HostIcmp icmp;
  HostTcp tcp;
  HostUdp udp;
  for (uint32_t i = 0; i < ip.values.size(); ++i) ip.values[i] = i + 1;
  for (uint32_t i = 0; i < icmp.values.size(); ++i) icmp.values[i] = i + 100;
  for (uint32_t i = 0; i < tcp.values.size(); ++i) tcp.values[i] = i + 200;
  for (uint32_t i = 0; i < udp.values.size(); ++i) udp.values[i] = i + 300;
  auto ip_bytes = encoded(encode_host_ip, ip);
  auto icmp_bytes = encoded(encode_host_icmp, icmp);
  auto tcp_bytes = encoded(encode_host_tcp, tcp);
  auto udp_bytes = encoded(encode_host_udp, udp);
  EXPECT_EQ(std::vector<uint8_t>(ip_bytes.begin(), ip_bytes.begin() + 16), words({2007, 76, 1, 2}));
  EXPECT_EQ(ip_bytes.size(), 8u + 76);
  EXPECT_EQ(std::vector<uint8_t>(icmp_bytes.begin(), icmp_bytes.begin() + 12),
            words({2008, 100, 100}));
  EXPECT_EQ(icmp_bytes.size(), 8u + 100);
  EXPECT_EQ(std::vector<uint8_t>(tcp_bytes.end() - 4, tcp_bytes.end()), words({214}));
  EXPECT_EQ(std::vector<uint8_t>(tcp_bytes.begin(), tcp_bytes.begin() + 8), words({2009, 60}));
  EXPECT_EQ(udp_bytes, words({2010, 28, 300, 301, 302, 303, 304, 305, 306}));
}

TEST(EncoderCounters, VirtRecords) {
  EXPECT_EQ(encoded(encode_virt_node, VirtNode{2400, 4, 0x200000000, 1024, 3}),
            words({2100, 28, 2400, 4, 2, 0, 0, 1024, 3}));
  EXPECT_EQ(encoded(encode_virt_cpu, VirtCpu{1, 123456, 2}), words({2101, 12, 1, 123456, 2}));
  EXPECT_EQ(encoded(encode_virt_memory, VirtMemory{4096, 8192}),
            words({2102, 16, 0, 4096, 0, 8192}));
  VirtDiskIo d{0, 0, 0, 5, 600, 7, 800, 9};
  EXPECT_EQ(encoded(encode_virt_disk_io, d),
            words({2103, 52, 0, 0, 0, 0, 0, 0, 5, 0, 600, 7, 0, 800, 9}));
}

TEST(EncoderAddress, NeverWritesTypeZero) {
  Address odd;
  odd.type = static_cast<Address::Type>(0);
  odd.bytes = {10, 0, 0, 1};
  EXPECT_EQ(encoded(encode_address, odd), words({1, 0x0A000001}));
}

}  // namespace
}  // namespace csflowd::sflow
