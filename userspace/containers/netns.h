// A container's network namespace from the host's side: its netns id (the value host
// veths carry in IFLA_LINK_NETNSID), the host-side veths, and the container's own links.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "net/link.h"

namespace csflowd::containers {

// Returns the netns id that this process's namespace gives the network namespace of pid,
// asking the kernel to assign one (RTM_NEWNSID) when it has none yet. Returns nullopt when
// pid shares this process's namespace (a --network host container), which has no veth.
Result<std::optional<int>> netns_id_for_pid(int pid, const std::string& proc_root = "/proc");

// Picks the ifindexes of the host-side veths whose peer is in the namespace netnsid.
std::vector<int> host_veths_for(int netnsid, const std::vector<net::Link>& links);

// A link inside a container's namespace; ifindex is local to that namespace.
struct ContainerInterface {
  int ifindex = 0;
  std::string name;
  unsigned flags = 0;  // IFF_*
  std::optional<std::array<uint8_t, 6>> mac;
};

// Lists the links inside the network namespace of pid. It opens a netlink socket from a
// short-lived thread that joins the namespace with setns() and exits, so the calling
// thread never changes namespace. Needs CAP_SYS_ADMIN over that namespace.
Result<std::vector<ContainerInterface>> container_interfaces(
    int pid, const std::string& proc_root = "/proc");

// Parses interface names from the text of /proc/<pid>/net/dev.
std::vector<std::string> parse_net_dev_names(std::string_view text);

// Reads interface names from <proc_root>/<pid>/net/dev, which shows pid's namespace
// without joining it; the fallback when setns() is not permitted.
Result<std::vector<std::string>> read_net_dev_names(int pid,
                                                    const std::string& proc_root = "/proc");

}  // namespace csflowd::containers
