// A short parse of a sampled Ethernet header, so a person can see what was sampled.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace csflowd::sflow {

struct HeaderSummary {
  std::string eth_src;  // "aa:bb:cc:dd:ee:ff"; empty when the header is shorter than 14 bytes
  std::string eth_dst;
  std::vector<uint16_t> vlans;        // 802.1Q / 802.1ad VLAN ids, outermost first
  std::optional<uint16_t> ethertype;  // after the VLAN tags
  std::string ip_src;                 // IPv4 or IPv6 text; empty when not IP or cut short
  std::string ip_dst;
  std::optional<uint8_t> ip_protocol;  // IPv4 protocol or IPv6 next header
  std::optional<uint16_t> src_port;    // TCP or UDP
  std::optional<uint16_t> dst_port;
  std::optional<uint8_t> icmp_type;  // ICMP or ICMPv6
};

// Parses Ethernet, VLAN tags, IPv4 or IPv6 (no extension headers), then TCP/UDP ports or
// the ICMP type. Stops quietly where the captured bytes end.
HeaderSummary summarize_header(std::span<const uint8_t> frame);

// One line such as "10.0.0.1:40000 > 10.0.0.2:80 tcp vlan=5".
std::string format_summary(const HeaderSummary& summary);

}  // namespace csflowd::sflow
