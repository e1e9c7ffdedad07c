#include "sflow/encoder.h"

#include <span>
#include <variant>

#include "sflow/formats.h"

namespace csflowd::sflow {
namespace {

// Writes one (format, length, payload) record; body() writes the payload.
template <typename Body>
void write_record(XdrWriter& out, uint32_t format, Body&& body) {
  size_t length_offset = out.begin_element(format);
  body();
  out.end_element(length_offset);
}

void write_data_source(XdrWriter& out, const DataSource& source) {
  out.u32(static_cast<uint32_t>(source.ds_class));
  out.u32(source.ds_index);
}

void write_net_io(XdrWriter& out, const NetIo& io) {
  out.u64(io.bytes_in);
  out.u32(io.pkts_in);
  out.u32(io.errs_in);
  out.u32(io.drops_in);
  out.u64(io.bytes_out);
  out.u32(io.pkts_out);
  out.u32(io.errs_out);
  out.u32(io.drops_out);
}

template <size_t N>
void write_u32_array(XdrWriter& out, const std::array<uint32_t, N>& values) {
  for (uint32_t value : values) {
    out.u32(value);
  }
}

}  // namespace

void encode_address(XdrWriter& out, const Address& address) {
  if (address.type == Address::Type::kIpv6) {
    out.u32(static_cast<uint32_t>(Address::Type::kIpv6));
    out.fixed_opaque(address.bytes);
    return;
  }
  out.u32(static_cast<uint32_t>(Address::Type::kIpv4));
  out.fixed_opaque(std::span<const uint8_t>(address.bytes).first(4));
}

// ---- flow records ---------------------------------------------------------------------

void encode_sampled_header(XdrWriter& out, const SampledHeader& record) {
  write_record(out, kSampledHeaderFormat, [&] {
    out.u32(record.header_protocol);
    out.u32(record.frame_length);
    out.u32(record.stripped);
    out.variable_opaque(record.header, record.header.size());
  });
}

void encode_extended_switch(XdrWriter& out, const ExtendedSwitch& record) {
  write_record(out, kExtendedSwitchFormat, [&] {
    out.u32(record.src_vlan);
    out.u32(record.src_priority);
    out.u32(record.dst_vlan);
    out.u32(record.dst_priority);
  });
}

void encode_extended_timestamp(XdrWriter& out, const ExtendedTimestamp& record) {
  write_record(out, kExtendedTimestampFormat, [&] { out.u64(record.nanoseconds); });
}

void encode_extended_entities(XdrWriter& out, const ExtendedEntities& record) {
  write_record(out, kExtendedEntitiesFormat, [&] {
    write_data_source(out, record.source);
    write_data_source(out, record.destination);
  });
}

void encode_flow_record(XdrWriter& out, const FlowRecord& record) {
  std::visit(
      [&out](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, SampledHeader>) {
          encode_sampled_header(out, value);
        } else if constexpr (std::is_same_v<T, ExtendedSwitch>) {
          encode_extended_switch(out, value);
        } else if constexpr (std::is_same_v<T, ExtendedTimestamp>) {
          encode_extended_timestamp(out, value);
        } else {
          static_assert(std::is_same_v<T, ExtendedEntities>);
          encode_extended_entities(out, value);
        }
      },
      record);
}

// ---- counter records ------------------------------------------------------------------

void encode_if_counters(XdrWriter& out, const IfCounters& r) {
  write_record(out, kIfCountersFormat, [&] {
    out.u32(r.if_index);
    out.u32(r.if_type);
    out.u64(r.if_speed);
    out.u32(r.if_direction);
    out.u32(r.if_status);
    out.u64(r.in_octets);
    out.u32(r.in_ucast_pkts);
    out.u32(r.in_multicast_pkts);
    out.u32(r.in_broadcast_pkts);
    out.u32(r.in_discards);
    out.u32(r.in_errors);
    out.u32(r.in_unknown_protos);
    out.u64(r.out_octets);
    out.u32(r.out_ucast_pkts);
    out.u32(r.out_multicast_pkts);
    out.u32(r.out_broadcast_pkts);
    out.u32(r.out_discards);
    out.u32(r.out_errors);
    out.u32(r.promiscuous_mode);
  });
}

void encode_port_name(XdrWriter& out, const PortName& record) {
  write_record(out, kPortNameFormat, [&] { out.string(record.name, kMaxPortNameBytes); });
}

void encode_host_descr(XdrWriter& out, const HostDescr& record) {
  write_record(out, kHostDescrFormat, [&] {
    out.string(record.hostname, kMaxHostnameBytes);
    out.fixed_opaque(record.uuid);
    out.u32(record.machine_type);
    out.u32(record.os_name);
    out.string(record.os_release, kMaxOsReleaseBytes);
  });
}

void encode_host_adapters(XdrWriter& out, const HostAdapters& record) {
  write_record(out, kHostAdaptersFormat, [&] {
    out.u32(static_cast<uint32_t>(record.adapters.size()));
    for (const Adapter& adapter : record.adapters) {
      out.u32(adapter.if_index);
      out.u32(static_cast<uint32_t>(adapter.macs.size()));
      for (const auto& mac : adapter.macs) {
        out.fixed_opaque(mac);  // 6 bytes padded to 8
      }
    }
  });
}

void encode_host_parent(XdrWriter& out, const HostParent& record) {
  write_record(out, kHostParentFormat, [&] { write_data_source(out, record.parent); });
}

void encode_host_cpu(XdrWriter& out, const HostCpu& r) {
  write_record(out, kHostCpuFormat, [&] {
    out.f32(r.load_one);
    out.f32(r.load_five);
    out.f32(r.load_fifteen);
    for (uint32_t value :
         {r.proc_run, r.proc_total, r.cpu_num, r.cpu_speed_mhz, r.uptime_s, r.cpu_user, r.cpu_nice,
          r.cpu_system, r.cpu_idle, r.cpu_wio, r.cpu_intr, r.cpu_sintr, r.interrupts, r.contexts,
          r.cpu_steal, r.cpu_guest, r.cpu_guest_nice}) {
      out.u32(value);
    }
  });
}

void encode_host_memory(XdrWriter& out, const HostMemory& r) {
  write_record(out, kHostMemoryFormat, [&] {
    for (uint64_t value : {r.mem_total, r.mem_free, r.mem_shared, r.mem_buffers, r.mem_cached,
                           r.swap_total, r.swap_free}) {
      out.u64(value);
    }
    for (uint32_t value : {r.page_in, r.page_out, r.swap_in, r.swap_out}) {
      out.u32(value);
    }
  });
}

void encode_host_disk_io(XdrWriter& out, const HostDiskIo& r) {
  write_record(out, kHostDiskIoFormat, [&] {
    out.u64(r.disk_total);
    out.u64(r.disk_free);
    out.i32(r.part_max_used);
    out.u32(r.reads);
    out.u64(r.bytes_read);
    out.u32(r.read_time_ms);
    out.u32(r.writes);
    out.u64(r.bytes_written);
    out.u32(r.write_time_ms);
  });
}

void encode_host_net_io(XdrWriter& out, const HostNetIo& record) {
  write_record(out, kHostNetIoFormat, [&] { write_net_io(out, record); });
}

void encode_host_ip(XdrWriter& out, const HostIp& record) {
  write_record(out, kHostIpFormat, [&] { write_u32_array(out, record.values); });
}

void encode_host_icmp(XdrWriter& out, const HostIcmp& record) {
  write_record(out, kHostIcmpFormat, [&] { write_u32_array(out, record.values); });
}

void encode_host_tcp(XdrWriter& out, const HostTcp& record) {
  write_record(out, kHostTcpFormat, [&] { write_u32_array(out, record.values); });
}

void encode_host_udp(XdrWriter& out, const HostUdp& record) {
  write_record(out, kHostUdpFormat, [&] { write_u32_array(out, record.values); });
}

void encode_virt_node(XdrWriter& out, const VirtNode& r) {
  write_record(out, kVirtNodeFormat, [&] {
    out.u32(r.mhz);
    out.u32(r.cpus);
    out.u64(r.memory);
    out.u64(r.memory_free);
    out.u32(r.num_domains);
  });
}

void encode_virt_cpu(XdrWriter& out, const VirtCpu& r) {
  write_record(out, kVirtCpuFormat, [&] {
    out.u32(r.state);
    out.u32(r.cpu_time_ms);
    out.u32(r.nr_virt_cpu);
  });
}

void encode_virt_memory(XdrWriter& out, const VirtMemory& r) {
  write_record(out, kVirtMemoryFormat, [&] {
    out.u64(r.memory);
    out.u64(r.max_memory);
  });
}

void encode_virt_disk_io(XdrWriter& out, const VirtDiskIo& r) {
  write_record(out, kVirtDiskIoFormat, [&] {
    out.u64(r.capacity);
    out.u64(r.allocation);
    out.u64(r.available);
    out.u32(r.rd_req);
    out.u64(r.rd_bytes);
    out.u32(r.wr_req);
    out.u64(r.wr_bytes);
    out.u32(r.errs);
  });
}

void encode_virt_net_io(XdrWriter& out, const VirtNetIo& record) {
  write_record(out, kVirtNetIoFormat, [&] { write_net_io(out, record); });
}

void encode_counter_record(XdrWriter& out, const CounterRecord& record) {
  std::visit(
      [&out](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, IfCounters>) {
          encode_if_counters(out, value);
        } else if constexpr (std::is_same_v<T, PortName>) {
          encode_port_name(out, value);
        } else if constexpr (std::is_same_v<T, HostDescr>) {
          encode_host_descr(out, value);
        } else if constexpr (std::is_same_v<T, HostAdapters>) {
          encode_host_adapters(out, value);
        } else if constexpr (std::is_same_v<T, HostParent>) {
          encode_host_parent(out, value);
        } else if constexpr (std::is_same_v<T, HostCpu>) {
          encode_host_cpu(out, value);
        } else if constexpr (std::is_same_v<T, HostMemory>) {
          encode_host_memory(out, value);
        } else if constexpr (std::is_same_v<T, HostDiskIo>) {
          encode_host_disk_io(out, value);
        } else if constexpr (std::is_same_v<T, HostNetIo>) {
          encode_host_net_io(out, value);
        } else if constexpr (std::is_same_v<T, HostIp>) {
          encode_host_ip(out, value);
        } else if constexpr (std::is_same_v<T, HostIcmp>) {
          encode_host_icmp(out, value);
        } else if constexpr (std::is_same_v<T, HostTcp>) {
          encode_host_tcp(out, value);
        } else if constexpr (std::is_same_v<T, HostUdp>) {
          encode_host_udp(out, value);
        } else if constexpr (std::is_same_v<T, VirtNode>) {
          encode_virt_node(out, value);
        } else if constexpr (std::is_same_v<T, VirtCpu>) {
          encode_virt_cpu(out, value);
        } else if constexpr (std::is_same_v<T, VirtMemory>) {
          encode_virt_memory(out, value);
        } else if constexpr (std::is_same_v<T, VirtDiskIo>) {
          encode_virt_disk_io(out, value);
        } else {
          static_assert(std::is_same_v<T, VirtNetIo>);
          encode_virt_net_io(out, value);
        }
      },
      record);
}

// ---- samples --------------------------------------------------------------------------

void encode_flow_sample(XdrWriter& out, const FlowSample& sample) {
  write_record(out, kFlowSampleExpanded, [&] {
    out.u32(sample.sequence_number);
    write_data_source(out, sample.source);
    out.u32(sample.sampling_rate);
    out.u32(sample.sample_pool);
    out.u32(sample.drops);
    out.u32(sample.input.format);
    out.u32(sample.input.value);
    out.u32(sample.output.format);
    out.u32(sample.output.value);
    out.u32(static_cast<uint32_t>(sample.records.size()));
    for (const FlowRecord& record : sample.records) {
      encode_flow_record(out, record);
    }
  });
}

void encode_counter_sample(XdrWriter& out, const CounterSample& sample) {
  write_record(out, kCounterSampleExpanded, [&] {
    out.u32(sample.sequence_number);
    write_data_source(out, sample.source);
    out.u32(static_cast<uint32_t>(sample.records.size()));
    for (const CounterRecord& record : sample.records) {
      encode_counter_record(out, record);
    }
  });
}

}  // namespace csflowd::sflow
