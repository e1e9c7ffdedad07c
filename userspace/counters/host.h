// Host counter records for the host's own counter sample, data source (2, 1): readers that
// open the /proc and /sys files, and builders that turn parsed values into sFlow records.
// host_adapters and host_net_io come from the netlink link list and are built elsewhere.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "counters/host_parsers.h"
#include "sflow/records.h"

namespace csflowd::counters {

// Locations of the host's files. Tests point these at a fixture tree; an agent running in a
// container with the host's file systems mounted elsewhere points them there.
struct HostPaths {
  std::string proc_root = "/proc";
  std::string sys_root = "/sys";
  std::string etc_root = "/etc";
  std::string mount_root = "/";  // prefix added to each mount point before statvfs()
};

// USER_HZ, the unit of /proc/stat and cpuacct.stat, from sysconf(_SC_CLK_TCK); 100 if
// sysconf fails.
long user_hz();

// Converts USER_HZ ticks to milliseconds, truncated to 32 bits as sFlow sends them.
uint32_t ticks_to_ms(uint64_t ticks, long hz);

// Builds host_cpu. proc_run excludes the agent itself, which is running while it reads.
sflow::HostCpu make_host_cpu(const ProcStat& stat, const LoadAvg& load, double uptime_s,
                             uint32_t cpu_mhz, long hz);

// Builds host_memory; paging counts are truncated to 32 bits.
sflow::HostMemory make_host_memory(const MemInfo& mem, const VmStat& vm);

// The file readers. Each fails when a file it needs cannot be read or parsed.
Result<ProcStat> read_proc_stat(const HostPaths& paths);
Result<MemInfo> read_meminfo(const HostPaths& paths);

// CPU clock in MHz: /proc/cpuinfo, else cpu0's cpufreq cpuinfo_max_freq; 0 when unknown.
uint32_t read_cpu_mhz(const HostPaths& paths);

// host_cpu from /proc/stat, /proc/loadavg, /proc/uptime and read_cpu_mhz().
Result<sflow::HostCpu> read_host_cpu(const HostPaths& paths);

// host_memory from /proc/meminfo and /proc/vmstat (missing vmstat counts stay 0).
Result<sflow::HostMemory> read_host_memory(const HostPaths& paths);

// host_disk_io from /proc/diskstats, /proc/mounts and statvfs() of each local mount. A
// mount that statvfs() rejects is left out and logged at debug level.
Result<sflow::HostDiskIo> read_host_disk_io(const HostPaths& paths);

// host_ip, host_icmp, host_tcp and host_udp from /proc/net/snmp.
Result<SnmpCounters> read_net_snmp(const HostPaths& paths);

// The host's UUID: the DMI product_uuid, else /etc/machine-id; nullopt when neither
// contains 32 hex digits. product_uuid is readable by root only.
std::optional<std::array<uint8_t, 16>> read_host_uuid(const HostPaths& paths);

// host_descr from uname() and read_host_uuid(); the uuid stays all zero when unknown.
Result<sflow::HostDescr> read_host_descr(const HostPaths& paths);

}  // namespace csflowd::counters
