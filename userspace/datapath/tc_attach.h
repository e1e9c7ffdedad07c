// Attaching the sampler's programs to an interface: tcx links where the kernel has them
// (6.6 and later), else classic tc filters on a clsact qdisc.
#pragma once

#include <string>

#include "common/result.h"

namespace csflowd::datapath {

// tc filter handle and priority that mark csflowd's classic filters. A filter at this handle
// and priority that runs a program named sflow_ingress or sflow_egress is a leftover of an
// earlier csflowd, so it is replaced. A filter there that runs any other program is kept.
inline constexpr unsigned kFilterHandle = 0x5f10;
inline constexpr unsigned kFilterPriority = 0x5f10;

enum class AttachMode {
  kAuto,     // tcx when the kernel supports it, else classic tc
  kTcx,      // tcx links only: they are released when the process exits, even on SIGKILL
  kClassic,  // clsact qdisc + cls_bpf filters
};

// Parses "auto", "tcx" or "tc".
Result<AttachMode> parse_attach_mode(const std::string& text);

// Both programs attached to one interface. Destroying it detaches them. In classic mode
// the clsact qdisc is deleted only if this object created it and no other filter remains.
class TcAttachment {
 public:
  static Result<TcAttachment> attach(int ifindex, std::string name, int ingress_fd, int egress_fd,
                                     AttachMode mode = AttachMode::kAuto);

  TcAttachment(TcAttachment&& other) noexcept;
  TcAttachment& operator=(TcAttachment&& other) noexcept;
  TcAttachment(const TcAttachment&) = delete;
  TcAttachment& operator=(const TcAttachment&) = delete;
  ~TcAttachment();

  [[nodiscard]] int ifindex() const { return ifindex_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] bool uses_tcx() const { return ingress_link_fd_ >= 0 || egress_link_fd_ >= 0; }

  // Detaches now, logging what could not be removed. Safe to call more than once.
  void detach();

 private:
  TcAttachment(int ifindex, std::string name) : ifindex_(ifindex), name_(std::move(name)) {}
  static Result<TcAttachment> attach_tcx(int ifindex, std::string name, int ingress_fd,
                                         int egress_fd);
  static Result<TcAttachment> attach_classic(int ifindex, std::string name, int ingress_fd,
                                             int egress_fd);
  void detach_classic();
  // detach() for destructors and moves, which must not throw.
  void detach_noexcept() noexcept;

  int ifindex_ = 0;
  std::string name_;
  int ingress_link_fd_ = -1;  // tcx links
  int egress_link_fd_ = -1;
  bool created_qdisc_ = false;  // classic filters and their qdisc
  bool ingress_attached_ = false;
  bool egress_attached_ = false;
};

// Counts the classic tc filters (distinct priorities) on ifindex under the clsact ingress or
// egress parent.
Result<int> count_tc_filters(int ifindex, bool egress);

}  // namespace csflowd::datapath
