#include "agent/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <utility>

namespace csflowd::agent {
namespace {

std::string read_holder(int fd) {
  std::array<char, 32> buffer{};
  ssize_t length = pread(fd, buffer.data(), buffer.size() - 1, 0);
  std::string text(buffer.data(), length > 0 ? static_cast<size_t>(length) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  return text.empty() ? "unknown" : text;
}

}  // namespace

Result<InstanceLock> InstanceLock::acquire(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return errno_error("failed to open the lock file '" + path + "'");
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    std::string holder = read_holder(fd);
    close(fd);
    if (saved == EWOULDBLOCK) {
      return plain_error("another csflowd is running (pid " + holder + ", lock file '" + path +
                         "'); stop it, or give this one another --lock-file");
    }
    return make_error(saved, "failed to lock '" + path + "'");
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The lock holds without the pid; only the message to a second instance loses it.
  }
  return InstanceLock(fd);
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

}  // namespace csflowd::agent
