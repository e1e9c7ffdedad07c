// Parsers for the cgroup v1 and v2 counter files of a container, and for the
// /proc/<pid>/net/dev file of its network namespace. Each takes the file's text.
//
// Limits are returned as std::optional, where nullopt means "no limit". A file that contains
// nothing usable is an error, so the caller can fall back to another file.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "sflow/records.h"

namespace csflowd::counters {

// A file holding one unsigned number: memory.current, memory.usage_in_bytes,
// cpuacct.usage, cpu.cfs_period_us.
Result<uint64_t> parse_single_u64(std::string_view text);

// v2 cpu.stat: usage_usec, microseconds of CPU time.
Result<uint64_t> parse_cpu_stat_usage_usec(std::string_view text);

// v1 cpuacct.stat: user + system, in USER_HZ ticks.
Result<uint64_t> parse_cpuacct_stat_ticks(std::string_view text);

// CPUs allowed by a CFS quota, rounded up: 150000 us per 100000 us is 2 CPUs.
uint32_t cpus_from_quota(uint64_t quota_us, uint64_t period_us);

// v2 cpu.max: "max 100000" has no limit, "200000 100000" allows 2 CPUs. A missing period
// means the kernel default of 100000 us.
Result<std::optional<uint32_t>> parse_cpu_max(std::string_view text);

// v1 cpu.cfs_quota_us and cpu.cfs_period_us: a quota of -1 has no limit.
Result<std::optional<uint32_t>> parse_cfs_quota(std::string_view quota_text,
                                                std::string_view period_text);

// A CPU list as in cpuset.cpus.effective or cpuset.cpus: "0-3,5" has 5 CPUs. Returns 0
// for an empty list, which a cgroup2 cpuset.cpus shows when it inherits its parent's.
Result<uint32_t> parse_cpu_list_count(std::string_view text);

// v2 memory.max: "max" has no limit.
Result<std::optional<uint64_t>> parse_memory_max(std::string_view text);

// v1 memory.limit_in_bytes. "No limit" reads as PAGE_COUNTER_MAX pages in bytes, which is
// 9223372036854771712 with 4 KiB pages and a little less with larger pages, so every
// value within 1 GiB of INT64_MAX counts as no limit.
Result<std::optional<uint64_t>> parse_memory_limit_v1(std::string_view text);

// Block I/O of a container summed over its devices.
struct IoTotals {
  uint64_t read_bytes = 0, write_bytes = 0;
  uint64_t read_ops = 0, write_ops = 0;
};

// v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device. Keys other
// than the four are ignored; an empty file (no I/O yet) is all zero.
IoTotals parse_io_stat(std::string_view text);

// Read and Write sums of a v1 blkio file ("8:0 Read 4096" per device and operation).
// The "Total" lines and the Sync, Async and Discard rows are ignored.
struct BlkioTotals {
  uint64_t read = 0, write = 0;
};
BlkioTotals parse_blkio_file(std::string_view text);

// /proc/<pid>/net/dev of a container's process, summed over every interface except lo.
// The file shows the container's own network namespace, so receive counters are traffic
// into the container. Counts are truncated to 32 bits as sFlow sends them.
sflow::VirtNetIo parse_net_dev(std::string_view text);

}  // namespace csflowd::counters
