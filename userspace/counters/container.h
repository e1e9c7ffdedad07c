// Container counter records (virt_cpu, virt_memory, virt_disk_io, virt_net_io) read from
// the container's cgroup directories, preferring cgroup v2 files and falling back to v1.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "counters/cgroup_location.h"
#include "sflow/records.h"

namespace csflowd::counters {

// virt_cpu without its state, which the caller sets from the container runtime.
// cpu_time_ms comes from v2 cpu.stat, else v1 cpuacct.usage, else cpuacct.stat.
// nr_virt_cpu is the CPU limit (cpu.max or the CFS quota, rounded up), else the size of
// the cpuset, else `host_cpu_count`. Fails when no CPU time file can be read.
Result<sflow::VirtCpu> read_virt_cpu(const CgroupLocation& location, uint32_t host_cpu_count);

// The CPU count that read_virt_cpu() reports as nr_virt_cpu.
uint32_t read_virt_cpu_count(const CgroupLocation& location, uint32_t host_cpu_count);

// virt_memory: v2 memory.current and memory.max, else v1 memory.usage_in_bytes and
// memory.limit_in_bytes. A container without a limit reports `host_mem_total` as
// max_memory. Fails when no usage file can be read.
Result<sflow::VirtMemory> read_virt_memory(const CgroupLocation& location, uint64_t host_mem_total);

// virt_disk_io: v2 io.stat, else the v1 blkio files, tried in this order:
// throttle.*_recursive, throttle.*, then the CFQ/BFQ *_recursive and plain names.
// capacity, allocation, available and errs are 0. Fails when none of the files exists,
// as on a cgroup2 host whose io controller is not enabled for the container.
Result<sflow::VirtDiskIo> read_virt_disk_io(const CgroupLocation& location);

// virt_net_io from <proc_root>/<pid>/net/dev.
Result<sflow::VirtNetIo> read_virt_net_io(const std::string& proc_root, int pid);

}  // namespace csflowd::counters
