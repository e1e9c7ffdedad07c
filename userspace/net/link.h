// Network interfaces of the daemon's namespace, as read from rtnetlink (RTM_GETLINK).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace csflowd::net {

// IFLA_STATS64 counters, from the interface's own point of view (rx = received by it).
struct LinkStats {
  uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
  uint64_t rx_errors = 0, tx_errors = 0, rx_dropped = 0, tx_dropped = 0;
  uint64_t multicast = 0;  // received multicast packets
};

// One interface as the kernel reports it.
struct Link {
  int ifindex = 0;
  std::string name;       // IFLA_IFNAME
  std::string kind;       // IFLA_INFO_KIND: "veth", "bridge", "" for a plain device
  unsigned flags = 0;     // IFF_* from ifinfomsg
  uint8_t operstate = 0;  // IF_OPER_* (IFLA_OPERSTATE)
  std::optional<std::array<uint8_t, 6>> mac;  // IFLA_ADDRESS when it is 6 bytes long
  int master = 0;                   // IFLA_MASTER: bridge or bond this port belongs to, or 0
  int link = 0;                     // IFLA_LINK: for a veth, the peer's ifindex
  std::optional<int> link_netnsid;  // IFLA_LINK_NETNSID: netns id of the peer, if elsewhere
  LinkStats stats;

  [[nodiscard]] bool is_up() const;
  [[nodiscard]] bool is_veth() const { return kind == "veth"; }
  [[nodiscard]] bool is_bridge() const { return kind == "bridge"; }
  // A veth whose peer lives in another network namespace (a container's host side).
  [[nodiscard]] bool is_host_side_veth() const { return is_veth() && link_netnsid.has_value(); }
};

// Lists every interface of the current network namespace.
Result<std::vector<Link>> list_links();

}  // namespace csflowd::net
