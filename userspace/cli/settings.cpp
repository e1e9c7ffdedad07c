#include "cli/settings.h"

#include <arpa/inet.h>
#include <fnmatch.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <ostream>

#include "common/log.h"
#include "sflow/collector.h"
#include "sflow/datagram.h"

#ifndef CSFLOWD_VERSION
#define CSFLOWD_VERSION "unknown"
#endif

namespace csflowd::cli {
namespace {

constexpr uint32_t kMaxSamplingRate = 10'000'000;

// Validates "PATTERN=N" for --interface-rate.
std::string check_interface_rate(const std::string& text) {
  auto equals = text.rfind('=');
  if (equals == std::string::npos || equals == 0) {
    return "expected PATTERN=N, e.g. 'veth*=100'";
  }
  try {
    size_t used = 0;
    unsigned long rate = std::stoul(text.substr(equals + 1), &used);
    if (used != text.size() - equals - 1 || rate > kMaxSamplingRate) {
      throw std::out_of_range("rate");
    }
  } catch (const std::exception&) {
    return "the rate after '=' must be an integer 0.." + std::to_string(kMaxSamplingRate);
  }
  return "";
}

std::string check_collector(const std::string& text) {
  auto parsed = sflow::parse_collector(text);
  return parsed ? "" : parsed.error().message();
}

std::string check_address(const std::string& text) {
  in6_addr buffer{};
  if (inet_pton(AF_INET, text.c_str(), &buffer) == 1 ||
      inet_pton(AF_INET6, text.c_str(), &buffer) == 1) {
    return "";
  }
  return "expected a numeric IPv4 or IPv6 address of this host";
}

std::string check_uuid(const std::string& text) {
  size_t digits = 0;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c)) != 0) {
      ++digits;
    } else if (c != '-') {
      digits = 0;
      break;
    }
  }
  return digits == 32 ? "" : "expected 32 hex digits, dashes allowed";
}

std::string check_log_level(const std::string& text) {
  return parse_log_level(text) ? "" : "expected trace, debug, info, warn, error or off";
}

std::string check_power_of_two(const std::string& text) {
  unsigned long value = 0;
  try {
    value = std::stoul(text);
  } catch (const std::exception&) {
    return "expected a number of bytes";
  }
  if (value < 4096 || value > (1UL << 30) || (value & (value - 1)) != 0) {
    return "expected a power of two from 4096 to 1073741824";
  }
  return "";
}

struct RawOptions {
  std::vector<std::string> interface_rates;
  bool no_docker = false;
  std::string log_level = "info";
};

void add_sampling_options(CLI::App& app, Settings& s, RawOptions& raw) {
  app.add_option("-s,--sampling-rate", s.sampling_rate,
                 "Sample 1 packet in N on average on each interface; 0 disables sampling")
      ->check(CLI::Range(0U, kMaxSamplingRate))
      ->capture_default_str();
  app.add_option("--interface-rate", raw.interface_rates,
                 "PATTERN=N: sampling rate for interfaces whose name matches the glob PATTERN "
                 "(repeatable; the first match wins)")
      ->check(CLI::Validator(check_interface_rate, "PATTERN=N"));
  app.add_option("-i,--interfaces", s.interfaces,
                 "Glob patterns of interfaces to sample (repeatable). Default: host-side veths "
                 "of containers, docker0 and br-* bridges")
      ->delimiter(',');
  app.add_option("--header-bytes", s.header_bytes, "Frame bytes copied into each sample")
      ->check(CLI::Range(14U, 256U))
      ->capture_default_str();
  app.add_flag("--header-only", s.header_only,
               "Send only the sampled_header record in flow samples (for decoders such as "
               "tshark 4.0 that misread records they do not know)");
  app.add_option("--attach-mode", s.attach_mode,
                 "How programs are attached: tcx links (Linux 6.6+, released even if csflowd is "
                 "killed), tc (clsact qdisc and filters), or auto (tcx when the kernel has it)")
      ->check(CLI::IsMember({"auto", "tcx", "tc"}))
      ->capture_default_str();
  app.add_option("--ring-buffer-bytes", s.ring_buffer_bytes,
                 "Size of the BPF ring buffer that carries samples to the daemon")
      ->check(CLI::Validator(check_power_of_two, "BYTES"))
      ->capture_default_str();
}

void add_export_options(CLI::App& app, Settings& s) {
  app.add_option("-c,--collector", s.collectors,
                 "Collector HOST[:PORT], [IPv6]:PORT or bare IPv6 (repeatable; port 6343 by "
                 "default)")
      ->check(CLI::Validator(check_collector, "HOST[:PORT]"))
      ->capture_default_str();
  app.add_option("-p,--polling-interval", s.polling_interval_s,
                 "Seconds between counter samples of each data source; 0 disables them")
      ->check(CLI::Range(0U, 3600U))
      ->capture_default_str();
  app.add_option("--datagram-bytes", s.datagram_bytes, "Maximum size of an sFlow datagram")
      ->check(CLI::Range(200U, 8192U))
      ->capture_default_str();
  app.add_option("-a,--agent-address", s.agent_address,
                 "Agent address put in every datagram. Default: chosen from this host's "
                 "addresses (public IPv4 first) and logged")
      ->check(CLI::Validator(check_address, "IP"));
  app.add_option("--sub-agent-id", s.sub_agent_id, "sFlow sub-agent id of the datagrams")
      ->capture_default_str();
  app.add_option("--host-uuid", s.host_uuid,
                 "UUID of this host in host_descr. Default: SMBIOS, else /etc/machine-id")
      ->check(CLI::Validator(check_uuid, "UUID"));
}

void add_container_options(CLI::App& app, Settings& s, RawOptions& raw) {
  app.add_flag("--no-docker", raw.no_docker,
               "Do not ask the Docker API; find containers from cgroups and /proc only");
  app.add_option("--docker-socket", s.docker_socket, "Unix socket of the Docker API")
      ->capture_default_str();
  app.add_flag("--container-hostname", s.container_hostname_from_config,
               "Name containers by their Config.Hostname instead of their container name");
  app.add_option("--lock-file", s.lock_file,
                 "File locked while csflowd runs, so that a second instance refuses to start")
      ->capture_default_str();
  app.add_option("--log-level", raw.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::Validator(check_log_level, "LEVEL"))
      ->capture_default_str();
}

std::optional<std::string> finish(Settings& s, const RawOptions& raw) {
  for (const auto& text : raw.interface_rates) {
    auto equals = text.rfind('=');
    s.interface_rates.push_back(
        {text.substr(0, equals), static_cast<uint32_t>(std::stoul(text.substr(equals + 1)))});
  }
  s.log_level = *parse_log_level(raw.log_level);
  s.docker = !raw.no_docker;
  uint32_t needed = max_flow_sample_bytes(s.header_bytes) + 40;
  if (s.datagram_bytes <= needed) {
    return "--datagram-bytes " + std::to_string(s.datagram_bytes) +
           " is too small for --header-bytes " + std::to_string(s.header_bytes) +
           ": one flow sample and the datagram header need up to " + std::to_string(needed) +
           " bytes; use at least " + std::to_string(needed + 1);
  }
  return std::nullopt;
}

}  // namespace

uint32_t Settings::rate_for(const std::string& interface_name) const {
  for (const auto& entry : interface_rates) {
    if (fnmatch(entry.pattern.c_str(), interface_name.c_str(), 0) == 0) {
      return entry.rate;
    }
  }
  return sampling_rate;
}

uint32_t max_flow_sample_bytes(uint32_t header_bytes) {
  uint32_t padded = (header_bytes + 3) & ~3U;
  return 8 + 44 + 24 + padded + 24 + 16 + 24;
}

ParseOutcome parse_command_line(int argc, const char* const* argv, std::ostream& out,
                                std::ostream& err) {
  CLI::App app{
      "csflowd: sFlow v5 agent for container hosts. Samples packets with tc BPF programs on "
      "container veths and bridges and sends flow and counter samples to sFlow collectors."};
  app.set_version_flag("--version", std::string("csflowd ") + CSFLOWD_VERSION);
  Settings settings;
  RawOptions raw;
  add_sampling_options(app, settings, raw);
  add_export_options(app, settings);
  add_container_options(app, settings, raw);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error, out, err);
    return {std::nullopt, code == 0 ? 0 : 2};
  }
  if (auto problem = finish(settings, raw)) {
    err << "csflowd: " << *problem << "\n";
    return {std::nullopt, 2};
  }
  return {settings, 0};
}

}  // namespace csflowd::cli
