#include "datapath/tc_attach.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <spdlog/spdlog.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <set>
#include <utility>
#include <vector>

namespace csflowd::datapath {
namespace {

const char* program_name(bool egress) { return egress ? "sflow_egress" : "sflow_ingress"; }

bpf_tc_hook make_hook(int ifindex, bool egress) {
  bpf_tc_hook hook{};
  hook.sz = sizeof(hook);
  hook.ifindex = ifindex;
  hook.attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS;
  return hook;
}

bpf_tc_opts make_opts(int prog_fd) {
  bpf_tc_opts opts{};
  opts.sz = sizeof(opts);
  opts.handle = kFilterHandle;
  opts.priority = kFilterPriority;
  opts.prog_fd = prog_fd;
  return opts;
}

int discard_print(enum libbpf_print_level /*level*/, const char* /*format*/, va_list /*args*/) {
  return 0;
}

// Runs a libbpf call whose failure is an expected result (an empty filter slot, an existing
// qdisc), so that libbpf does not log the kernel's error message as a warning.
template <typename Call>
int quietly(Call call) {
  libbpf_print_fn_t previous = libbpf_set_print(discard_print);
  int err = call();
  libbpf_set_print(previous);
  return err;
}

// Returns the name of the program in our filter slot, or "" when the slot is free.
std::string program_in_slot(const bpf_tc_hook& hook) {
  bpf_tc_opts query = make_opts(0);
  int err = quietly([&] { return bpf_tc_query(&hook, &query); });
  if (err != 0) {
    return "";
  }
  int fd = bpf_prog_get_fd_by_id(query.prog_id);
  if (fd < 0) {
    return "?";
  }
  bpf_prog_info info{};
  uint32_t length = sizeof(info);
  std::string name = "?";
  if (bpf_obj_get_info_by_fd(fd, &info, &length) == 0) {
    name = info.name;
  }
  close(fd);
  return name;
}

Status attach_one(int ifindex, const std::string& name, bool egress, int prog_fd) {
  bpf_tc_hook hook = make_hook(ifindex, egress);
  std::string existing = program_in_slot(hook);
  if (!existing.empty() && existing != program_name(egress)) {
    return make_error(EBUSY, "failed to attach '" + std::string(program_name(egress)) + "' to '" +
                                 name + "': tc handle 0x5f10 is used by program '" + existing +
                                 "'");
  }
  bpf_tc_opts opts = make_opts(prog_fd);
  opts.flags = existing.empty() ? 0 : BPF_TC_F_REPLACE;
  if (int err = bpf_tc_attach(&hook, &opts); err != 0) {
    std::string context =
        "failed to attach '" + std::string(program_name(egress)) + "' to '" + name + "'";
    if (err == -EEXIST) {
      context += ": another tc filter (not BPF) uses handle 0x5f10 priority 0x5f10";
    }
    return make_error(err, context);
  }
  if (!existing.empty()) {
    spdlog::info("replaced a leftover '{}' filter on '{}'", program_name(egress), name);
  }
  return {};
}

void detach_one(int ifindex, const std::string& name, bool egress) {
  bpf_tc_hook hook = make_hook(ifindex, egress);
  bpf_tc_opts opts = make_opts(0);
  int err = quietly([&] { return bpf_tc_detach(&hook, &opts); });
  if (err == -ENODEV || err == -ENOENT || err == -EINVAL) {
    spdlog::debug("'{}' on '{}' is already gone", program_name(egress), name);
  } else if (err != 0) {
    spdlog::warn("{}", make_error(err, "failed to detach '" + std::string(program_name(egress)) +
                                           "' from '" + name + "'")
                           .message());
  }
}

// Attach types of tcx (Linux 6.6), missing from older UAPI headers such as Debian 12's.
constexpr uint32_t kTcxIngress = 46;  // BPF_TCX_INGRESS
constexpr uint32_t kTcxEgress = 47;   // BPF_TCX_EGRESS

// Creates a tcx link with the raw bpf() call, because libbpf 1.1 predates tcx. Returns the
// link fd; EINVAL means the kernel does not know the attach type.
Result<int> create_tcx_link(int prog_fd, int ifindex, bool egress) {
  union bpf_attr attr {};
  attr.link_create.prog_fd = static_cast<uint32_t>(prog_fd);
  attr.link_create.target_ifindex = static_cast<uint32_t>(ifindex);
  attr.link_create.attach_type = static_cast<bpf_attach_type>(egress ? kTcxEgress : kTcxIngress);
  long fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
  if (fd < 0) {
    return errno_error("failed to create a tcx link");
  }
  return static_cast<int>(fd);
}

// Removes a classic filter of an earlier csflowd from our slot, leaving any other alone.
void remove_leftover_filter(int ifindex, const std::string& name, bool egress) {
  bpf_tc_hook hook = make_hook(ifindex, egress);
  if (program_in_slot(hook) == program_name(egress)) {
    spdlog::info("removed a leftover '{}' tc filter from '{}'", program_name(egress), name);
    detach_one(ifindex, name, egress);
  }
}

// Collects the priority of each filter in a dump. A dump has one message per filter
// priority and more per handle (u32 adds its hash tables), so priorities are what count.
int count_filter_message(const nlmsghdr* header, void* data) {
  if (header->nlmsg_type == RTM_NEWTFILTER) {
    const auto* tc = static_cast<const tcmsg*>(mnl_nlmsg_get_payload(header));
    static_cast<std::set<uint32_t>*>(data)->insert(TC_H_MAJ(tc->tcm_info) >> 16);
  }
  return MNL_CB_OK;
}

}  // namespace

Result<AttachMode> parse_attach_mode(const std::string& text) {
  if (text == "auto") return AttachMode::kAuto;
  if (text == "tcx") return AttachMode::kTcx;
  if (text == "tc") return AttachMode::kClassic;
  return plain_error("invalid attach mode '" + text + "': expected auto, tcx or tc");
}

Result<TcAttachment> TcAttachment::attach(int ifindex, std::string name, int ingress_fd,
                                          int egress_fd, AttachMode mode) {
  // Set once the kernel has rejected a tcx link as an unknown attach type (before 6.6).
  static bool tcx_unsupported = false;
  if (mode == AttachMode::kClassic || (mode == AttachMode::kAuto && tcx_unsupported)) {
    return attach_classic(ifindex, std::move(name), ingress_fd, egress_fd);
  }
  auto attached = attach_tcx(ifindex, name, ingress_fd, egress_fd);
  if (attached || mode == AttachMode::kTcx || attached.error().code != EINVAL) {
    return attached;
  }
  spdlog::info("this kernel has no tcx; attaching with classic tc filters on clsact");
  tcx_unsupported = true;
  return attach_classic(ifindex, std::move(name), ingress_fd, egress_fd);
}

Result<TcAttachment> TcAttachment::attach_tcx(int ifindex, std::string name, int ingress_fd,
                                              int egress_fd) {
  TcAttachment attachment(ifindex, std::move(name));
  auto ingress = create_tcx_link(ingress_fd, ifindex, false);
  if (!ingress) {
    return make_error(ingress.error().code,
                      "failed to attach 'sflow_ingress' to '" + attachment.name_ + "' with tcx");
  }
  attachment.ingress_link_fd_ = *ingress;
  auto egress = create_tcx_link(egress_fd, ifindex, true);
  if (!egress) {
    return make_error(egress.error().code,
                      "failed to attach 'sflow_egress' to '" + attachment.name_ + "' with tcx");
  }
  attachment.egress_link_fd_ = *egress;
  // A classic filter left by a csflowd that was killed would sample every packet twice.
  remove_leftover_filter(ifindex, attachment.name_, false);
  remove_leftover_filter(ifindex, attachment.name_, true);
  return attachment;
}

Result<TcAttachment> TcAttachment::attach_classic(int ifindex, std::string name, int ingress_fd,
                                                  int egress_fd) {
  bpf_tc_hook hook = make_hook(ifindex, false);
  hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
  int err = quietly([&] { return bpf_tc_hook_create(&hook); });
  if (err != 0 && err != -EEXIST) {
    return make_error(err, "failed to create the clsact qdisc on '" + name + "'");
  }
  TcAttachment attachment(ifindex, std::move(name));
  attachment.created_qdisc_ = err == 0;
  if (auto status = attach_one(ifindex, attachment.name_, false, ingress_fd); !status) {
    return status.error();  // the destructor removes what was created
  }
  attachment.ingress_attached_ = true;
  if (auto status = attach_one(ifindex, attachment.name_, true, egress_fd); !status) {
    return status.error();
  }
  attachment.egress_attached_ = true;
  return attachment;
}

TcAttachment::TcAttachment(TcAttachment&& other) noexcept
    : ifindex_(other.ifindex_),
      name_(std::move(other.name_)),
      ingress_link_fd_(std::exchange(other.ingress_link_fd_, -1)),
      egress_link_fd_(std::exchange(other.egress_link_fd_, -1)),
      created_qdisc_(std::exchange(other.created_qdisc_, false)),
      ingress_attached_(std::exchange(other.ingress_attached_, false)),
      egress_attached_(std::exchange(other.egress_attached_, false)) {}

TcAttachment& TcAttachment::operator=(TcAttachment&& other) noexcept {
  if (this != &other) {
    detach_noexcept();
    ifindex_ = other.ifindex_;
    name_ = std::move(other.name_);
    ingress_link_fd_ = std::exchange(other.ingress_link_fd_, -1);
    egress_link_fd_ = std::exchange(other.egress_link_fd_, -1);
    created_qdisc_ = std::exchange(other.created_qdisc_, false);
    ingress_attached_ = std::exchange(other.ingress_attached_, false);
    egress_attached_ = std::exchange(other.egress_attached_, false);
  }
  return *this;
}

TcAttachment::~TcAttachment() { detach_noexcept(); }

void TcAttachment::detach_noexcept() noexcept {
  try {
    detach();
  } catch (...) {
    // Only logging can throw here (allocation); the kernel objects were already released.
    std::fputs("csflowd: failed to log a detach\n", stderr);
  }
}

void TcAttachment::detach() {
  // Closing a tcx link detaches its program: the kernel holds no other reference to it.
  for (int* fd : {&ingress_link_fd_, &egress_link_fd_}) {
    if (*fd >= 0) {
      close(*fd);
      *fd = -1;
    }
  }
  detach_classic();
}

void TcAttachment::detach_classic() {
  if (ingress_attached_) {
    detach_one(ifindex_, name_, false);
    ingress_attached_ = false;
  }
  if (egress_attached_) {
    detach_one(ifindex_, name_, true);
    egress_attached_ = false;
  }
  if (!created_qdisc_) {
    return;
  }
  created_qdisc_ = false;
  auto ingress = count_tc_filters(ifindex_, false);
  auto egress = count_tc_filters(ifindex_, true);
  if (!ingress || !egress) {
    return;  // the interface is gone, and its qdisc with it
  }
  if (*ingress + *egress > 0) {
    spdlog::info("kept the clsact qdisc on '{}': another program added {} filter(s) to it", name_,
                 *ingress + *egress);
    return;
  }
  bpf_tc_hook hook = make_hook(ifindex_, false);
  hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
  if (int err = bpf_tc_hook_destroy(&hook); err != 0 && err != -ENODEV && err != -ENOENT) {
    spdlog::warn("{}",
                 make_error(err, "failed to delete the clsact qdisc on '" + name_ + "'").message());
  }
}

Result<int> count_tc_filters(int ifindex, bool egress) {
  std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> socket(mnl_socket_open(NETLINK_ROUTE),
                                                           mnl_socket_close);
  if (!socket || mnl_socket_bind(socket.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return errno_error("failed to open an rtnetlink socket");
  }
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* request = mnl_nlmsg_put_header(buffer.data());
  request->nlmsg_type = RTM_GETTFILTER;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  auto sequence = static_cast<unsigned>(time(nullptr));
  request->nlmsg_seq = sequence;
  auto* tc = static_cast<tcmsg*>(mnl_nlmsg_put_extra_header(request, sizeof(tcmsg)));
  tc->tcm_family = AF_UNSPEC;
  tc->tcm_ifindex = ifindex;
  tc->tcm_parent = TC_H_MAKE(TC_H_CLSACT, egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);
  if (mnl_socket_sendto(socket.get(), request, request->nlmsg_len) < 0) {
    return errno_error("failed to request the tc filters");
  }
  std::set<uint32_t> priorities;
  unsigned port = mnl_socket_get_portid(socket.get());
  while (true) {
    ssize_t received = mnl_socket_recvfrom(socket.get(), buffer.data(), buffer.size());
    if (received < 0) {
      return errno_error("failed to read the tc filters");
    }
    int status =
        mnl_cb_run(buffer.data(), received, sequence, port, count_filter_message, &priorities);
    if (status < 0) {
      return errno_error("failed to read the tc filters");
    }
    if (status == MNL_CB_STOP) {
      return static_cast<int>(priorities.size());
    }
  }
}

}  // namespace csflowd::datapath
