// container_interfaces() and the /proc/<pid>/net/dev reader declared in netns.h.
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "containers/netns.h"

namespace csflowd::containers {
namespace {

struct SocketDeleter {
  void operator()(mnl_socket* socket) const { mnl_socket_close(socket); }
};
using NetlinkSocket = std::unique_ptr<mnl_socket, SocketDeleter>;

// Opens an rtnetlink socket inside the namespace behind ns_fd. A netlink socket stays in
// the namespace it was created in, so the caller can use it after the thread has ended.
Result<NetlinkSocket> open_rtnetlink_in(int ns_fd, const std::string& path) {
  Result<NetlinkSocket> result = plain_error("netns thread for '" + path + "' did not run");
  std::thread joiner([&] {
    if (setns(ns_fd, CLONE_NEWNET) != 0) {
      result = errno_error("failed to join the network namespace '" + path + "'");
      return;
    }
    NetlinkSocket socket(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC));
    if (!socket || mnl_socket_bind(socket.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
      result = errno_error("failed to open an rtnetlink socket in '" + path + "'");
      return;
    }
    result = std::move(socket);
  });
  joiner.join();
  return result;
}

int on_link_attribute(const nlattr* attribute, void* data) {
  auto* interface = static_cast<ContainerInterface*>(data);
  uint16_t type = mnl_attr_get_type(attribute);
  if (type == IFLA_IFNAME && mnl_attr_validate(attribute, MNL_TYPE_NUL_STRING) >= 0) {
    interface->name = mnl_attr_get_str(attribute);
  } else if (type == IFLA_ADDRESS && mnl_attr_get_payload_len(attribute) == 6) {
    std::array<uint8_t, 6> mac{};
    std::memcpy(mac.data(), mnl_attr_get_payload(attribute), mac.size());
    interface->mac = mac;
  }
  return MNL_CB_OK;
}

int on_link(const nlmsghdr* header, void* data) {
  auto* interfaces = static_cast<std::vector<ContainerInterface>*>(data);
  if (header->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(header) < sizeof(ifinfomsg)) {
    return MNL_CB_OK;
  }
  const auto* info = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(header));
  ContainerInterface interface { info->ifi_index, "", info->ifi_flags, std::nullopt };
  if (mnl_attr_parse(header, sizeof(ifinfomsg), on_link_attribute, &interface) < 0) {
    return MNL_CB_ERROR;
  }
  interfaces->push_back(std::move(interface));
  return MNL_CB_OK;
}

Result<std::vector<ContainerInterface>> dump_links(mnl_socket* socket, const std::string& path) {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* request = mnl_nlmsg_put_header(buffer.data());
  request->nlmsg_type = RTM_GETLINK;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request->nlmsg_seq = 1;
  auto* info = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(request, sizeof(ifinfomsg)));
  info->ifi_family = AF_UNSPEC;
  if (mnl_socket_sendto(socket, request, request->nlmsg_len) < 0) {
    return errno_error("failed to send RTM_GETLINK in '" + path + "'");
  }
  std::vector<ContainerInterface> interfaces;
  unsigned port = mnl_socket_get_portid(socket);
  int result = MNL_CB_OK;
  while (result > MNL_CB_STOP) {
    ssize_t length = mnl_socket_recvfrom(socket, buffer.data(), buffer.size());
    if (length < 0) {
      return errno_error("failed to receive links in '" + path + "'");
    }
    result = mnl_cb_run(buffer.data(), static_cast<size_t>(length), 1, port, on_link, &interfaces);
    if (result < 0) {
      return errno_error("RTM_GETLINK dump in '" + path + "' failed");
    }
  }
  return interfaces;
}

}  // namespace

Result<std::vector<ContainerInterface>> container_interfaces(int pid,
                                                             const std::string& proc_root) {
  std::string path = proc_root + "/" + std::to_string(pid) + "/ns/net";
  int ns_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns_fd < 0) {
    return errno_error("failed to open '" + path + "'");
  }
  auto socket = open_rtnetlink_in(ns_fd, path);
  close(ns_fd);
  if (!socket) {
    return socket.error();
  }
  return dump_links(socket->get(), path);
}

std::vector<std::string> parse_net_dev_names(std::string_view text) {
  std::vector<std::string> names;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    // Data lines are "  name: counters..."; the two header lines contain '|' and no ':'
    // before it.
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || line.find('|') < colon) {
      continue;
    }
    std::string_view name = line.substr(0, colon);
    size_t start = name.find_first_not_of(' ');
    if (start == std::string_view::npos) {
      continue;
    }
    names.emplace_back(name.substr(start));
  }
  return names;
}

Result<std::vector<std::string>> read_net_dev_names(int pid, const std::string& proc_root) {
  std::string path = proc_root + "/" + std::to_string(pid) + "/net/dev";
  std::ifstream file(path);
  if (!file) {
    return errno_error("failed to read '" + path + "'");
  }
  std::ostringstream text;
  text << file.rdbuf();
  return parse_net_dev_names(text.str());
}

}  // namespace csflowd::containers
