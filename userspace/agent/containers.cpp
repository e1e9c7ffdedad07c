#include "agent/containers.h"

#include <spdlog/spdlog.h>

#include "containers/netns.h"
#include "counters/container.h"
#include "counters/text.h"

namespace csflowd::agent {
namespace {

constexpr std::chrono::seconds kRescanWithDocker{30};
constexpr std::chrono::seconds kRescanWithoutDocker{2};

sflow::DataSource logical(uint32_t ds_index) { return {sflow::DsClass::kLogical, ds_index}; }

// Docker's 12-digit short form of a container id; other ids ("netns-<inode>") stay whole.
std::string short_id(const std::string& id) { return id.size() == 64 ? id.substr(0, 12) : id; }

}  // namespace

ContainerTracker::ContainerTracker(const cli::Settings& settings, const counters::HostPaths& paths,
                                   PollSchedule& schedule, Sink sink)
    : settings_(settings),
      paths_(paths),
      schedule_(schedule),
      sink_(std::move(sink)),
      registry_(containers::RegistryOptions{.use_config_hostname =
                                                settings.container_hostname_from_config,
                                            .include_netns_only = !settings.docker,
                                            .proc_root = settings.proc_root},
                [this](const std::string& id) -> Result<containers::ContainerInfo> {
                  if (pending_ != nullptr && pending_->inspected && pending_->event.id == id) {
                    return *pending_->inspected;
                  }
                  return plain_error("container '" + id + "' was not inspected");
                }) {
  if (auto descr = counters::read_host_descr(paths_)) {
    host_ = *descr;
  }
  if (auto cpu = counters::read_host_cpu(paths_)) {
    host_cpus_ = std::max<uint32_t>(cpu->cpu_num, 1);
  }
  if (auto memory = counters::read_host_memory(paths_)) {
    host_memory_ = memory->mem_total;
  }
}

ContainerTracker::~ContainerTracker() = default;

Status ContainerTracker::start() {
  std::optional<containers::DockerOptions> docker;
  if (settings_.docker) {
    docker = containers::DockerOptions{};
    docker->socket_path = settings_.docker_socket;
  }
  worker_ = std::make_unique<ContainerWorker>(
      docker, settings_.proc_root, settings_.docker ? kRescanWithDocker : kRescanWithoutDocker);
  return worker_->start();
}

int ContainerTracker::event_fd() const { return worker_ ? worker_->fd() : -1; }

void ContainerTracker::on_events(uint64_t now_s) {
  for (const auto& update : worker_->drain()) {
    apply(update, now_s);
  }
}

void ContainerTracker::apply(const ContainerUpdate& update, uint64_t now_s) {
  containers::RegistryChanges changes;
  if (update.is_snapshot) {
    if (!update.docker && settings_.docker) {
      spdlog::debug("containers from cgroups only: {}", update.docker.error().message());
    }
    changes = registry_.refresh(update.docker, update.scan);
  } else {
    pending_ = &update;
    changes = registry_.apply(update.event);
    pending_ = nullptr;
  }
  handle(changes, now_s);
}

void ContainerTracker::handle(const containers::RegistryChanges& changes, uint64_t now_s) {
  if (changes.empty()) {
    return;
  }
  registry_.update_interfaces(
      links_, [this](int pid) { return containers::netns_id_for_pid(pid, settings_.proc_root); });
  for (const auto& id : changes.stopped) {
    const auto* container = registry_.find(id);
    if (container != nullptr && tracked_.contains(id)) {
      send_final(*container, tracked_[id]);
    }
  }
  for (const auto& removed : changes.removed) {
    schedule_.remove(logical(removed.ds_index));
    tracked_.erase(removed.id);
  }
  for (const auto& [id, container] : registry_.containers()) {
    Tracked& tracked = tracked_[id];
    if (container.is_running() && !tracked.running) {
      // A new or restarted container: its counters start again, so does its sequence.
      spdlog::info("container '{}' ({}) running, data source 3:{}, veths {}", container.name,
                   short_id(id), container.ds_index, container.host_veths.size());
      tracked = Tracked{};
      tracked.running = true;
      if (container.ds_index != 0) {
        schedule_.add_soon(logical(container.ds_index), now_s);
      }
    }
  }
}

void ContainerTracker::update_links(const std::vector<net::Link>& links) {
  links_ = links;
  registry_.update_interfaces(
      links_, [this](int pid) { return containers::netns_id_for_pid(pid, settings_.proc_root); });
}

void ContainerTracker::fill_entities(const csflowd_sample& record, FlowContext& context) const {
  const auto* owner = registry_.find_by_veth(static_cast<int>(record.ifindex));
  if (owner == nullptr || owner->ds_index == 0) {
    return;
  }
  // On the host side of a container's veth, ingress carries what the container sent.
  if (record.direction == CSFLOWD_DIR_INGRESS) {
    context.source_entity = logical(owner->ds_index);
    return;
  }
  context.destination_entity = logical(owner->ds_index);
  const auto* sender = registry_.find_by_veth(static_cast<int>(record.ingress_ifindex));
  if (sender != nullptr && sender->ds_index != 0) {
    context.source_entity = logical(sender->ds_index);
  }
}

uint32_t ContainerTracker::count() const {
  uint32_t running = 0;
  for (const auto& [id, container] : registry_.containers()) {
    running += container.is_running() ? 1 : 0;
  }
  return running;
}

}  // namespace csflowd::agent
