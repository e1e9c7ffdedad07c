// Choosing the sFlow agent address when none is configured.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "sflow/records.h"

namespace csflowd::agent {

// One address of this host.
struct HostAddress {
  int ifindex = 0;
  std::string interface;
  sflow::Address address;
};

// Ranks an address: higher is a better agent address. Public IPv4 12, private IPv4 11,
// global IPv6 10, unique-local IPv6 9, link-local IPv6 6, link-local IPv4 5,
// loopback IPv4 4, loopback IPv6 3, multicast and unspecified 0 (never chosen).
int address_priority(const sflow::Address& address);

// Picks the highest-priority address, the lowest ifindex on a tie.
Result<HostAddress> choose_agent_address(const std::vector<HostAddress>& candidates);

// Lists this host's addresses (getifaddrs).
Result<std::vector<HostAddress>> list_host_addresses();

// Parses a numeric IPv4 or IPv6 address.
Result<sflow::Address> parse_address(const std::string& text);

// Formats an address for messages.
std::string format_address(const sflow::Address& address);

}  // namespace csflowd::agent
