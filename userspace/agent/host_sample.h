// The host's own counter sample, data source (2, 1).
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "counters/host.h"
#include "net/link.h"
#include "sflow/records.h"

namespace csflowd::agent {

// Appends the record when it was read, else logs at debug level that `sample` goes without
// it, so one unreadable file does not lose the whole counter sample.
template <typename T>
void add_record(std::vector<sflow::CounterRecord>& records, Result<T> result,
                std::string_view record_name, std::string_view sample) {
  if (result) {
    records.emplace_back(std::move(*result));
  } else {
    spdlog::debug("{} sample without {}: {}", sample, record_name, result.error().message());
  }
}

// Returns true for interfaces counted in host_net_io: up, not loopback, and of no virtual
// kind (veth, bridge, vlan, vxlan, bond, ...). Container traffic crosses a veth and a bridge
// before the physical interface, so counting those too would count it two or three times.
bool counts_in_host_net_io(const net::Link& link);

// Returns true for interfaces listed in host_adapters: those with a MAC that are not
// loopback and not a container's host-side veth.
bool listed_in_host_adapters(const net::Link& link);

sflow::HostNetIo make_host_net_io(const std::vector<net::Link>& links);
sflow::HostAdapters make_host_adapters(const std::vector<net::Link>& links);

// Inputs of the host sample that come from other parts of the agent.
struct HostSampleInputs {
  const std::vector<net::Link>* links = nullptr;
  uint32_t container_count = 0;
  const std::array<uint8_t, 16>* uuid_override = nullptr;
};

// Reads every host record. A record whose source cannot be read is left out (and the
// failure logged at debug level), so one unreadable file does not lose the sample.
std::vector<sflow::CounterRecord> read_host_records(const counters::HostPaths& paths,
                                                    const HostSampleInputs& inputs);

}  // namespace csflowd::agent

namespace csflowd::agent {

// Parses a UUID written as 32 hex digits, with or without dashes.
Result<std::array<uint8_t, 16>> parse_uuid(const std::string& text);

}  // namespace csflowd::agent
