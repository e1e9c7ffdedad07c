#include <gtest/gtest.h>

#include "agent/agent_address.h"

namespace csflowd::agent {
namespace {

HostAddress candidate(int ifindex, const std::string& text) {
  auto address = parse_address(text);
  EXPECT_TRUE(address.ok()) << text;
  return {ifindex, "if" + std::to_string(ifindex), address.ok() ? *address : sflow::Address{}};
}

TEST(AddressPriority, RanksAddressClasses) {
  EXPECT_EQ(address_priority(candidate(1, "198.18.0.1").address), 12);
  EXPECT_EQ(address_priority(candidate(1, "10.1.2.3").address), 11);
  EXPECT_EQ(address_priority(candidate(1, "172.17.0.1").address), 11);
  EXPECT_EQ(address_priority(candidate(1, "192.168.1.1").address), 11);
  EXPECT_EQ(address_priority(candidate(1, "2001:db8::1").address), 10);
  EXPECT_EQ(address_priority(candidate(1, "fd00::1").address), 9);
  EXPECT_EQ(address_priority(candidate(1, "fe80::1").address), 6);
  EXPECT_EQ(address_priority(candidate(1, "169.254.3.4").address), 5);
  EXPECT_EQ(address_priority(candidate(1, "127.0.0.1").address), 4);
  EXPECT_EQ(address_priority(candidate(1, "::1").address), 3);
  EXPECT_EQ(address_priority(candidate(1, "224.0.0.1").address), 0);
  EXPECT_EQ(address_priority(candidate(1, "0.0.0.0").address), 0);
}

TEST(ChooseAgentAddress, PrefersPublicIpv4) {
  auto chosen = choose_agent_address({candidate(1, "127.0.0.1"), candidate(2, "fe80::1"),
                                      candidate(3, "10.0.0.2"), candidate(4, "198.18.0.1"),
                                      candidate(5, "2001:db8::2")});
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(format_address(chosen->address), "198.18.0.1");
}

TEST(ChooseAgentAddress, LowerIfindexWinsTie) {
  auto chosen = choose_agent_address({candidate(7, "10.0.0.7"), candidate(3, "172.17.0.1")});
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen->ifindex, 3);
}

TEST(ChooseAgentAddress, FailsWithoutUsableAddress) {
  auto chosen = choose_agent_address({candidate(1, "224.0.0.1")});
  ASSERT_FALSE(chosen.ok());
  EXPECT_NE(chosen.error().message().find("--agent-address"), std::string::npos);
}

TEST(ParseAddress, RejectsNames) {
  EXPECT_FALSE(parse_address("localhost").ok());
  EXPECT_FALSE(parse_address("198.18.0.256").ok());
  EXPECT_TRUE(parse_address("::ffff:198.18.0.1").ok());
}

}  // namespace
}  // namespace csflowd::agent
