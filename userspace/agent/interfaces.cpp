#include "agent/interfaces.h"

#include <fnmatch.h>
#include <linux/if.h>

#include <fstream>

namespace csflowd::agent {
namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return line;
}

bool is_default_interface(const net::Link& link) {
  if (link.is_host_side_veth()) {
    return true;
  }
  return link.is_bridge() && (link.name == "docker0" || link.name.starts_with("br-"));
}

}  // namespace

bool is_selected(const net::Link& link, const std::vector<std::string>& patterns) {
  if (patterns.empty()) {
    return is_default_interface(link);
  }
  for (const auto& pattern : patterns) {
    if (fnmatch(pattern.c_str(), link.name.c_str(), 0) == 0) {
      return true;
    }
  }
  return false;
}

LinkSpeed read_link_speed(const std::string& sys_root, const std::string& name) {
  LinkSpeed speed;
  std::string base = sys_root + "/class/net/" + name + "/";
  try {
    long long mbps = std::stoll(read_first_line(base + "speed"));
    if (mbps > 0) {
      speed.bits_per_second = static_cast<uint64_t>(mbps) * 1'000'000;
    }
  } catch (const std::exception&) {
    // No speed (a bridge, a down link): stays unknown.
  }
  std::string duplex = read_first_line(base + "duplex");
  if (duplex == "full") {
    speed.direction = 1;
  } else if (duplex == "half") {
    speed.direction = 2;
  }
  return speed;
}

sflow::IfCounters make_if_counters(const net::Link& link, const LinkSpeed& speed) {
  const net::LinkStats& s = link.stats;
  sflow::IfCounters c;
  c.if_index = static_cast<uint32_t>(link.ifindex);
  c.if_speed = speed.bits_per_second;
  c.if_direction = speed.direction;
  bool oper_up = link.operstate == IF_OPER_UP ||
                 (link.operstate == IF_OPER_UNKNOWN && (link.flags & IFF_RUNNING));
  c.if_status = (link.is_up() ? 1U : 0U) | (oper_up ? 2U : 0U);
  // Linux counts received multicast but not broadcast separately, so broadcast is
  // reported unknown and unicast is every received packet that was not multicast.
  c.in_octets = s.rx_bytes;
  c.in_ucast_pkts = static_cast<uint32_t>(s.rx_packets - std::min(s.multicast, s.rx_packets));
  c.in_multicast_pkts = static_cast<uint32_t>(s.multicast);
  c.in_discards = static_cast<uint32_t>(s.rx_dropped);
  c.in_errors = static_cast<uint32_t>(s.rx_errors);
  c.out_octets = s.tx_bytes;
  c.out_ucast_pkts = static_cast<uint32_t>(s.tx_packets);
  c.out_discards = static_cast<uint32_t>(s.tx_dropped);
  c.out_errors = static_cast<uint32_t>(s.tx_errors);
  c.promiscuous_mode = (link.flags & IFF_PROMISC) != 0 ? 1 : 0;
  return c;
}

}  // namespace csflowd::agent
