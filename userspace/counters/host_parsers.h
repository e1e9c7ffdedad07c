// Parsers for the host counter files under /proc. Each takes the file's text and never
// reads the file system, so tests feed them fixtures.
//
// Unknown values: a field that is missing from the text becomes 0. This matches what
// hsflowd sends for the host structures, and records.h defaults to 0 as well. Lines and
// fields added by newer kernels are ignored. A parser returns an error only when the text
// lacks the one line without which the record means nothing (the "cpu" line of /proc/stat,
// MemTotal of /proc/meminfo, and so on).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sflow/records.h"

namespace csflowd::counters {

// Jiffies (USER_HZ ticks) from the aggregate "cpu" line of /proc/stat.
struct CpuJiffies {
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  uint64_t steal = 0, guest = 0, guest_nice = 0;
};

struct ProcStat {
  CpuJiffies cpu;
  uint32_t cpu_count = 0;  // number of "cpuN" lines, i.e. online CPUs
  uint64_t interrupts = 0;
  uint64_t context_switches = 0;
  uint64_t procs_running = 0;
};

// /proc/stat; fails when there is no "cpu " line.
Result<ProcStat> parse_proc_stat(std::string_view text);

struct LoadAvg {
  double one = 0, five = 0, fifteen = 0;
  uint64_t running = 0, total = 0;  // the "1/93" field: runnable and total tasks
};

// /proc/loadavg: "0.04 0.13 0.08 1/93 6731".
Result<LoadAvg> parse_loadavg(std::string_view text);

// /proc/uptime: returns the first number, seconds since boot.
Result<double> parse_uptime(std::string_view text);

// /proc/meminfo values converted from kB to bytes.
struct MemInfo {
  uint64_t total = 0, free = 0, shared = 0, buffers = 0;
  uint64_t cached = 0;  // Cached plus SReclaimable, as hsflowd reports it
  uint64_t swap_total = 0, swap_free = 0;
};

// /proc/meminfo; fails when MemTotal is missing.
Result<MemInfo> parse_meminfo(std::string_view text);

struct VmStat {
  uint64_t pgpgin = 0, pgpgout = 0, pswpin = 0, pswpout = 0;
};

// /proc/vmstat; missing keys stay 0.
VmStat parse_vmstat(std::string_view text);

// One line of /proc/diskstats, with the fields sFlow uses.
struct DiskStat {
  uint32_t major = 0, minor = 0;
  std::string name;
  uint64_t reads = 0, sectors_read = 0, read_time_ms = 0;
  uint64_t writes = 0, sectors_written = 0, write_time_ms = 0;
};

// /proc/diskstats; lines with fewer than the 14 fields of the oldest format are skipped.
std::vector<DiskStat> parse_diskstats(std::string_view text);

struct SnmpCounters {
  sflow::HostIp ip;
  sflow::HostIcmp icmp;
  sflow::HostTcp tcp;
  sflow::HostUdp udp;
};

// /proc/net/snmp: pairs of "Proto: names..." and "Proto: values..." lines, mapped by name
// into the field order of the sFlow structures. Missing names stay 0; negative values
// (Tcp MaxConn -1) and values above 32 bits are truncated to 32 bits as on the wire.
SnmpCounters parse_net_snmp(std::string_view text);

// /proc/cpuinfo: the first "cpu MHz" value rounded to an integer; nullopt when absent
// (arm64 kernels do not print it).
std::optional<uint32_t> parse_cpuinfo_mhz(std::string_view text);

// A UUID or machine id: 32 hex digits, dashes allowed, surrounding whitespace ignored.
// nullopt for anything else and for the all-zero and all-ones placeholders that firmware
// writes when it has no UUID.
std::optional<std::array<uint8_t, 16>> parse_uuid(std::string_view text);

// sFlow machine_type from a uname machine string: x86_64 -> 3, aarch64 -> 10, ...
// Returns 1 (other) for unknown names and 0 for an empty one.
uint32_t machine_type_from_uname(std::string_view machine);

}  // namespace csflowd::counters
