#include "containers/docker_json.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace csflowd::containers {
namespace {

using nlohmann::json;

const json* member(const json& object, const char* key) {
  if (!object.is_object()) {
    return nullptr;
  }
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_at(const json& object, const char* key) {
  const json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

bool bool_at(const json& object, const char* key) {
  const json* value = member(object, key);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

int64_t int_at(const json& object, const char* key) {
  const json* value = member(object, key);
  if (value == nullptr) {
    return 0;
  }
  if (value->is_number_integer()) {
    return value->get<int64_t>();
  }
  return 0;  // floats, strings and values beyond int64 are not valid here
}

uint64_t uint_at(const json& object, const char* key) {
  const json* value = member(object, key);
  if (value != nullptr && value->is_number_unsigned()) {
    return value->get<uint64_t>();
  }
  return 0;
}

const json& object_at(const json& object, const char* key) {
  static const json kEmpty = json::object();
  const json* value = member(object, key);
  return value != nullptr && value->is_object() ? *value : kEmpty;
}

Result<json> parse_json(std::string_view body, const char* reply_kind) {
  json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return plain_error(std::string("invalid JSON in Docker ") + reply_kind + " reply");
  }
  return document;
}

int clamp_pid(int64_t pid) { return pid > 0 && pid <= INT32_MAX ? static_cast<int>(pid) : 0; }

std::vector<NetworkEndpoint> parse_networks(const json& settings) {
  std::vector<NetworkEndpoint> endpoints;
  for (const auto& [network, endpoint] : object_at(settings, "Networks").items()) {
    if (!endpoint.is_object()) {
      continue;
    }
    endpoints.push_back(
        {network, string_at(endpoint, "MacAddress"), string_at(endpoint, "IPAddress")});
  }
  return endpoints;
}

}  // namespace

double ContainerInfo::cpu_limit() const {
  if (nano_cpus > 0) {
    return static_cast<double>(nano_cpus) / 1e9;
  }
  if (cpu_quota > 0 && cpu_period > 0) {
    return static_cast<double>(cpu_quota) / static_cast<double>(cpu_period);
  }
  return 0.0;
}

Result<std::vector<ListedContainer>> parse_container_list(std::string_view body) {
  auto document = parse_json(body, "container list");
  if (!document) {
    return document.error();
  }
  if (!document->is_array()) {
    return plain_error("Docker container list reply is not a JSON array");
  }
  std::vector<ListedContainer> containers;
  for (const json& entry : *document) {
    ListedContainer container{string_at(entry, "Id"), "", string_at(entry, "State")};
    if (container.id.empty()) {
      continue;
    }
    const json* names = member(entry, "Names");
    if (names != nullptr && names->is_array() && !names->empty() && (*names)[0].is_string()) {
      container.name = (*names)[0].get<std::string>();
    }
    containers.push_back(std::move(container));
  }
  return containers;
}

Result<ContainerInfo> parse_container_inspect(std::string_view body) {
  auto document = parse_json(body, "inspect");
  if (!document) {
    return document.error();
  }
  const json& root = *document;
  ContainerInfo info;
  info.id = string_at(root, "Id");
  if (info.id.empty()) {
    return plain_error("Docker inspect reply has no 'Id'");
  }
  info.name = string_at(root, "Name");
  info.hostname = string_at(object_at(root, "Config"), "Hostname");

  const json& state = object_at(root, "State");
  info.status = string_at(state, "Status");
  info.running = bool_at(state, "Running");
  info.paused = bool_at(state, "Paused");
  info.pid = clamp_pid(int_at(state, "Pid"));

  const json& host_config = object_at(root, "HostConfig");
  info.nano_cpus = int_at(host_config, "NanoCpus");
  info.cpu_quota = int_at(host_config, "CpuQuota");
  info.cpu_period = int_at(host_config, "CpuPeriod");
  info.cpuset_cpus = string_at(host_config, "CpusetCpus");
  info.memory = uint_at(host_config, "Memory");
  info.network_mode = string_at(host_config, "NetworkMode");

  const json& settings = object_at(root, "NetworkSettings");
  info.sandbox_key = string_at(settings, "SandboxKey");
  info.networks = parse_networks(settings);
  return info;
}

EventAction event_action_from(std::string_view action) {
  static const std::pair<std::string_view, EventAction> kActions[] = {
      {"start", EventAction::kStart},     {"die", EventAction::kDie},
      {"stop", EventAction::kStop},       {"kill", EventAction::kKill},
      {"oom", EventAction::kOom},         {"destroy", EventAction::kDestroy},
      {"rename", EventAction::kRename},   {"pause", EventAction::kPause},
      {"unpause", EventAction::kUnpause},
  };
  for (const auto& [text, value] : kActions) {
    if (action == text) {
      return value;
    }
  }
  return EventAction::kOther;
}

Result<DockerEvent> parse_event(std::string_view line) {
  auto document = parse_json(line, "event");
  if (!document) {
    return document.error();
  }
  const json& root = *document;
  std::string type = string_at(root, "Type");
  if (type != "container") {
    return plain_error("Docker event of type '" + type + "' is not a container event");
  }

  DockerEvent event;
  event.action_text = string_at(root, "Action");
  event.action = event_action_from(event.action_text);
  event.time_nano = int_at(root, "timeNano");
  const json& actor = object_at(root, "Actor");
  event.id = string_at(actor, "ID");
  if (event.id.empty()) {
    event.id = string_at(root, "id");  // the pre-1.22 field, still sent by 20.10
  }
  if (event.id.empty()) {
    return plain_error("Docker '" + event.action_text + "' event has no container id");
  }

  const json& attributes = object_at(actor, "Attributes");
  event.name = string_at(attributes, "name");
  event.old_name = string_at(attributes, "oldName");
  // Docker sends every attribute as a string, so exitCode is "137", not 137.
  std::string exit_code = string_at(attributes, "exitCode");
  int code = 0;
  auto [end, error] = std::from_chars(exit_code.data(), exit_code.data() + exit_code.size(), code);
  if (!exit_code.empty() && error == std::errc() && end == exit_code.data() + exit_code.size()) {
    event.exit_code = code;
  }
  return event;
}

}  // namespace csflowd::containers
