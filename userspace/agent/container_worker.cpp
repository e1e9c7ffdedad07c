#include "agent/container_worker.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace csflowd::agent {
namespace {

void signal_fd(int fd) {
  uint64_t one = 1;
  (void)!write(fd, &one, sizeof(one));
}

void clear_fd(int fd) {
  uint64_t value = 0;
  (void)!read(fd, &value, sizeof(value));
}

bool needs_inspect(containers::EventAction action) {
  using containers::EventAction;
  return action == EventAction::kStart || action == EventAction::kRename ||
         action == EventAction::kUnpause;
}

}  // namespace

ContainerWorker::ContainerWorker(std::optional<containers::DockerOptions> docker,
                                 std::string proc_root, std::chrono::seconds rescan_interval)
    : docker_options_(std::move(docker)),
      proc_root_(std::move(proc_root)),
      rescan_interval_(rescan_interval) {
  ready_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

ContainerWorker::~ContainerWorker() {
  stop();
  for (int fd : {ready_fd_, wake_fd_}) {
    if (fd >= 0) {
      close(fd);
    }
  }
}

Status ContainerWorker::start() {
  if (ready_fd_ < 0 || wake_fd_ < 0) {
    return errno_error("failed to create the container worker's eventfds");
  }
  if (docker_options_) {
    client_.emplace(*docker_options_);
    events_.emplace(*docker_options_);
    if (auto status = events_->start(); !status) {
      return status;
    }
  }
  thread_ = std::thread([this] { run(); });
  return {};
}

void ContainerWorker::stop() {
  if (!thread_.joinable()) {
    return;
  }
  stopping_ = true;
  signal_fd(wake_fd_);
  thread_.join();
  if (events_) {
    events_->stop();
  }
}

std::vector<ContainerUpdate> ContainerWorker::drain() {
  clear_fd(ready_fd_);
  std::lock_guard lock(mutex_);
  std::vector<ContainerUpdate> updates(std::make_move_iterator(queue_.begin()),
                                       std::make_move_iterator(queue_.end()));
  queue_.clear();
  return updates;
}

void ContainerWorker::push(ContainerUpdate update) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(update));
  }
  signal_fd(ready_fd_);
}

void ContainerWorker::push_snapshot() {
  ContainerUpdate update;
  update.is_snapshot = true;
  if (client_) {
    update.docker = client_->inspect_running();
  }
  auto scan = containers::scan_processes(proc_root_);
  if (scan) {
    update.scan = std::move(*scan);
  } else {
    spdlog::warn("container scan failed: {}", scan.error().message());
  }
  push(std::move(update));
}

void ContainerWorker::handle_events() {
  bool resync = false;
  for (auto& event : events_->drain()) {
    if (event.action == containers::EventAction::kStreamConnected) {
      resync = true;
      continue;
    }
    ContainerUpdate update;
    if (needs_inspect(event.action)) {
      update.inspected = client_->inspect(event.id);
    }
    update.event = std::move(event);
    push(std::move(update));
  }
  if (resync) {
    push_snapshot();
  }
}

void ContainerWorker::run() {
  auto next_scan = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (std::chrono::steady_clock::now() >= next_scan) {
      push_snapshot();
      next_scan = std::chrono::steady_clock::now() + rescan_interval_;
    }
    std::vector<pollfd> fds{{wake_fd_, POLLIN, 0}};
    if (events_) {
      fds.push_back({events_->fd(), POLLIN, 0});
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_scan - std::chrono::steady_clock::now());
    poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(wait.count(), 0)));
    if (fds.size() > 1 && (fds[1].revents & POLLIN) != 0) {
      handle_events();
    }
  }
}

}  // namespace csflowd::agent
