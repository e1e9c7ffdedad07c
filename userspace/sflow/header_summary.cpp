#include "sflow/header_summary.h"

#include <arpa/inet.h>

#include <array>
#include <cstdio>

namespace csflowd::sflow {
namespace {

constexpr uint16_t kEthertypeIpv4 = 0x0800;
constexpr uint16_t kEthertypeIpv6 = 0x86DD;
constexpr uint16_t kEthertypeVlan = 0x8100;
constexpr uint16_t kEthertypeQinQ = 0x88A8;
constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoIcmpv6 = 58;

uint16_t read_u16(std::span<const uint8_t> bytes, size_t offset) {
  return static_cast<uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

std::string mac_text(std::span<const uint8_t> mac) {
  std::array<char, 18> text{};
  std::snprintf(text.data(), text.size(), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                mac[3], mac[4], mac[5]);
  return text.data();
}

std::string ip_text(int family, const uint8_t* bytes) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(family, bytes, text.data(), text.size());
  return text.data();
}

void parse_transport(std::span<const uint8_t> l4, uint8_t protocol, HeaderSummary& out) {
  if ((protocol == kProtoTcp || protocol == kProtoUdp) && l4.size() >= 4) {
    out.src_port = read_u16(l4, 0);
    out.dst_port = read_u16(l4, 2);
  } else if ((protocol == kProtoIcmp || protocol == kProtoIcmpv6) && !l4.empty()) {
    out.icmp_type = l4[0];
  }
}

void parse_ipv4(std::span<const uint8_t> ip, HeaderSummary& out) {
  if (ip.size() < 20 || (ip[0] >> 4) != 4) {
    return;
  }
  size_t header_length = static_cast<size_t>(ip[0] & 0x0F) * 4;
  out.ip_protocol = ip[9];
  out.ip_src = ip_text(AF_INET, ip.data() + 12);
  out.ip_dst = ip_text(AF_INET, ip.data() + 16);
  bool first_fragment = (read_u16(ip, 6) & 0x1FFF) == 0;
  if (header_length >= 20 && header_length <= ip.size() && first_fragment) {
    parse_transport(ip.subspan(header_length), ip[9], out);
  }
}

void parse_ipv6(std::span<const uint8_t> ip, HeaderSummary& out) {
  if (ip.size() < 40 || (ip[0] >> 4) != 6) {
    return;
  }
  out.ip_protocol = ip[6];
  out.ip_src = ip_text(AF_INET6, ip.data() + 8);
  out.ip_dst = ip_text(AF_INET6, ip.data() + 24);
  parse_transport(ip.subspan(40), ip[6], out);
}

}  // namespace

HeaderSummary summarize_header(std::span<const uint8_t> frame) {
  HeaderSummary out;
  if (frame.size() < 14) {
    return out;
  }
  out.eth_dst = mac_text(frame.first(6));
  out.eth_src = mac_text(frame.subspan(6, 6));
  size_t offset = 12;
  uint16_t ethertype = read_u16(frame, offset);
  while ((ethertype == kEthertypeVlan || ethertype == kEthertypeQinQ) &&
         offset + 6 <= frame.size()) {
    out.vlans.push_back(read_u16(frame, offset + 2) & 0x0FFF);
    offset += 4;
    ethertype = read_u16(frame, offset);
  }
  out.ethertype = ethertype;
  auto payload = frame.subspan(offset + 2);
  if (ethertype == kEthertypeIpv4) {
    parse_ipv4(payload, out);
  } else if (ethertype == kEthertypeIpv6) {
    parse_ipv6(payload, out);
  }
  return out;
}

std::string format_summary(const HeaderSummary& summary) {
  if (summary.eth_src.empty()) {
    return "(header too short)";
  }
  std::string text;
  auto endpoint = [](const std::string& ip, const std::optional<uint16_t>& port) {
    if (!port) {
      return ip;
    }
    bool v6 = ip.find(':') != std::string::npos;
    return (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(*port);
  };
  if (!summary.ip_src.empty()) {
    text = endpoint(summary.ip_src, summary.src_port) + " > " +
           endpoint(summary.ip_dst, summary.dst_port);
    uint8_t protocol = summary.ip_protocol.value_or(0);
    switch (protocol) {
      case kProtoTcp:
        text += " tcp";
        break;
      case kProtoUdp:
        text += " udp";
        break;
      case kProtoIcmp:
        text += " icmp";
        break;
      case kProtoIcmpv6:
        text += " icmp6";
        break;
      default:
        text += " proto=" + std::to_string(protocol);
    }
    if (summary.icmp_type) {
      text += " type=" + std::to_string(*summary.icmp_type);
    }
  } else {
    std::array<char, 8> type{};
    std::snprintf(type.data(), type.size(), "0x%04x", summary.ethertype.value_or(0));
    text = summary.eth_src + " > " + summary.eth_dst + " ethertype=" + type.data();
  }
  for (uint16_t vlan : summary.vlans) {
    text += " vlan=" + std::to_string(vlan);
  }
  return text;
}

}  // namespace csflowd::sflow
