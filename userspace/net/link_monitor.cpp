#include "net/link_monitor.h"

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <vector>

namespace csflowd::net {

void LinkMonitor::Closer::operator()(mnl_socket* socket) const { mnl_socket_close(socket); }

Result<LinkMonitor> LinkMonitor::open() {
  mnl_socket* socket = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (socket == nullptr) {
    return errno_error("failed to open an rtnetlink socket for link events");
  }
  LinkMonitor monitor(socket);
  if (mnl_socket_bind(socket, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
    return errno_error("failed to subscribe to rtnetlink link events");
  }
  return monitor;
}

int LinkMonitor::fd() const { return mnl_socket_get_fd(socket_.get()); }

bool LinkMonitor::drain() {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  bool changed = false;
  while (true) {
    ssize_t received = mnl_socket_recvfrom(socket_.get(), buffer.data(), buffer.size());
    if (received < 0) {
      // ENOBUFS: the kernel dropped events, so the caller must re-read everything.
      return changed || errno == ENOBUFS;
    }
    const auto* header = reinterpret_cast<const nlmsghdr*>(buffer.data());
    for (auto left = static_cast<int>(received); mnl_nlmsg_ok(header, left);
         header = mnl_nlmsg_next(header, &left)) {
      if (header->nlmsg_type == RTM_NEWLINK || header->nlmsg_type == RTM_DELLINK) {
        changed = true;
      }
    }
  }
}

}  // namespace csflowd::net
