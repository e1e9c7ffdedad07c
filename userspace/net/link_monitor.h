// Notification of interfaces appearing, changing or going away (RTMGRP_LINK).
#pragma once

#include <memory>

#include "common/result.h"

struct mnl_socket;

namespace csflowd::net {

// A non-blocking rtnetlink socket subscribed to link events. The owner polls fd() and
// calls drain() when it is readable; a true result means the interface list should be
// read again with list_links().
class LinkMonitor {
 public:
  static Result<LinkMonitor> open();

  [[nodiscard]] int fd() const;
  // Reads every queued message. Returns true when any link was added, changed or
  // removed, and also after a receive-buffer overrun (events may have been lost).
  bool drain();

 private:
  struct Closer {
    void operator()(mnl_socket* socket) const;
  };
  explicit LinkMonitor(mnl_socket* socket) : socket_(socket) {}
  std::unique_ptr<mnl_socket, Closer> socket_;
};

}  // namespace csflowd::net
