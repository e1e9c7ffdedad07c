// Command-line settings of csflowd, parsed and validated in one place.
#pragma once

#include <spdlog/common.h>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace csflowd::cli {

// A sampling rate for the interfaces whose name matches a glob pattern.
struct InterfaceRate {
  std::string pattern;
  uint32_t rate = 0;
};

struct Settings {
  uint32_t sampling_rate = 400;                // 1 in N; 0 disables packet sampling
  std::vector<InterfaceRate> interface_rates;  // first match wins
  std::vector<std::string> collectors{"127.0.0.1:6343"};
  uint32_t polling_interval_s = 30;  // 0 disables counter samples
  uint32_t header_bytes = 128;
  uint32_t datagram_bytes = 1400;
  std::optional<std::string> agent_address;  // numeric IPv4 or IPv6
  uint32_t sub_agent_id = 0;
  std::vector<std::string> interfaces;  // glob patterns; empty = the default set
  bool header_only = false;             // flow samples carry only sampled_header
  uint32_t ring_buffer_bytes = 1U << 20;
  std::string attach_mode = "auto";  // auto, tcx or tc
  std::string lock_file = "/run/csflowd.lock";
  bool docker = true;
  std::string docker_socket = "/var/run/docker.sock";
  bool container_hostname_from_config = false;  // Config.Hostname instead of the name
  std::optional<std::string> host_uuid;         // overrides SMBIOS / machine-id
  std::string proc_root = "/proc";
  std::string sys_root = "/sys";
  spdlog::level::level_enum log_level = spdlog::level::info;

  // Returns the rate for an interface name: the first matching override, else sampling_rate.
  [[nodiscard]] uint32_t rate_for(const std::string& interface_name) const;
};

// Bytes a flow sample can need with the largest record set: sample header 8 + fixed part
// 44 + sampled_header 24 + padded header + extended_switch 24 + timestamp 16 + entities 24.
uint32_t max_flow_sample_bytes(uint32_t header_bytes);

// The result of parsing: settings to run with, or an exit status after --help,
// --version or an error (already printed).
struct ParseOutcome {
  std::optional<Settings> settings;
  int exit_code = 0;
};

ParseOutcome parse_command_line(int argc, const char* const* argv, std::ostream& out,
                                std::ostream& err);

}  // namespace csflowd::cli
