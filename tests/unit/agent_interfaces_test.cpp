#include <gtest/gtest.h>
#include <linux/if.h>

#include <filesystem>
#include <fstream>

#include "agent/host_sample.h"
#include "agent/interfaces.h"

namespace csflowd::agent {
namespace {

net::Link make_link(int ifindex, const std::string& name, const std::string& kind) {
  net::Link link;
  link.ifindex = ifindex;
  link.name = name;
  link.kind = kind;
  link.flags = IFF_UP | IFF_RUNNING;
  link.operstate = IF_OPER_UP;
  link.mac = std::array<uint8_t, 6>{2, 0, 0, 0, 0, static_cast<uint8_t>(ifindex)};
  return link;
}

net::Link host_side_veth(int ifindex, const std::string& name) {
  net::Link link = make_link(ifindex, name, "veth");
  link.link_netnsid = 3;
  return link;
}

TEST(IsSelected, DefaultSetIsContainerVethsAndBridges) {
  EXPECT_TRUE(is_selected(host_side_veth(5, "veth1a2b"), {}));
  EXPECT_TRUE(is_selected(make_link(3, "docker0", "bridge"), {}));
  EXPECT_TRUE(is_selected(make_link(4, "br-0123abcd", "bridge"), {}));
  EXPECT_FALSE(is_selected(make_link(6, "virbr0", "bridge"), {}));
  EXPECT_FALSE(is_selected(make_link(7, "vethpair", "veth"), {})) << "peer in this netns";
  EXPECT_FALSE(is_selected(make_link(2, "eth0", ""), {}));
}

TEST(IsSelected, PatternsReplaceDefaultSet) {
  std::vector<std::string> patterns{"eth*", "csfm?"};
  EXPECT_TRUE(is_selected(make_link(2, "eth0", ""), patterns));
  EXPECT_TRUE(is_selected(make_link(8, "csfm1", "veth"), patterns));
  EXPECT_FALSE(is_selected(make_link(3, "docker0", "bridge"), patterns));
}

TEST(MakeIfCounters, UsesInterfaceView) {
  net::Link link = make_link(9, "veth9", "veth");
  link.flags |= IFF_PROMISC;
  link.stats = {.rx_packets = 1000,
                .tx_packets = 900,
                .rx_bytes = 98000,
                .tx_bytes = 88200,
                .rx_errors = 1,
                .tx_errors = 2,
                .rx_dropped = 3,
                .tx_dropped = 4,
                .multicast = 10};
  auto c = make_if_counters(link, {10'000'000'000ULL, 1});
  EXPECT_EQ(c.if_index, 9U);
  EXPECT_EQ(c.if_type, 6U);
  EXPECT_EQ(c.if_speed, 10'000'000'000ULL);
  EXPECT_EQ(c.if_direction, 1U);
  EXPECT_EQ(c.if_status, 3U);
  EXPECT_EQ(c.in_octets, 98000U);
  EXPECT_EQ(c.in_ucast_pkts, 990U);
  EXPECT_EQ(c.in_multicast_pkts, 10U);
  EXPECT_EQ(c.in_broadcast_pkts, sflow::kUnknownCounter32);
  EXPECT_EQ(c.in_discards, 3U);
  EXPECT_EQ(c.in_errors, 1U);
  EXPECT_EQ(c.in_unknown_protos, sflow::kUnknownCounter32);
  EXPECT_EQ(c.out_octets, 88200U);
  EXPECT_EQ(c.out_ucast_pkts, 900U);
  EXPECT_EQ(c.out_multicast_pkts, sflow::kUnknownCounter32);
  EXPECT_EQ(c.out_discards, 4U);
  EXPECT_EQ(c.out_errors, 2U);
  EXPECT_EQ(c.promiscuous_mode, 1U);
}

TEST(MakeIfCounters, DownInterface) {
  net::Link link = make_link(9, "veth9", "veth");
  link.flags = 0;
  link.operstate = IF_OPER_DOWN;
  EXPECT_EQ(make_if_counters(link, {}).if_status, 0U);
  link.flags = IFF_UP;
  EXPECT_EQ(make_if_counters(link, {}).if_status, 1U);
}

TEST(ReadLinkSpeed, ReadsSysfsFiles) {
  auto root = std::filesystem::temp_directory_path() / "csflowd-speed-test";
  std::filesystem::create_directories(root / "class/net/eth0");
  std::filesystem::create_directories(root / "class/net/br0");
  std::ofstream(root / "class/net/eth0/speed") << "25000\n";
  std::ofstream(root / "class/net/eth0/duplex") << "full\n";
  std::ofstream(root / "class/net/br0/speed") << "-1\n";
  auto eth0 = read_link_speed(root, "eth0");
  auto br0 = read_link_speed(root, "br0");
  auto missing = read_link_speed(root, "nothere");
  std::filesystem::remove_all(root);
  EXPECT_EQ(eth0.bits_per_second, 25'000'000'000ULL);
  EXPECT_EQ(eth0.direction, 1U);
  EXPECT_EQ(br0.bits_per_second, 0U);
  EXPECT_EQ(br0.direction, 0U);
  EXPECT_EQ(missing.bits_per_second, 0U);
}

TEST(HostNetIo, CountsOnlyPhysicalInterfaces) {
  net::Link eth0 = make_link(2, "eth0", "");
  eth0.stats.rx_bytes = 1000;
  eth0.stats.rx_packets = 10;
  eth0.stats.tx_bytes = 500;
  eth0.stats.tx_packets = 5;
  net::Link lo = make_link(1, "lo", "");
  lo.flags |= IFF_LOOPBACK;
  lo.stats.rx_bytes = 77;
  net::Link docker0 = make_link(3, "docker0", "bridge");
  docker0.stats.rx_bytes = 99;
  net::Link veth = host_side_veth(4, "veth1");
  veth.stats.rx_bytes = 88;
  net::Link eth1 = make_link(5, "eth1", "");
  eth1.flags = 0;
  eth1.stats.rx_bytes = 66;
  auto io = make_host_net_io({eth0, lo, docker0, veth, eth1});
  EXPECT_EQ(io.bytes_in, 1000U);
  EXPECT_EQ(io.pkts_in, 10U);
  EXPECT_EQ(io.bytes_out, 500U);
  EXPECT_EQ(io.pkts_out, 5U);
}

TEST(HostAdapters, ListsBridgesButNotContainerVeths) {
  net::Link lo = make_link(1, "lo", "");
  lo.flags |= IFF_LOOPBACK;
  auto adapters = make_host_adapters(
      {lo, make_link(2, "eth0", ""), make_link(3, "docker0", "bridge"), host_side_veth(4, "v")});
  ASSERT_EQ(adapters.adapters.size(), 2U);
  EXPECT_EQ(adapters.adapters[0].if_index, 2U);
  EXPECT_EQ(adapters.adapters[1].if_index, 3U);
  EXPECT_EQ(adapters.adapters[1].macs.at(0)[5], 3);
}

TEST(ParseUuid, AcceptsDashedAndPlain) {
  auto dashed = parse_uuid("12345678-9abc-def0-1234-56789ABCDEF0");
  ASSERT_TRUE(dashed.ok());
  EXPECT_EQ((*dashed)[0], 0x12);
  EXPECT_EQ((*dashed)[15], 0xF0);
  EXPECT_TRUE(parse_uuid("123456789abcdef0123456789abcdef0").ok());
  EXPECT_FALSE(parse_uuid("123456789abcdef0123456789abcdef").ok());
  EXPECT_FALSE(parse_uuid("123456789abcdef0123456789abcdef00").ok());
  EXPECT_FALSE(parse_uuid("zz3456789abcdef0123456789abcdef0").ok());
}

}  // namespace
}  // namespace csflowd::agent
