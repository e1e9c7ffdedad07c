// Docker Engine API client over the unix socket, on libcurl.
//
// DockerClient makes blocking requests, each bounded by a timeout of a few seconds; a
// missing socket fails at once. DockerEventStream follows GET /events on its own thread
// and hands events to the owner's loop through a queue and an eventfd.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"
#include "containers/docker_json.h"

namespace csflowd::containers {

struct DockerOptions {
  std::string socket_path = "/var/run/docker.sock";
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds request_timeout{3000};  // whole request, for list and inspect
};

class DockerClient {
 public:
  explicit DockerClient(DockerOptions options = {});

  // GET /containers/json: running and paused containers.
  Result<std::vector<ListedContainer>> list_running() const;
  // GET /containers/<id>/json.
  Result<ContainerInfo> inspect(std::string_view id) const;
  // Lists the running containers and inspects each. A container that fails to inspect
  // (it may have gone in between) is left out and logged at debug level.
  Result<std::vector<ContainerInfo>> inspect_running() const;

  [[nodiscard]] const DockerOptions& options() const { return options_; }

 private:
  Result<std::string> get(const std::string& path) const;

  DockerOptions options_;
};

// Follows the container events stream on a worker thread. Reconnects with a backoff of
// 0.5 s doubling to 30 s while Docker is absent, and queues kStreamConnected after each
// successful (re)connection.
class DockerEventStream {
 public:
  explicit DockerEventStream(DockerOptions options = {});
  ~DockerEventStream();
  DockerEventStream(const DockerEventStream&) = delete;
  DockerEventStream& operator=(const DockerEventStream&) = delete;

  // Creates the eventfd and starts the worker.
  Status start();
  // Stops the worker and waits for it; returns within about 100 ms. Safe to call twice.
  void stop();

  // Non-blocking eventfd that is readable while events are queued; -1 before start().
  [[nodiscard]] int fd() const { return event_fd_; }
  // Takes every queued event and clears the eventfd.
  std::vector<DockerEvent> drain();

 private:
  void run();
  bool follow_once();  // returns true when the stream was connected at some point
  void push(DockerEvent event);
  void wait_backoff(std::chrono::milliseconds delay);

  friend struct EventStreamCallbacks;

  DockerOptions options_;
  int event_fd_ = -1;
  std::atomic<bool> stopping_{false};
  void* multi_ = nullptr;  // CURLM*, created in start(); curl_multi_wakeup() interrupts it
  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<DockerEvent> queue_;
};

}  // namespace csflowd::containers
