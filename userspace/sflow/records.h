// sFlow v5 samples and records as plain values, before XDR encoding.
//
// Field names follow the sFlow v5 and host/virt structure definitions (sflow_version_5.txt,
// sflow_host.txt). Units are those of the wire format: bytes, milliseconds, packets.
// encoder.h turns these into bytes; decoder.h reads bytes back for people and tests.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace csflowd::sflow {

// sFlow data source classes (SFLOW-MIB sFlowDataSource).
enum class DsClass : uint32_t { kIfIndex = 0, kVlan = 1, kPhysical = 2, kLogical = 3 };

struct DataSource {
  DsClass ds_class = DsClass::kIfIndex;
  uint32_t ds_index = 0;
  bool operator==(const DataSource&) const = default;
};

// The host itself: physical entity 1.
inline constexpr DataSource kHostDataSource{DsClass::kPhysical, 1};

// An IPv4 or IPv6 address in network byte order.
struct Address {
  enum class Type : uint32_t { kIpv4 = 1, kIpv6 = 2 };
  Type type = Type::kIpv4;
  std::array<uint8_t, 16> bytes{};  // the first 4 bytes for IPv4
};

// interface_expanded: format 0 = ifIndex (value 0 unknown, 0x3FFFFFFF internal).
struct InterfaceRef {
  uint32_t format = 0;
  uint32_t value = 0;
};
inline constexpr uint32_t kInternalInterface = 0x3FFFFFFF;

// ---- flow records -------------------------------------------------------------------

// sampled_header (0:1).
struct SampledHeader {
  uint32_t header_protocol = 1;  // 1 = Ethernet
  uint32_t frame_length = 0;     // original frame length including the 4-byte FCS
  uint32_t stripped = 4;         // bytes removed before header, the FCS at least
  std::vector<uint8_t> header;   // first bytes of the frame, from the MAC header on
};

// extended_switch (0:1001), sent when the kernel stripped an 802.1Q tag.
struct ExtendedSwitch {
  uint32_t src_vlan = 0;
  uint32_t src_priority = 0;
  uint32_t dst_vlan = 0;
  uint32_t dst_priority = 0;
};

// extended_timestamp (0:1043): nanoseconds since the Unix epoch.
struct ExtendedTimestamp {
  uint64_t nanoseconds = 0;
};

// extended_entities (0:2210): the data sources that sent and received the packet.
struct ExtendedEntities {
  DataSource source{};       // all zero when unknown
  DataSource destination{};  // all zero when unknown
};

using FlowRecord = std::variant<SampledHeader, ExtendedSwitch, ExtendedTimestamp, ExtendedEntities>;

// flow_sample_expanded (sample format 3).
struct FlowSample {
  uint32_t sequence_number = 0;
  DataSource source{};
  uint32_t sampling_rate = 0;
  uint32_t sample_pool = 0;
  uint32_t drops = 0;
  InterfaceRef input{};
  InterfaceRef output{};
  std::vector<FlowRecord> records;
};

// ---- counter records ----------------------------------------------------------------

// Marker for "unknown" in 32-bit counters (all ones), per the sFlow convention.
inline constexpr uint32_t kUnknownCounter32 = 0xFFFFFFFF;

// if_counters (0:1), generic interface counters.
struct IfCounters {
  uint32_t if_index = 0;
  uint32_t if_type = 6;       // ethernetCsmacd
  uint64_t if_speed = 0;      // bits per second, 0 = unknown
  uint32_t if_direction = 0;  // 0 unknown, 1 full duplex, 2 half, 3 in, 4 out
  uint32_t if_status = 0;     // bit 0 admin up, bit 1 oper up
  uint64_t in_octets = 0;
  uint32_t in_ucast_pkts = 0;
  uint32_t in_multicast_pkts = kUnknownCounter32;
  uint32_t in_broadcast_pkts = kUnknownCounter32;
  uint32_t in_discards = 0;
  uint32_t in_errors = 0;
  uint32_t in_unknown_protos = kUnknownCounter32;
  uint64_t out_octets = 0;
  uint32_t out_ucast_pkts = 0;
  uint32_t out_multicast_pkts = kUnknownCounter32;
  uint32_t out_broadcast_pkts = kUnknownCounter32;
  uint32_t out_discards = 0;
  uint32_t out_errors = 0;
  uint32_t promiscuous_mode = 0;  // 0 or 1, as hsflowd sends it
};

// port_name (0:1005).
struct PortName {
  std::string name;  // clamped to 255 bytes on the wire
};

// host_descr (0:2000).
struct HostDescr {
  std::string hostname;            // clamped to 64 bytes
  std::array<uint8_t, 16> uuid{};  // 16 raw bytes, all zero when unknown
  uint32_t machine_type = 0;       // 3 = x86_64, 10 = arm
  uint32_t os_name = 2;            // 2 = linux
  std::string os_release;          // clamped to 32 bytes
};

// One adapter in host_adapters: an ifIndex and its MAC addresses.
struct Adapter {
  uint32_t if_index = 0;
  std::vector<std::array<uint8_t, 6>> macs;
};

// host_adapters (0:2001).
struct HostAdapters {
  std::vector<Adapter> adapters;
};

// host_parent (0:2002).
struct HostParent {
  DataSource parent = kHostDataSource;
};

// host_cpu (0:2003), the 80-byte form. Times in ms, uptime in seconds.
struct HostCpu {
  float load_one = 0, load_five = 0, load_fifteen = 0;
  uint32_t proc_run = 0, proc_total = 0, cpu_num = 0, cpu_speed_mhz = 0, uptime_s = 0;
  uint32_t cpu_user = 0, cpu_nice = 0, cpu_system = 0, cpu_idle = 0, cpu_wio = 0;
  uint32_t cpu_intr = 0, cpu_sintr = 0, interrupts = 0, contexts = 0;
  uint32_t cpu_steal = 0, cpu_guest = 0, cpu_guest_nice = 0;
};

// host_memory (0:2004). Sizes in bytes, paging in pages.
struct HostMemory {
  uint64_t mem_total = 0, mem_free = 0, mem_shared = 0, mem_buffers = 0, mem_cached = 0;
  uint64_t swap_total = 0, swap_free = 0;
  uint32_t page_in = 0, page_out = 0, swap_in = 0, swap_out = 0;
};

// host_disk_io (0:2005).
struct HostDiskIo {
  uint64_t disk_total = 0, disk_free = 0;
  int32_t part_max_used = -1;  // hundredths of a percent, -1 = unknown
  uint32_t reads = 0;
  uint64_t bytes_read = 0;
  uint32_t read_time_ms = 0;
  uint32_t writes = 0;
  uint64_t bytes_written = 0;
  uint32_t write_time_ms = 0;
};

// host_net_io (0:2006) and virt_net_io (0:2104) share this layout.
struct NetIo {
  uint64_t bytes_in = 0;
  uint32_t pkts_in = 0, errs_in = 0, drops_in = 0;
  uint64_t bytes_out = 0;
  uint32_t pkts_out = 0, errs_out = 0, drops_out = 0;
};
struct HostNetIo : NetIo {};
struct VirtNetIo : NetIo {};  // rx ("in") = into the container

// host_ip (0:2007), host_icmp (0:2008), host_tcp (0:2009), host_udp (0:2010): MIB-II
// counters in the order of the sFlow structures, from /proc/net/snmp.
struct HostIp {
  std::array<uint32_t, 19> values{};
};
struct HostIcmp {
  std::array<uint32_t, 25> values{};
};
struct HostTcp {
  std::array<uint32_t, 15> values{};
};
struct HostUdp {
  std::array<uint32_t, 7> values{};
};

// virt_node (0:2100), in the host's own sample.
struct VirtNode {
  uint32_t mhz = 0, cpus = 0;
  uint64_t memory = 0, memory_free = 0;  // bytes
  uint32_t num_domains = 0;
};

// virt_cpu (0:2101).
struct VirtCpu {
  uint32_t state = 0;        // virDomainState: 1 running, 3 paused, 4 shutdown, 5 shutoff
  uint32_t cpu_time_ms = 0;  // wraps after about 49.7 days of CPU time
  uint32_t nr_virt_cpu = 0;
};

// virt_memory (0:2102), bytes.
struct VirtMemory {
  uint64_t memory = 0;
  uint64_t max_memory = 0;
};

// virt_disk_io (0:2103).
struct VirtDiskIo {
  uint64_t capacity = 0, allocation = 0, available = 0;
  uint32_t rd_req = 0;
  uint64_t rd_bytes = 0;
  uint32_t wr_req = 0;
  uint64_t wr_bytes = 0;
  uint32_t errs = 0;
};

using CounterRecord =
    std::variant<IfCounters, PortName, HostDescr, HostAdapters, HostParent, HostCpu, HostMemory,
                 HostDiskIo, HostNetIo, HostIp, HostIcmp, HostTcp, HostUdp, VirtNode, VirtCpu,
                 VirtMemory, VirtDiskIo, VirtNetIo>;

// counters_sample_expanded (sample format 4).
struct CounterSample {
  uint32_t sequence_number = 0;
  DataSource source{};
  std::vector<CounterRecord> records;
};

}  // namespace csflowd::sflow
