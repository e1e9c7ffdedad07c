// XDR encoding of sFlow v5 records and samples (sflow_version_5.txt, sflow_host.txt).
//
// Each encode_* function for a record appends the whole record to the writer:
// u32 data_format, u32 length of the payload, then the payload.
#pragma once

#include "sflow/records.h"
#include "sflow/xdr.h"

namespace csflowd::sflow {

// address: u32 type (1 = IPv4, 2 = IPv6), then 4 or 16 bytes. Any type other than IPv6
// is written as IPv4, so type 0 (unknown) never goes out.
void encode_address(XdrWriter& out, const Address& address);

// ---- flow records ----
void encode_sampled_header(XdrWriter& out, const SampledHeader& record);
void encode_extended_switch(XdrWriter& out, const ExtendedSwitch& record);
void encode_extended_timestamp(XdrWriter& out, const ExtendedTimestamp& record);
void encode_extended_entities(XdrWriter& out, const ExtendedEntities& record);
void encode_flow_record(XdrWriter& out, const FlowRecord& record);

// ---- counter records ----
void encode_if_counters(XdrWriter& out, const IfCounters& record);
void encode_port_name(XdrWriter& out, const PortName& record);
void encode_host_descr(XdrWriter& out, const HostDescr& record);
void encode_host_adapters(XdrWriter& out, const HostAdapters& record);
void encode_host_parent(XdrWriter& out, const HostParent& record);
void encode_host_cpu(XdrWriter& out, const HostCpu& record);
void encode_host_memory(XdrWriter& out, const HostMemory& record);
void encode_host_disk_io(XdrWriter& out, const HostDiskIo& record);
void encode_host_net_io(XdrWriter& out, const HostNetIo& record);
void encode_host_ip(XdrWriter& out, const HostIp& record);
void encode_host_icmp(XdrWriter& out, const HostIcmp& record);
void encode_host_tcp(XdrWriter& out, const HostTcp& record);
void encode_host_udp(XdrWriter& out, const HostUdp& record);
void encode_virt_node(XdrWriter& out, const VirtNode& record);
void encode_virt_cpu(XdrWriter& out, const VirtCpu& record);
void encode_virt_memory(XdrWriter& out, const VirtMemory& record);
void encode_virt_disk_io(XdrWriter& out, const VirtDiskIo& record);
void encode_virt_net_io(XdrWriter& out, const VirtNetIo& record);
void encode_counter_record(XdrWriter& out, const CounterRecord& record);

// ---- samples ----
// flow_sample_expanded: u32 3, u32 length, then the 44-byte fixed part and the records.
void encode_flow_sample(XdrWriter& out, const FlowSample& sample);
// counters_sample_expanded: u32 4, u32 length, then the 16-byte fixed part and the records.
void encode_counter_sample(XdrWriter& out, const CounterSample& sample);

}  // namespace csflowd::sflow
