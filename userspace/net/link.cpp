#include "net/link.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <memory>

namespace csflowd::net {
namespace {

struct SocketCloser {
  void operator()(mnl_socket* socket) const { mnl_socket_close(socket); }
};
using SocketPtr = std::unique_ptr<mnl_socket, SocketCloser>;

int read_link_kind(const nlattr* attr, void* data) {
  auto* link = static_cast<Link*>(data);
  if (mnl_attr_get_type(attr) == IFLA_INFO_KIND && mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0) {
    link->kind = mnl_attr_get_str(attr);
  }
  return MNL_CB_OK;
}

void read_stats(const nlattr* attr, Link& link) {
  if (mnl_attr_get_payload_len(attr) < sizeof(rtnl_link_stats64)) {
    return;
  }
  rtnl_link_stats64 stats{};
  std::memcpy(&stats, mnl_attr_get_payload(attr), sizeof(stats));
  link.stats = LinkStats{stats.rx_packets, stats.tx_packets, stats.rx_bytes,
                         stats.tx_bytes,   stats.rx_errors,  stats.tx_errors,
                         stats.rx_dropped, stats.tx_dropped, stats.multicast};
}

uint32_t read_u32(const nlattr* attr) {
  return mnl_attr_validate(attr, MNL_TYPE_U32) >= 0 ? mnl_attr_get_u32(attr) : 0;
}

int read_attribute(const nlattr* attr, void* data) {
  Link& link = *static_cast<Link*>(data);
  switch (mnl_attr_get_type(attr)) {
    case IFLA_IFNAME:
      if (mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0) {
        link.name = mnl_attr_get_str(attr);
      }
      break;
    case IFLA_ADDRESS:
      if (mnl_attr_get_payload_len(attr) == 6) {
        std::array<uint8_t, 6> mac{};
        std::memcpy(mac.data(), mnl_attr_get_payload(attr), mac.size());
        link.mac = mac;
      }
      break;
    case IFLA_OPERSTATE:
      if (mnl_attr_validate(attr, MNL_TYPE_U8) >= 0) {
        link.operstate = mnl_attr_get_u8(attr);
      }
      break;
    case IFLA_MASTER:
      link.master = static_cast<int>(read_u32(attr));
      break;
    case IFLA_LINK:
      link.link = static_cast<int>(read_u32(attr));
      break;
    case IFLA_LINK_NETNSID:
      if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) {
        link.link_netnsid = static_cast<int>(mnl_attr_get_u32(attr));
      }
      break;
    case IFLA_LINKINFO:
      mnl_attr_parse_nested(attr, read_link_kind, &link);
      break;
    case IFLA_STATS64:
      read_stats(attr, link);
      break;
    default:
      break;
  }
  return MNL_CB_OK;
}

int on_link_message(const nlmsghdr* header, void* data) {
  auto* links = static_cast<std::vector<Link>*>(data);
  if (header->nlmsg_type != RTM_NEWLINK) {
    return MNL_CB_OK;
  }
  const auto* info = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(header));
  Link link;
  link.ifindex = info->ifi_index;
  link.flags = info->ifi_flags;
  mnl_attr_parse(header, sizeof(*info), read_attribute, &link);
  links->push_back(std::move(link));
  return MNL_CB_OK;
}

}  // namespace

bool Link::is_up() const { return (flags & IFF_UP) != 0; }

namespace {

// Runs one RTM_GETLINK dump. Fails with EINTR when the kernel marks the dump interrupted
// (NLM_F_DUMP_INTR) because interfaces changed while it was running.
Result<std::vector<Link>> dump_links() {
  SocketPtr socket(mnl_socket_open(NETLINK_ROUTE));
  if (!socket) {
    return errno_error("failed to open an rtnetlink socket");
  }
  if (mnl_socket_bind(socket.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return errno_error("failed to bind the rtnetlink socket");
  }

  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE * 4);
  nlmsghdr* request = mnl_nlmsg_put_header(buffer.data());
  request->nlmsg_type = RTM_GETLINK;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  auto sequence = static_cast<unsigned>(time(nullptr));
  request->nlmsg_seq = sequence;
  auto* info = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(request, sizeof(ifinfomsg)));
  info->ifi_family = AF_UNSPEC;
  if (mnl_socket_sendto(socket.get(), request, request->nlmsg_len) < 0) {
    return errno_error("failed to send the RTM_GETLINK dump request");
  }

  std::vector<Link> links;
  unsigned port = mnl_socket_get_portid(socket.get());
  while (true) {
    ssize_t received = mnl_socket_recvfrom(socket.get(), buffer.data(), buffer.size());
    if (received < 0) {
      return errno_error("failed to read the RTM_GETLINK dump");
    }
    int status = mnl_cb_run(buffer.data(), received, sequence, port, on_link_message, &links);
    if (status < 0) {
      return errno_error("failed to parse the RTM_GETLINK dump");
    }
    if (status == MNL_CB_STOP) {
      return links;
    }
  }
}

}  // namespace

Result<std::vector<Link>> list_links() {
  // Containers starting and stopping change the interface list during a dump, so an
  // interrupted dump is retried a few times before it is reported.
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    auto links = dump_links();
    if (links || links.error().code != EINTR || attempt == kAttempts) {
      return links;
    }
  }
}

}  // namespace csflowd::net
