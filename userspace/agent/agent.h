// The csflowd agent: one thread, one epoll loop, every source wired to the datagram builder.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "agent/interfaces.h"
#include "agent/poll_schedule.h"
#include "cli/settings.h"
#include "common/log.h"
#include "counters/host.h"
#include "datapath/sampler.h"
#include "net/link_monitor.h"
#include "sflow/collector.h"
#include "sflow/datagram.h"

namespace csflowd::agent {

class ContainerTracker;

class Agent {
 public:
  // Loads the BPF sampler, opens the sockets and attaches to the selected interfaces.
  // Failures here are fatal start-up errors.
  static Result<std::unique_ptr<Agent>> create(const cli::Settings& settings);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Runs until SIGINT or SIGTERM, then sends what is pending and detaches. Returns the
  // process exit status.
  int run();

 private:
  explicit Agent(const cli::Settings& settings);
  Status open_sources();
  Status open_export();
  Status open_datapath();
  void drain_ring();
  Status start_loop();
  void reconcile_interfaces();
  void watch(const net::Link& link);
  void on_sample(const datapath::SampleView& view);
  void on_tick();
  void poll_counters(uint64_t now_s);
  void send_interface_counters(WatchedInterface& watched, const LinkSpeed& speed);
  void send_host_counters();
  void send(const sflow::FlowSample& sample);
  void send(const sflow::CounterSample& sample);
  uint32_t uptime_ms() const;
  uint64_t uptime_s() const;
  void log_drops();

  cli::Settings settings_;
  counters::HostPaths host_paths_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::unique_ptr<datapath::Sampler> sampler_;
  std::optional<net::LinkMonitor> link_monitor_;
  std::optional<sflow::UdpSender> sender_;
  std::unique_ptr<sflow::DatagramBuilder> builder_;
  std::unique_ptr<ContainerTracker> containers_;
  std::map<int, WatchedInterface> interfaces_;  // by ifindex
  std::vector<net::Link> links_;                // last interface list read
  PollSchedule schedule_;
  uint32_t host_sequence_ = 0;
  std::optional<std::array<uint8_t, 16>> host_uuid_;
  datapath::AttachMode attach_mode_ = datapath::AttachMode::kAuto;
  uint64_t batch_ = 0;
  uint64_t realtime_offset_ns_ = 0;
  uint64_t reported_drops_ = 0;
  RateLimiter drop_warnings_{1, std::chrono::seconds(10)};
  RateLimiter send_warnings_{5, std::chrono::seconds(60)};
  int epoll_fd_ = -1;
  int signal_fd_ = -1;
  int timer_fd_ = -1;
};

}  // namespace csflowd::agent
