#include "sflow/decoder_records.h"

#include "sflow/formats.h"

namespace csflowd::sflow {
namespace {

DataSource read_data_source(XdrReader& r) {
  DataSource source;
  source.ds_class = static_cast<DsClass>(r.u32());
  source.ds_index = r.u32();
  return source;
}

template <typename T>
T read_net_io(XdrReader& r) {
  T io;
  io.bytes_in = r.u64();
  io.pkts_in = r.u32();
  io.errs_in = r.u32();
  io.drops_in = r.u32();
  io.bytes_out = r.u64();
  io.pkts_out = r.u32();
  io.errs_out = r.u32();
  io.drops_out = r.u32();
  return io;
}

template <typename T>
T read_u32_array(XdrReader& r) {
  T record;
  for (uint32_t& value : record.values) {
    value = r.u32();
  }
  return record;
}

SampledHeader read_sampled_header(XdrReader& r) {
  SampledHeader record;
  record.header_protocol = r.u32();
  record.frame_length = r.u32();
  record.stripped = r.u32();
  record.header = r.variable_opaque(r.remaining());
  return record;
}

IfCounters read_if_counters(XdrReader& r) {
  IfCounters c;
  c.if_index = r.u32();
  c.if_type = r.u32();
  c.if_speed = r.u64();
  c.if_direction = r.u32();
  c.if_status = r.u32();
  c.in_octets = r.u64();
  for (uint32_t* field : {&c.in_ucast_pkts, &c.in_multicast_pkts, &c.in_broadcast_pkts,
                          &c.in_discards, &c.in_errors, &c.in_unknown_protos}) {
    *field = r.u32();
  }
  c.out_octets = r.u64();
  for (uint32_t* field : {&c.out_ucast_pkts, &c.out_multicast_pkts, &c.out_broadcast_pkts,
                          &c.out_discards, &c.out_errors, &c.promiscuous_mode}) {
    *field = r.u32();
  }
  return c;
}

HostDescr read_host_descr(XdrReader& r) {
  HostDescr d;
  d.hostname = r.string(kMaxHostnameBytes);
  r.fixed_opaque(d.uuid);
  d.machine_type = r.u32();
  d.os_name = r.u32();
  d.os_release = r.string(kMaxOsReleaseBytes);
  return d;
}

HostAdapters read_host_adapters(XdrReader& r) {
  HostAdapters record;
  uint32_t count = r.u32();
  if (count > r.remaining() / 8) {  // each adapter takes at least 8 bytes
    r.fail("host_adapters declares " + std::to_string(count) + " adapters in " +
           std::to_string(r.remaining()) + " bytes");
    return record;
  }
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    Adapter adapter;
    adapter.if_index = r.u32();
    uint32_t num_macs = r.u32();
    if (num_macs > r.remaining() / 8) {  // each MAC takes 8 bytes
      r.fail("adapter " + std::to_string(i) + " declares " + std::to_string(num_macs) +
             " MAC addresses in " + std::to_string(r.remaining()) + " bytes");
      break;
    }
    adapter.macs.resize(num_macs);
    for (auto& mac : adapter.macs) {
      r.fixed_opaque(mac);
    }
    record.adapters.push_back(std::move(adapter));
  }
  return record;
}

HostCpu read_host_cpu(XdrReader& r) {
  HostCpu c;
  size_t length = r.remaining();
  if (length != kHostCpuBytes && length != kHostCpuShortBytes) {
    r.fail("host_cpu payload is " + std::to_string(length) + " bytes, expected 68 or 80");
    return c;
  }
  c.load_one = r.f32();
  c.load_five = r.f32();
  c.load_fifteen = r.f32();
  for (uint32_t* field : {&c.proc_run, &c.proc_total, &c.cpu_num, &c.cpu_speed_mhz, &c.uptime_s,
                          &c.cpu_user, &c.cpu_nice, &c.cpu_system, &c.cpu_idle, &c.cpu_wio,
                          &c.cpu_intr, &c.cpu_sintr, &c.interrupts, &c.contexts}) {
    *field = r.u32();
  }
  if (length == kHostCpuBytes) {
    c.cpu_steal = r.u32();
    c.cpu_guest = r.u32();
    c.cpu_guest_nice = r.u32();
  }
  return c;
}

HostMemory read_host_memory(XdrReader& r) {
  HostMemory m;
  for (uint64_t* field : {&m.mem_total, &m.mem_free, &m.mem_shared, &m.mem_buffers, &m.mem_cached,
                          &m.swap_total, &m.swap_free}) {
    *field = r.u64();
  }
  for (uint32_t* field : {&m.page_in, &m.page_out, &m.swap_in, &m.swap_out}) {
    *field = r.u32();
  }
  return m;
}

HostDiskIo read_host_disk_io(XdrReader& r) {
  HostDiskIo d;
  d.disk_total = r.u64();
  d.disk_free = r.u64();
  d.part_max_used = r.i32();
  d.reads = r.u32();
  d.bytes_read = r.u64();
  d.read_time_ms = r.u32();
  d.writes = r.u32();
  d.bytes_written = r.u64();
  d.write_time_ms = r.u32();
  return d;
}

VirtNode read_virt_node(XdrReader& r) {
  VirtNode n;
  n.mhz = r.u32();
  n.cpus = r.u32();
  n.memory = r.u64();
  n.memory_free = r.u64();
  n.num_domains = r.u32();
  return n;
}

VirtCpu read_virt_cpu(XdrReader& r) {
  VirtCpu c;
  c.state = r.u32();
  c.cpu_time_ms = r.u32();
  c.nr_virt_cpu = r.u32();
  return c;
}

VirtMemory read_virt_memory(XdrReader& r) {
  VirtMemory m;
  m.memory = r.u64();
  m.max_memory = r.u64();
  return m;
}

VirtDiskIo read_virt_disk_io(XdrReader& r) {
  VirtDiskIo d;
  d.capacity = r.u64();
  d.allocation = r.u64();
  d.available = r.u64();
  d.rd_req = r.u32();
  d.rd_bytes = r.u64();
  d.wr_req = r.u32();
  d.wr_bytes = r.u64();
  d.errs = r.u32();
  return d;
}

}  // namespace

std::string format_name(uint32_t data_format) {
  return std::to_string(data_format >> 12) + ":" + std::to_string(data_format & 0xFFF);
}

std::optional<FlowRecord> read_flow_record(uint32_t data_format, XdrReader& r) {
  switch (data_format) {
    case kSampledHeaderFormat:
      return read_sampled_header(r);
    case kExtendedSwitchFormat: {
      ExtendedSwitch s;
      for (uint32_t* field : {&s.src_vlan, &s.src_priority, &s.dst_vlan, &s.dst_priority}) {
        *field = r.u32();
      }
      return s;
    }
    case kExtendedTimestampFormat:
      return ExtendedTimestamp{r.u64()};
    case kExtendedEntitiesFormat: {
      ExtendedEntities e;
      e.source = read_data_source(r);
      e.destination = read_data_source(r);
      return e;
    }
    default:
      return std::nullopt;
  }
}

std::optional<CounterRecord> read_counter_record(uint32_t data_format, XdrReader& r) {
  switch (data_format) {
    case kIfCountersFormat:
      return read_if_counters(r);
    case kPortNameFormat:
      return PortName{r.string(kMaxPortNameBytes)};
    case kHostDescrFormat:
      return read_host_descr(r);
    case kHostAdaptersFormat:
      return read_host_adapters(r);
    case kHostParentFormat:
      return HostParent{read_data_source(r)};
    case kHostCpuFormat:
      return read_host_cpu(r);
    case kHostMemoryFormat:
      return read_host_memory(r);
    case kHostDiskIoFormat:
      return read_host_disk_io(r);
    case kHostNetIoFormat:
      return read_net_io<HostNetIo>(r);
    case kHostIpFormat:
      return read_u32_array<HostIp>(r);
    case kHostIcmpFormat:
      return read_u32_array<HostIcmp>(r);
    case kHostTcpFormat:
      return read_u32_array<HostTcp>(r);
    case kHostUdpFormat:
      return read_u32_array<HostUdp>(r);
    case kVirtNodeFormat:
      return read_virt_node(r);
    case kVirtCpuFormat:
      return read_virt_cpu(r);
    case kVirtMemoryFormat:
      return read_virt_memory(r);
    case kVirtDiskIoFormat:
      return read_virt_disk_io(r);
    case kVirtNetIoFormat:
      return read_net_io<VirtNetIo>(r);
    default:
      return std::nullopt;
  }
}

}  // namespace csflowd::sflow
