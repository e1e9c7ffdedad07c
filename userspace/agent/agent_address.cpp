#include "agent/agent_address.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <array>
#include <cstring>
#include <memory>

namespace csflowd::agent {
namespace {

int ipv4_priority(const std::array<uint8_t, 16>& b) {
  if (b[0] == 0 || b[0] >= 224) {
    return 0;  // unspecified, multicast or class E
  }
  if (b[0] == 127) {
    return 4;
  }
  if (b[0] == 169 && b[1] == 254) {
    return 5;
  }
  bool is_private =
      b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168);
  return is_private ? 11 : 12;
}

int ipv6_priority(const std::array<uint8_t, 16>& b) {
  static const std::array<uint8_t, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (b == kLoopback) {
    return 3;
  }
  if (b[0] == 0xFF || b == std::array<uint8_t, 16>{}) {
    return 0;
  }
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) {
    return 6;
  }
  if ((b[0] & 0xFE) == 0xFC) {
    return 9;
  }
  return 10;
}

}  // namespace

int address_priority(const sflow::Address& address) {
  return address.type == sflow::Address::Type::kIpv4 ? ipv4_priority(address.bytes)
                                                     : ipv6_priority(address.bytes);
}

Result<HostAddress> choose_agent_address(const std::vector<HostAddress>& candidates) {
  const HostAddress* best = nullptr;
  for (const auto& candidate : candidates) {
    int priority = address_priority(candidate.address);
    if (priority == 0) {
      continue;
    }
    if (best == nullptr || priority > address_priority(best->address) ||
        (priority == address_priority(best->address) && candidate.ifindex < best->ifindex)) {
      best = &candidate;
    }
  }
  if (best == nullptr) {
    return plain_error("no usable agent address on this host; give one with --agent-address");
  }
  return *best;
}

Result<std::vector<HostAddress>> list_host_addresses() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    return errno_error("failed to list the host's addresses");
  }
  std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> owner(list, freeifaddrs);
  std::vector<HostAddress> addresses;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr) {
      continue;
    }
    HostAddress host;
    host.interface = entry->ifa_name;
    host.ifindex = static_cast<int>(if_nametoindex(entry->ifa_name));
    if (entry->ifa_addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
      host.address.type = sflow::Address::Type::kIpv4;
      std::memcpy(host.address.bytes.data(), &in->sin_addr, 4);
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr);
      host.address.type = sflow::Address::Type::kIpv6;
      std::memcpy(host.address.bytes.data(), &in6->sin6_addr, 16);
    } else {
      continue;
    }
    addresses.push_back(host);
  }
  return addresses;
}

Result<sflow::Address> parse_address(const std::string& text) {
  sflow::Address address;
  if (inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) {
    address.type = sflow::Address::Type::kIpv4;
    return address;
  }
  if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) == 1) {
    address.type = sflow::Address::Type::kIpv6;
    return address;
  }
  return plain_error("invalid agent address '" + text + "': expected numeric IPv4 or IPv6");
}

std::string format_address(const sflow::Address& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  int family = address.type == sflow::Address::Type::kIpv4 ? AF_INET : AF_INET6;
  inet_ntop(family, address.bytes.data(), text.data(), text.size());
  return text.data();
}

}  // namespace csflowd::agent
