// sFlow v5 structure numbers (enterprise 0) and string limits used by the encoder and
// the decoder. A data_format word is (enterprise << 12) | format.
#pragma once

#include <cstddef>
#include <cstdint>

namespace csflowd::sflow {

inline constexpr uint32_t kDatagramVersion = 5;

// sample_data formats.
inline constexpr uint32_t kFlowSampleExpanded = 3;
inline constexpr uint32_t kCounterSampleExpanded = 4;

// flow_data formats.
inline constexpr uint32_t kSampledHeaderFormat = 1;
inline constexpr uint32_t kExtendedSwitchFormat = 1001;
inline constexpr uint32_t kExtendedTimestampFormat = 1043;
inline constexpr uint32_t kExtendedEntitiesFormat = 2210;

// counter_data formats.
inline constexpr uint32_t kIfCountersFormat = 1;
inline constexpr uint32_t kPortNameFormat = 1005;
inline constexpr uint32_t kHostDescrFormat = 2000;
inline constexpr uint32_t kHostAdaptersFormat = 2001;
inline constexpr uint32_t kHostParentFormat = 2002;
inline constexpr uint32_t kHostCpuFormat = 2003;
inline constexpr uint32_t kHostMemoryFormat = 2004;
inline constexpr uint32_t kHostDiskIoFormat = 2005;
inline constexpr uint32_t kHostNetIoFormat = 2006;
inline constexpr uint32_t kHostIpFormat = 2007;
inline constexpr uint32_t kHostIcmpFormat = 2008;
inline constexpr uint32_t kHostTcpFormat = 2009;
inline constexpr uint32_t kHostUdpFormat = 2010;
inline constexpr uint32_t kVirtNodeFormat = 2100;
inline constexpr uint32_t kVirtCpuFormat = 2101;
inline constexpr uint32_t kVirtMemoryFormat = 2102;
inline constexpr uint32_t kVirtDiskIoFormat = 2103;
inline constexpr uint32_t kVirtNetIoFormat = 2104;

// Maximum string lengths on the wire; longer values are cut by the encoder and rejected
// by the decoder.
inline constexpr size_t kMaxHostnameBytes = 64;
inline constexpr size_t kMaxOsReleaseBytes = 32;
inline constexpr size_t kMaxPortNameBytes = 255;

// host_cpu payload sizes: 80 bytes with cpu_steal, cpu_guest and cpu_guest_nice, and the
// original 68-byte form without them.
inline constexpr size_t kHostCpuBytes = 80;
inline constexpr size_t kHostCpuShortBytes = 68;

}  // namespace csflowd::sflow
