// Attaching the sampler's programs to an interface with the classic tc clsact hook.
#pragma once

#include <string>

#include "common/result.h"

namespace csflowd::datapath {

// tc filter handle and priority that mark csflowd's filters. A filter found at this
// handle and priority that runs a program named sflow_ingress/sflow_egress is a leftover
// of an earlier csflowd and is replaced; any other program there is left alone.
inline constexpr unsigned kFilterHandle = 0x5f10;
inline constexpr unsigned kFilterPriority = 0x5f10;

// Both programs attached to one interface. Destroying it detaches them; the clsact qdisc
// is deleted only if this object created it and no other filter remains on it.
class TcAttachment {
 public:
  static Result<TcAttachment> attach(int ifindex, std::string name, int ingress_fd, int egress_fd);

  TcAttachment(TcAttachment&& other) noexcept;
  TcAttachment& operator=(TcAttachment&& other) noexcept;
  TcAttachment(const TcAttachment&) = delete;
  TcAttachment& operator=(const TcAttachment&) = delete;
  ~TcAttachment();

  [[nodiscard]] int ifindex() const { return ifindex_; }
  [[nodiscard]] const std::string& name() const { return name_; }

  // Detaches now, logging what could not be removed. Safe to call more than once.
  void detach();

 private:
  // detach() for destructors and moves, which must not throw.
  void detach_noexcept() noexcept;

 public:
 private:
  TcAttachment(int ifindex, std::string name, bool created_qdisc)
      : ifindex_(ifindex), name_(std::move(name)), created_qdisc_(created_qdisc) {}

  int ifindex_ = 0;
  std::string name_;
  bool created_qdisc_ = false;
  bool ingress_attached_ = false;
  bool egress_attached_ = false;
};

// Counts the tc filters on ifindex under the clsact ingress or egress parent.
Result<int> count_tc_filters(int ifindex, bool egress);

}  // namespace csflowd::datapath
