// A lock file that keeps a second csflowd from running on the same host.
#pragma once

#include <string>

#include "common/result.h"

namespace csflowd::agent {

// Exclusive flock() on a file for the life of the process. The kernel releases a flock
// when the process exits, also after SIGKILL, so a file left behind does not block a restart.
class InstanceLock {
 public:
  // Takes the lock, or fails naming the pid written in the file by the holder.
  static Result<InstanceLock> acquire(const std::string& path);

  InstanceLock(InstanceLock&& other) noexcept;
  InstanceLock& operator=(InstanceLock&& other) = delete;
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  ~InstanceLock();

 private:
  explicit InstanceLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace csflowd::agent
