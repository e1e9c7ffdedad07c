#include "containers/netns.h"

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

namespace csflowd::containers {
namespace {

struct SocketDeleter {
  void operator()(mnl_socket* socket) const { mnl_socket_close(socket); }
};
using NetlinkSocket = std::unique_ptr<mnl_socket, SocketDeleter>;

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

Result<NetlinkSocket> open_rtnetlink() {
  NetlinkSocket socket(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC));
  if (!socket) {
    return errno_error("failed to open an rtnetlink socket");
  }
  if (mnl_socket_bind(socket.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return errno_error("failed to bind an rtnetlink socket");
  }
  return socket;
}

nlmsghdr* start_nsid_message(char* buffer, uint16_t type, uint16_t flags, int ns_fd) {
  nlmsghdr* header = mnl_nlmsg_put_header(buffer);
  header->nlmsg_type = type;
  header->nlmsg_flags = NLM_F_REQUEST | flags;
  header->nlmsg_seq = 1;
  auto* family = static_cast<rtgenmsg*>(mnl_nlmsg_put_extra_header(header, sizeof(rtgenmsg)));
  family->rtgen_family = AF_UNSPEC;
  mnl_attr_put_u32(header, NETNSA_FD, static_cast<uint32_t>(ns_fd));
  return header;
}

// Sends one request and runs callback over the reply until the kernel's ack or dump end.
Status transact(mnl_socket* socket, nlmsghdr* request, mnl_cb_t callback, void* data,
                const std::string& what) {
  if (mnl_socket_sendto(socket, request, request->nlmsg_len) < 0) {
    return errno_error("failed to send " + what);
  }
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  unsigned port = mnl_socket_get_portid(socket);
  int result = MNL_CB_OK;
  while (result > MNL_CB_STOP) {
    ssize_t length = mnl_socket_recvfrom(socket, buffer.data(), buffer.size());
    if (length < 0) {
      return errno_error("failed to receive the reply to " + what);
    }
    result = mnl_cb_run(buffer.data(), static_cast<size_t>(length), request->nlmsg_seq, port,
                        callback, data);
    if (result < 0) {
      return errno_error(what + " failed");
    }
  }
  return {};
}

int on_nsid_attribute(const nlattr* attribute, void* data) {
  if (mnl_attr_get_type(attribute) == NETNSA_NSID &&
      mnl_attr_validate(attribute, MNL_TYPE_U32) >= 0) {
    *static_cast<int*>(data) = static_cast<int>(mnl_attr_get_u32(attribute));
  }
  return MNL_CB_OK;
}

int on_nsid_reply(const nlmsghdr* header, void* data) {
  if (mnl_attr_parse(header, sizeof(rtgenmsg), on_nsid_attribute, data) < 0) {
    return MNL_CB_ERROR;
  }
  // The kernel replies to RTM_GETNSID with one message and no ack, so the exchange ends here.
  return MNL_CB_STOP;
}

Result<int> query_nsid(mnl_socket* socket, int ns_fd) {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* request = start_nsid_message(buffer.data(), RTM_GETNSID, 0, ns_fd);
  int nsid = NETNSA_NSID_NOT_ASSIGNED;
  if (auto status = transact(socket, request, on_nsid_reply, &nsid, "RTM_GETNSID"); !status) {
    return status.error();
  }
  return nsid;
}

// NETNSA_NSID = -1 lets the kernel pick the lowest free id. EEXIST means another process
// assigned one in between, which is as good.
Status assign_nsid(mnl_socket* socket, int ns_fd) {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* request = start_nsid_message(buffer.data(), RTM_NEWNSID, NLM_F_ACK, ns_fd);
  mnl_attr_put_u32(request, NETNSA_NSID, static_cast<uint32_t>(NETNSA_NSID_NOT_ASSIGNED));
  Status status = transact(socket, request, nullptr, nullptr, "RTM_NEWNSID");
  if (!status && status.error().code != EEXIST) {
    return status;
  }
  return {};
}

Result<bool> same_netns_as_self(int ns_fd) {
  struct stat theirs {};
  struct stat ours {};
  if (fstat(ns_fd, &theirs) != 0 || stat("/proc/self/ns/net", &ours) != 0) {
    return errno_error("failed to stat network namespaces");
  }
  return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

}  // namespace

Result<std::optional<int>> netns_id_for_pid(int pid, const std::string& proc_root) {
  std::string path = proc_root + "/" + std::to_string(pid) + "/ns/net";
  FileDescriptor ns_fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (ns_fd.get() < 0) {
    return errno_error("failed to open '" + path + "'");
  }
  auto same = same_netns_as_self(ns_fd.get());
  if (!same) {
    return same.error();
  }
  if (*same) {
    return std::optional<int>();
  }

  auto socket = open_rtnetlink();
  if (!socket) {
    return socket.error();
  }
  auto nsid = query_nsid(socket->get(), ns_fd.get());
  if (nsid && *nsid == NETNSA_NSID_NOT_ASSIGNED) {
    if (auto status = assign_nsid(socket->get(), ns_fd.get()); !status) {
      return Error{status.error().code, status.error().context + " for '" + path + "'"};
    }
    nsid = query_nsid(socket->get(), ns_fd.get());
  }
  if (!nsid) {
    return Error{nsid.error().code, nsid.error().context + " for '" + path + "'"};
  }
  if (*nsid < 0) {
    return plain_error("kernel assigned no netns id to '" + path + "'");
  }
  return std::optional<int>(*nsid);
}

std::vector<int> host_veths_for(int netnsid, const std::vector<net::Link>& links) {
  std::vector<int> ifindexes;
  for (const net::Link& link : links) {
    if (link.is_host_side_veth() && link.link_netnsid == netnsid) {
      ifindexes.push_back(link.ifindex);
    }
  }
  return ifindexes;
}

}  // namespace csflowd::containers
