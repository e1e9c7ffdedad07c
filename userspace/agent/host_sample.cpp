#include "agent/host_sample.h"

#include <linux/if.h>
#include <spdlog/spdlog.h>

namespace csflowd::agent {
namespace {

sflow::VirtNode make_virt_node(const sflow::HostCpu* cpu, const sflow::HostMemory* memory,
                               uint32_t container_count) {
  sflow::VirtNode node;
  if (cpu != nullptr) {
    node.mhz = cpu->cpu_speed_mhz;
    node.cpus = cpu->cpu_num;
  }
  if (memory != nullptr) {
    node.memory = memory->mem_total;
    node.memory_free = memory->mem_free;
  }
  node.num_domains = container_count;
  return node;
}

}  // namespace

bool counts_in_host_net_io(const net::Link& link) {
  return link.is_up() && (link.flags & IFF_LOOPBACK) == 0 && link.kind.empty();
}

bool listed_in_host_adapters(const net::Link& link) {
  return link.mac.has_value() && (link.flags & IFF_LOOPBACK) == 0 && !link.is_host_side_veth();
}

sflow::HostNetIo make_host_net_io(const std::vector<net::Link>& links) {
  sflow::HostNetIo io;
  for (const auto& link : links) {
    if (!counts_in_host_net_io(link)) {
      continue;
    }
    io.bytes_in += link.stats.rx_bytes;
    io.pkts_in += static_cast<uint32_t>(link.stats.rx_packets);
    io.errs_in += static_cast<uint32_t>(link.stats.rx_errors);
    io.drops_in += static_cast<uint32_t>(link.stats.rx_dropped);
    io.bytes_out += link.stats.tx_bytes;
    io.pkts_out += static_cast<uint32_t>(link.stats.tx_packets);
    io.errs_out += static_cast<uint32_t>(link.stats.tx_errors);
    io.drops_out += static_cast<uint32_t>(link.stats.tx_dropped);
  }
  return io;
}

sflow::HostAdapters make_host_adapters(const std::vector<net::Link>& links) {
  sflow::HostAdapters adapters;
  for (const auto& link : links) {
    if (listed_in_host_adapters(link)) {
      adapters.adapters.push_back({static_cast<uint32_t>(link.ifindex), {*link.mac}});
    }
  }
  return adapters;
}

std::vector<sflow::CounterRecord> read_host_records(const counters::HostPaths& paths,
                                                    const HostSampleInputs& inputs) {
  std::vector<sflow::CounterRecord> records;
  auto descr = counters::read_host_descr(paths);
  if (descr && inputs.uuid_override != nullptr) {
    descr->uuid = *inputs.uuid_override;
  }
  add_record(records, std::move(descr), "host_descr", "host");
  if (inputs.links != nullptr) {
    records.emplace_back(make_host_adapters(*inputs.links));
  }
  auto cpu = counters::read_host_cpu(paths);
  auto memory = counters::read_host_memory(paths);
  records.emplace_back(
      make_virt_node(cpu ? &*cpu : nullptr, memory ? &*memory : nullptr, inputs.container_count));
  add_record(records, std::move(cpu), "host_cpu", "host");
  add_record(records, std::move(memory), "host_memory", "host");
  add_record(records, counters::read_host_disk_io(paths), "host_disk_io", "host");
  if (inputs.links != nullptr) {
    records.emplace_back(make_host_net_io(*inputs.links));
  }
  if (auto snmp = counters::read_net_snmp(paths)) {
    records.emplace_back(snmp->ip);
    records.emplace_back(snmp->icmp);
    records.emplace_back(snmp->tcp);
    records.emplace_back(snmp->udp);
  } else {
    spdlog::debug("host sample without host_ip/icmp/tcp/udp: {}", snmp.error().message());
  }
  return records;
}

}  // namespace csflowd::agent

namespace csflowd::agent {

Result<std::array<uint8_t, 16>> parse_uuid(const std::string& text) {
  std::array<uint8_t, 16> uuid{};
  size_t digits = 0;
  for (char c : text) {
    if (c == '-') {
      continue;
    }
    int value = std::isxdigit(static_cast<unsigned char>(c)) == 0 ? -1
                : std::isdigit(static_cast<unsigned char>(c)) != 0
                    ? c - '0'
                    : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    if (value < 0 || digits >= 32) {
      return plain_error("invalid UUID '" + text + "': expected 32 hex digits, dashes allowed");
    }
    uuid[digits / 2] = static_cast<uint8_t>(uuid[digits / 2] << 4 | value);
    ++digits;
  }
  if (digits != 32) {
    return plain_error("invalid UUID '" + text + "': expected 32 hex digits, dashes allowed");
  }
  return uuid;
}

}  // namespace csflowd::agent
