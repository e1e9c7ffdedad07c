// A thread that does the slow container work: Docker API calls and /proc scans.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "containers/cgroup_scan.h"
#include "containers/docker_client.h"
#include "containers/docker_json.h"

namespace csflowd::agent {

// One result handed from the worker to the agent's loop: a full snapshot (Docker's
// running containers plus a cgroup scan), or one Docker event with the inspect reply it
// needs.
struct ContainerUpdate {
  bool is_snapshot = false;
  Result<std::vector<containers::ContainerInfo>> docker = plain_error("Docker not asked");
  containers::ScanResult scan;
  containers::DockerEvent event;
  std::optional<Result<containers::ContainerInfo>> inspected;
};

// Runs the Docker client and the process scan on its own thread, so a slow or absent
// Docker engine never stalls sampling. Results arrive through a queue; fd() becomes
// readable when some wait.
class ContainerWorker {
 public:
  ContainerWorker(std::optional<containers::DockerOptions> docker, std::string proc_root,
                  std::chrono::seconds rescan_interval);
  ~ContainerWorker();
  ContainerWorker(const ContainerWorker&) = delete;
  ContainerWorker& operator=(const ContainerWorker&) = delete;

  Status start();
  void stop();
  [[nodiscard]] int fd() const { return ready_fd_; }
  std::vector<ContainerUpdate> drain();

 private:
  void run();
  void push(ContainerUpdate update);
  void push_snapshot();
  void handle_events();

  std::optional<containers::DockerOptions> docker_options_;
  std::optional<containers::DockerClient> client_;
  std::optional<containers::DockerEventStream> events_;
  std::string proc_root_;
  std::chrono::seconds rescan_interval_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  int ready_fd_ = -1;
  int wake_fd_ = -1;
  std::mutex mutex_;
  std::deque<ContainerUpdate> queue_;
};

}  // namespace csflowd::agent
