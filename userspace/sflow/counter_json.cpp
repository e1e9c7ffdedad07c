// JSON output of counter records. Field names follow the sFlow structure definitions.
#include <array>
#include <cstdio>

#include "sflow/decoder.h"

namespace csflowd::sflow {
namespace {

using nlohmann::json;

std::string mac_text(const std::array<uint8_t, 6>& mac) {
  std::array<char, 18> text{};
  std::snprintf(text.data(), text.size(), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                mac[3], mac[4], mac[5]);
  return text.data();
}

std::string uuid_text(const std::array<uint8_t, 16>& uuid) {
  std::string text;
  std::array<char, 3> digits{};
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      text += '-';
    }
    std::snprintf(digits.data(), digits.size(), "%02x", uuid[i]);
    text += digits.data();
  }
  return text;
}

json net_io_json(const char* type, const NetIo& io) {
  return {{"type", type},
          {"bytes_in", io.bytes_in},
          {"pkts_in", io.pkts_in},
          {"errs_in", io.errs_in},
          {"drops_in", io.drops_in},
          {"bytes_out", io.bytes_out},
          {"pkts_out", io.pkts_out},
          {"errs_out", io.errs_out},
          {"drops_out", io.drops_out}};
}

template <size_t N>
json values_json(const char* type, const std::array<uint32_t, N>& values) {
  return {{"type", type}, {"values", values}};
}

struct CounterRecordJson {
  json operator()(const IfCounters& c) const {
    return {{"type", "if_counters"},
            {"if_index", c.if_index},
            {"if_type", c.if_type},
            {"if_speed", c.if_speed},
            {"if_direction", c.if_direction},
            {"if_status", c.if_status},
            {"in_octets", c.in_octets},
            {"in_ucast_pkts", c.in_ucast_pkts},
            {"in_multicast_pkts", c.in_multicast_pkts},
            {"in_broadcast_pkts", c.in_broadcast_pkts},
            {"in_discards", c.in_discards},
            {"in_errors", c.in_errors},
            {"in_unknown_protos", c.in_unknown_protos},
            {"out_octets", c.out_octets},
            {"out_ucast_pkts", c.out_ucast_pkts},
            {"out_multicast_pkts", c.out_multicast_pkts},
            {"out_broadcast_pkts", c.out_broadcast_pkts},
            {"out_discards", c.out_discards},
            {"out_errors", c.out_errors},
            {"promiscuous_mode", c.promiscuous_mode}};
  }
  json operator()(const PortName& r) const {
    return {{"type", "port_name"}, {"name", printable(r.name)}};
  }
  json operator()(const HostDescr& d) const {
    return {{"type", "host_descr"},      {"hostname", printable(d.hostname)},
            {"uuid", uuid_text(d.uuid)}, {"machine_type", d.machine_type},
            {"os_name", d.os_name},      {"os_release", printable(d.os_release)}};
  }
  json operator()(const HostAdapters& r) const {
    json adapters = json::array();
    for (const Adapter& adapter : r.adapters) {
      json macs = json::array();
      for (const auto& mac : adapter.macs) {
        macs.push_back(mac_text(mac));
      }
      adapters.push_back({{"if_index", adapter.if_index}, {"macs", macs}});
    }
    return {{"type", "host_adapters"}, {"adapters", adapters}};
  }
  json operator()(const HostParent& r) const {
    return {{"type", "host_parent"},
            {"container_type", static_cast<uint32_t>(r.parent.ds_class)},
            {"container_index", r.parent.ds_index}};
  }
  json operator()(const HostCpu& c) const {
    return {{"type", "host_cpu"},
            {"load_one", c.load_one},
            {"load_five", c.load_five},
            {"load_fifteen", c.load_fifteen},
            {"proc_run", c.proc_run},
            {"proc_total", c.proc_total},
            {"cpu_num", c.cpu_num},
            {"cpu_speed_mhz", c.cpu_speed_mhz},
            {"uptime_s", c.uptime_s},
            {"cpu_user", c.cpu_user},
            {"cpu_nice", c.cpu_nice},
            {"cpu_system", c.cpu_system},
            {"cpu_idle", c.cpu_idle},
            {"cpu_wio", c.cpu_wio},
            {"cpu_intr", c.cpu_intr},
            {"cpu_sintr", c.cpu_sintr},
            {"interrupts", c.interrupts},
            {"contexts", c.contexts},
            {"cpu_steal", c.cpu_steal},
            {"cpu_guest", c.cpu_guest},
            {"cpu_guest_nice", c.cpu_guest_nice}};
  }
  json operator()(const HostMemory& m) const {
    return {
        {"type", "host_memory"},      {"mem_total", m.mem_total},     {"mem_free", m.mem_free},
        {"mem_shared", m.mem_shared}, {"mem_buffers", m.mem_buffers}, {"mem_cached", m.mem_cached},
        {"swap_total", m.swap_total}, {"swap_free", m.swap_free},     {"page_in", m.page_in},
        {"page_out", m.page_out},     {"swap_in", m.swap_in},         {"swap_out", m.swap_out}};
  }
  json operator()(const HostDiskIo& d) const {
    return {{"type", "host_disk_io"},
            {"disk_total", d.disk_total},
            {"disk_free", d.disk_free},
            {"part_max_used", d.part_max_used},
            {"reads", d.reads},
            {"bytes_read", d.bytes_read},
            {"read_time_ms", d.read_time_ms},
            {"writes", d.writes},
            {"bytes_written", d.bytes_written},
            {"write_time_ms", d.write_time_ms}};
  }
  json operator()(const HostNetIo& r) const { return net_io_json("host_net_io", r); }
  json operator()(const HostIp& r) const { return values_json("host_ip", r.values); }
  json operator()(const HostIcmp& r) const { return values_json("host_icmp", r.values); }
  json operator()(const HostTcp& r) const { return values_json("host_tcp", r.values); }
  json operator()(const HostUdp& r) const { return values_json("host_udp", r.values); }
  json operator()(const VirtNode& n) const {
    return {{"type", "virt_node"},
            {"mhz", n.mhz},
            {"cpus", n.cpus},
            {"memory", n.memory},
            {"memory_free", n.memory_free},
            {"num_domains", n.num_domains}};
  }
  json operator()(const VirtCpu& c) const {
    return {{"type", "virt_cpu"},
            {"state", c.state},
            {"cpu_time_ms", c.cpu_time_ms},
            {"nr_virt_cpu", c.nr_virt_cpu}};
  }
  json operator()(const VirtMemory& m) const {
    return {{"type", "virt_memory"}, {"memory", m.memory}, {"max_memory", m.max_memory}};
  }
  json operator()(const VirtDiskIo& d) const {
    return {{"type", "virt_disk_io"},   {"capacity", d.capacity}, {"allocation", d.allocation},
            {"available", d.available}, {"rd_req", d.rd_req},     {"rd_bytes", d.rd_bytes},
            {"wr_req", d.wr_req},       {"wr_bytes", d.wr_bytes}, {"errs", d.errs}};
  }
  json operator()(const VirtNetIo& r) const { return net_io_json("virt_net_io", r); }
};

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  std::array<char, 5> escaped{};
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F && byte != '\\') {
      out += c;
    } else {
      std::snprintf(escaped.data(), escaped.size(), "\\x%02x", byte);
      out += escaped.data();
    }
  }
  return out;
}

json record_to_json(const CounterRecord& record) { return std::visit(CounterRecordJson{}, record); }

}  // namespace csflowd::sflow
