// Pure parsers for Docker Engine API replies (written against API 1.41).
//
// Each takes the reply body and returns plain structs. Unknown fields are ignored, a
// missing or mistyped field keeps its default, and invalid or truncated JSON is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace csflowd::containers {

// One entry of GET /containers/json.
struct ListedContainer {
  std::string id;     // 64 hex digits
  std::string name;   // first of Names, with its leading '/'
  std::string state;  // "running", "paused", ...
};

// One network of NetworkSettings.Networks in GET /containers/<id>/json.
struct NetworkEndpoint {
  std::string network;  // key of the Networks object, e.g. "bridge"
  std::string mac;      // MacAddress, "" when none
  std::string ipv4;     // IPAddress
};

// Fields of GET /containers/<id>/json that the agent uses.
struct ContainerInfo {
  std::string id;
  std::string name;          // Name, with its leading '/'
  std::string hostname;      // Config.Hostname
  std::string status;        // State.Status: "running", "paused", "exited", ...
  bool running = false;      // State.Running
  bool paused = false;       // State.Paused
  int pid = 0;               // State.Pid, 0 when not running
  int64_t nano_cpus = 0;     // HostConfig.NanoCpus (1e9 = one CPU)
  int64_t cpu_quota = 0;     // HostConfig.CpuQuota (µs per period)
  int64_t cpu_period = 0;    // HostConfig.CpuPeriod (µs)
  std::string cpuset_cpus;   // HostConfig.CpusetCpus, e.g. "0-1"
  uint64_t memory = 0;       // HostConfig.Memory in bytes, 0 = no limit
  std::string network_mode;  // HostConfig.NetworkMode: "bridge", "host", "none", ...
  std::string sandbox_key;   // NetworkSettings.SandboxKey, the netns path
  std::vector<NetworkEndpoint> networks;

  // CPU limit in CPUs: NanoCpus, else CpuQuota / CpuPeriod, else 0 for no limit.
  [[nodiscard]] double cpu_limit() const;
};

enum class EventAction {
  kStart,
  kDie,
  kStop,
  kKill,
  kOom,
  kDestroy,
  kRename,
  kPause,
  kUnpause,
  kOther,
  // Not from Docker: DockerEventStream queues it each time the stream (re)connects, so the
  // owner lists the containers again and catches what happened while it was disconnected.
  kStreamConnected,
};

// One line of GET /events for a container.
struct DockerEvent {
  EventAction action = EventAction::kOther;
  std::string action_text;       // Action as sent, e.g. "die"
  std::string id;                // Actor.ID
  std::string name;              // Actor.Attributes.name (the new name after a rename)
  std::string old_name;          // Actor.Attributes.oldName, rename only
  std::optional<int> exit_code;  // Actor.Attributes.exitCode, die only
  int64_t time_nano = 0;         // timeNano
};

Result<std::vector<ListedContainer>> parse_container_list(std::string_view body);
Result<ContainerInfo> parse_container_inspect(std::string_view body);
// Parses one event line. Events of other types than "container" are an error.
Result<DockerEvent> parse_event(std::string_view line);
EventAction event_action_from(std::string_view action);

}  // namespace csflowd::containers
