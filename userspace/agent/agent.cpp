#include "agent/agent.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <ctime>

#include "agent/agent_address.h"
#include "agent/containers.h"
#include "agent/flow_samples.h"
#include "agent/host_sample.h"

namespace csflowd::agent {
namespace {

enum EventSource : uint32_t { kSignal, kTimer, kRing, kLinks, kContainers };

sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);  // a closed terminal stops csflowd cleanly too
  return signals;
}

uint64_t realtime_minus_monotonic_ns() {
  timespec real{};
  timespec mono{};
  clock_gettime(CLOCK_REALTIME, &real);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  auto ns = [](const timespec& t) {
    return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ULL + static_cast<uint64_t>(t.tv_nsec);
  };
  return ns(real) - ns(mono);
}

Status add_to_epoll(int epoll_fd, int fd, EventSource source, const char* description) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u32 = source;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
    return errno_error(std::string("failed to watch ") + description);
  }
  return {};
}

Result<sflow::Address> resolve_agent_address(const cli::Settings& settings) {
  if (settings.agent_address) {
    return parse_address(*settings.agent_address);
  }
  auto addresses = list_host_addresses();
  if (!addresses) {
    return addresses.error();
  }
  auto chosen = choose_agent_address(*addresses);
  if (!chosen) {
    return chosen.error();
  }
  spdlog::info("agent address {} (from '{}'); set --agent-address to choose another",
               format_address(chosen->address), chosen->interface);
  return chosen->address;
}

Result<sflow::UdpSender> open_sender(const cli::Settings& settings) {
  std::vector<sflow::CollectorAddress> collectors;
  for (const auto& text : settings.collectors) {
    auto parsed = sflow::parse_collector(text);
    if (!parsed) {
      return parsed.error();
    }
    spdlog::info("sending to collector {}", parsed->to_string());
    collectors.push_back(std::move(*parsed));
  }
  return sflow::UdpSender::create(std::move(collectors));
}

}  // namespace

Agent::Agent(const cli::Settings& settings)
    : settings_(settings), schedule_(settings.polling_interval_s) {
  host_paths_.proc_root = settings.proc_root;
  host_paths_.sys_root = settings.sys_root;
}

Agent::~Agent() {
  interfaces_.clear();  // detach before the programs are unloaded
  for (int fd : {timer_fd_, signal_fd_, epoll_fd_}) {
    if (fd >= 0) {
      close(fd);
    }
  }
}

Result<std::unique_ptr<Agent>> Agent::create(const cli::Settings& settings) {
  // Blocked before any thread starts, so every thread inherits the mask and the signals
  // reach only the loop's signalfd instead of killing the process.
  sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::unique_ptr<Agent> agent(new Agent(settings));
  if (auto status = agent->open_sources(); !status) {
    return status.error();
  }
  if (auto status = agent->start_loop(); !status) {
    return status.error();
  }
  agent->reconcile_interfaces();
  return agent;
}

Status Agent::open_sources() {
  if (auto status = open_export(); !status) {
    return status;
  }
  if (auto status = open_datapath(); !status) {
    return status;
  }
  containers_ = std::make_unique<ContainerTracker>(
      settings_, host_paths_, schedule_,
      [this](const sflow::CounterSample& sample) { send(sample); });
  return containers_->start();
}

Status Agent::open_export() {
  if (settings_.host_uuid) {
    auto uuid = parse_uuid(*settings_.host_uuid);
    if (!uuid) {
      return uuid.error();
    }
    host_uuid_ = *uuid;
  }
  auto address = resolve_agent_address(settings_);
  if (!address) {
    return address.error();
  }
  auto sender = open_sender(settings_);
  if (!sender) {
    return sender.error();
  }
  sender_.emplace(std::move(*sender));
  builder_ = std::make_unique<sflow::DatagramBuilder>(
      *address, settings_.sub_agent_id, settings_.datagram_bytes,
      [this](std::span<const uint8_t> datagram) { sender_->send(datagram); });
  return {};
}

Status Agent::open_datapath() {
  auto mode = datapath::parse_attach_mode(settings_.attach_mode);
  if (!mode) {
    return mode.error();
  }
  attach_mode_ = *mode;
  auto sampler = datapath::Sampler::load(
      {.header_bytes = settings_.header_bytes, .ring_bytes = settings_.ring_buffer_bytes});
  if (!sampler) {
    return sampler.error();
  }
  sampler_ = std::move(*sampler);
  auto status =
      sampler_->set_sample_handler([this](const datapath::SampleView& view) { on_sample(view); });
  if (!status) {
    return status;
  }
  auto monitor = net::LinkMonitor::open();
  if (!monitor) {
    return monitor.error();
  }
  link_monitor_.emplace(std::move(*monitor));
  return {};
}

Status Agent::start_loop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    return errno_error("failed to create the event loop");
  }
  sigset_t signals = stop_signals();
  signal_fd_ = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (signal_fd_ < 0 || timer_fd_ < 0) {
    return errno_error("failed to create the signal and timer descriptors");
  }
  itimerspec tick{{1, 0}, {1, 0}};
  timerfd_settime(timer_fd_, 0, &tick, nullptr);
  for (auto [fd, source, description] :
       {std::tuple{signal_fd_, kSignal, "signals"}, std::tuple{timer_fd_, kTimer, "the timer"},
        std::tuple{sampler_->ring_epoll_fd(), kRing, "the ring buffer"},
        std::tuple{link_monitor_->fd(), kLinks, "link events"}}) {
    if (auto status = add_to_epoll(epoll_fd_, fd, source, description); !status) {
      return status;
    }
  }
  if (int fd = containers_->event_fd(); fd >= 0) {
    return add_to_epoll(epoll_fd_, fd, kContainers, "container events");
  }
  return {};
}

void Agent::reconcile_interfaces() {
  auto links = net::list_links();
  if (!links) {
    spdlog::error("{}", links.error().message());
    return;
  }
  links_ = std::move(*links);
  std::map<int, const net::Link*> selected;
  for (const auto& link : links_) {
    if (is_selected(link, settings_.interfaces)) {
      selected[link.ifindex] = &link;
    }
  }
  for (auto it = interfaces_.begin(); it != interfaces_.end();) {
    auto found = selected.find(it->first);
    if (found == selected.end() || found->second->name != it->second.link.name) {
      spdlog::info("stopped sampling '{}' (ifindex {})", it->second.link.name, it->first);
      (void)sampler_->forget(it->first);
      schedule_.remove({sflow::DsClass::kIfIndex, static_cast<uint32_t>(it->first)});
      it = interfaces_.erase(it);
    } else {
      it->second.link = *found->second;
      ++it;
    }
  }
  for (const auto& [ifindex, link] : selected) {
    if (!interfaces_.contains(ifindex)) {
      watch(*link);
    }
  }
  containers_->update_links(links_);
}

void Agent::watch(const net::Link& link) {
  uint32_t rate = settings_.rate_for(link.name);
  if (auto status = sampler_->set_rate(link.ifindex, rate); !status) {
    spdlog::error("{}", status.error().message());
    return;
  }
  auto attachment =
      datapath::TcAttachment::attach(link.ifindex, link.name, sampler_->ingress_program_fd(),
                                     sampler_->egress_program_fd(), attach_mode_);
  if (!attachment) {
    spdlog::error("{}", attachment.error().message());
    (void)sampler_->forget(link.ifindex);
    return;
  }
  const char* hook = attachment->uses_tcx() ? "tcx" : "tc clsact";
  if (rate == 0) {
    spdlog::info("counting packets on '{}' (ifindex {}) with {}; sampling disabled (rate 0)",
                 link.name, link.ifindex, hook);
  } else {
    spdlog::info("sampling '{}' (ifindex {}) at 1 in {} with {}", link.name, link.ifindex, rate,
                 hook);
  }
  interfaces_.emplace(link.ifindex, WatchedInterface(link, rate, std::move(*attachment)));
  schedule_.add({sflow::DsClass::kIfIndex, static_cast<uint32_t>(link.ifindex)}, uptime_s());
}

void Agent::on_sample(const datapath::SampleView& view) {
  auto it = interfaces_.find(static_cast<int>(view.record->ifindex));
  if (it == interfaces_.end()) {
    return;  // taken just before the interface was dropped
  }
  WatchedInterface& watched = it->second;
  // Re-read the counters at each batch, and when this record was selected after the last
  // read: then its packet is in the pool that the sample reports.
  ++watched.samples_received;
  if (watched.counters_batch != batch_ || watched.samples_received > watched.counters.samples) {
    if (auto counters = sampler_->read_counters(watched.link.ifindex)) {
      watched.counters = *counters;
    }
    watched.counters_batch = batch_;
  }
  FlowContext context;
  context.sequence_number = ++watched.flow_sequence;
  context.counters = watched.counters;
  context.interface_is_bridge = watched.link.is_bridge();
  context.realtime_offset_ns = realtime_offset_ns_;
  context.header_only = settings_.header_only;
  containers_->fill_entities(*view.record, context);
  send(make_flow_sample(view, context));
}

void Agent::send(const sflow::FlowSample& sample) {
  if (auto status = builder_->add(sample, uptime_ms()); !status) {
    uint64_t suppressed = 0;
    if (send_warnings_.allow(suppressed)) {
      spdlog::warn("{} ({} similar messages suppressed)", status.error().message(), suppressed);
    }
  }
}

void Agent::send(const sflow::CounterSample& sample) {
  if (auto status = builder_->add(sample, uptime_ms()); !status) {
    uint64_t suppressed = 0;
    if (send_warnings_.allow(suppressed)) {
      spdlog::warn(
          "counter sample of data source {}:{} lost: {}; raise --datagram-bytes ({} "
          "similar messages suppressed)",
          static_cast<uint32_t>(sample.source.ds_class), sample.source.ds_index,
          status.error().message(), suppressed);
    }
  }
}

uint32_t Agent::uptime_ms() const {
  auto elapsed = std::chrono::steady_clock::now() - started_;
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
}

uint64_t Agent::uptime_s() const { return uptime_ms() / 1000; }

int Agent::run() {
  if (interfaces_.empty()) {
    spdlog::warn("no interface matches {}; csflowd attaches when one appears",
                 settings_.interfaces.empty() ? std::string("the default set (container veths, "
                                                            "docker0, br-*)")
                                              : "--interfaces");
  }
  if (settings_.polling_interval_s == 0) {
    spdlog::info("csflowd running: {} interface(s), counter polling disabled", interfaces_.size());
  } else {
    spdlog::info("csflowd running: {} interface(s), polling every {} s", interfaces_.size(),
                 settings_.polling_interval_s);
  }
  std::array<epoll_event, 8> events{};
  bool stopping = false;
  while (!stopping) {
    int count = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), -1);
    if (count < 0 && errno != EINTR) {
      spdlog::error("{}", errno_error("event loop failed").message());
      break;
    }
    for (int i = 0; i < count; ++i) {
      switch (events[i].data.u32) {
        case kSignal:
          stopping = true;
          break;
        case kTimer:
          on_tick();
          break;
        case kRing:
          drain_ring();
          break;
        case kLinks:
          if (link_monitor_->drain()) {
            reconcile_interfaces();
          }
          break;
        case kContainers:
          containers_->on_events(uptime_s());
          break;
        default:
          break;
      }
    }
  }
  spdlog::info("stopping: sending pending samples and detaching");
  drain_ring();
  builder_->flush(uptime_ms());
  containers_.reset();
  interfaces_.clear();
  return 0;
}

void Agent::drain_ring() {
  ++batch_;
  realtime_offset_ns_ = realtime_minus_monotonic_ns();
  if (auto consumed = sampler_->consume(); !consumed) {
    spdlog::error("{}", consumed.error().message());
  }
}

void Agent::on_tick() {
  uint64_t expirations = 0;
  (void)!read(timer_fd_, &expirations, sizeof(expirations));
  // Samples normally arrive through the ring's wakeup; this bounds their wait if one is missed.
  drain_ring();
  poll_counters(uptime_s());
  builder_->flush(uptime_ms());
  log_drops();
}

void Agent::log_drops() {
  uint64_t drops = 0;
  for (const auto& [ifindex, watched] : interfaces_) {
    drops += watched.counters.drops;
  }
  uint64_t suppressed = 0;
  if (drops > reported_drops_ && drop_warnings_.allow(suppressed)) {
    spdlog::warn(
        "{} samples lost because the ring buffer was full; raise --sampling-rate or "
        "--ring-buffer-bytes",
        drops - reported_drops_);
    reported_drops_ = drops;
  }
}

}  // namespace csflowd::agent
