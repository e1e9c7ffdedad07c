#include "counters/container.h"

#include <array>
#include <optional>

#include "counters/cgroup_parsers.h"
#include "counters/host.h"
#include "counters/text.h"

namespace csflowd::counters {

namespace {

constexpr uint64_t kNanosPerMs = 1000000;
constexpr uint64_t kMicrosPerMs = 1000;

// Reads dir/name; nullopt when the directory is unknown or the file cannot be read.
std::optional<std::string> read_cgroup_file(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::nullopt;
  auto text = read_text_file(dir + "/" + std::string(name));
  if (!text) return std::nullopt;
  return std::move(*text);
}

std::optional<uint64_t> read_cpu_time_ms(const CgroupLocation& location) {
  if (auto text = read_cgroup_file(location.unified, "cpu.stat")) {
    if (auto usec = parse_cpu_stat_usage_usec(*text)) return *usec / kMicrosPerMs;
  }
  if (auto text = read_cgroup_file(location.cpuacct, "cpuacct.usage")) {
    if (auto ns = parse_single_u64(*text)) return *ns / kNanosPerMs;
  }
  if (auto text = read_cgroup_file(location.cpuacct, "cpuacct.stat")) {
    if (auto ticks = parse_cpuacct_stat_ticks(*text)) return ticks_to_ms(*ticks, user_hz());
  }
  return std::nullopt;
}

std::optional<uint32_t> read_cpu_limit(const CgroupLocation& location) {
  if (auto text = read_cgroup_file(location.unified, "cpu.max")) {
    if (auto limit = parse_cpu_max(*text)) return *limit;
  }
  auto quota = read_cgroup_file(location.cpu, "cpu.cfs_quota_us");
  auto period = read_cgroup_file(location.cpu, "cpu.cfs_period_us");
  if (quota && period) {
    if (auto limit = parse_cfs_quota(*quota, *period)) return *limit;
  }
  return std::nullopt;
}

std::optional<uint32_t> read_cpuset_size(const CgroupLocation& location) {
  const std::array<std::pair<const std::string*, std::string_view>, 4> files = {{
      {&location.unified, "cpuset.cpus.effective"},
      {&location.unified, "cpuset.cpus"},
      {&location.cpuset, "cpuset.effective_cpus"},
      {&location.cpuset, "cpuset.cpus"},
  }};
  for (const auto& [dir, name] : files) {
    auto text = read_cgroup_file(*dir, name);
    if (!text) continue;
    auto count = parse_cpu_list_count(*text);
    if (count && *count > 0) return *count;
  }
  return std::nullopt;
}

std::string describe(const CgroupLocation& location) {
  if (!location.unified.empty()) return location.unified;
  if (!location.cpuacct.empty()) return location.cpuacct;
  if (!location.memory.empty()) return location.memory;
  return location.blkio;
}

std::optional<IoTotals> read_blkio(const std::string& dir) {
  constexpr std::array<std::string_view, 4> kPrefixes = {"blkio.throttle.", "blkio.throttle.",
                                                         "blkio.", "blkio."};
  constexpr std::array<std::string_view, 4> kSuffixes = {"_recursive", "", "_recursive", ""};
  for (size_t i = 0; i < kPrefixes.size(); ++i) {
    std::string bytes_name =
        std::string(kPrefixes[i]) + "io_service_bytes" + std::string(kSuffixes[i]);
    std::string ops_name = std::string(kPrefixes[i]) + "io_serviced" + std::string(kSuffixes[i]);
    auto bytes = read_cgroup_file(dir, bytes_name);
    if (!bytes) continue;
    BlkioTotals byte_totals = parse_blkio_file(*bytes);
    BlkioTotals op_totals;
    if (auto ops = read_cgroup_file(dir, ops_name)) op_totals = parse_blkio_file(*ops);
    return IoTotals{byte_totals.read, byte_totals.write, op_totals.read, op_totals.write};
  }
  return std::nullopt;
}

}  // namespace

uint32_t read_virt_cpu_count(const CgroupLocation& location, uint32_t host_cpu_count) {
  if (auto limit = read_cpu_limit(location)) return *limit;
  if (auto cpuset = read_cpuset_size(location)) return *cpuset;
  return host_cpu_count;
}

Result<sflow::VirtCpu> read_virt_cpu(const CgroupLocation& location, uint32_t host_cpu_count) {
  std::optional<uint64_t> ms = read_cpu_time_ms(location);
  if (!ms) {
    return plain_error("no readable cpu.stat, cpuacct.usage or cpuacct.stat for cgroup '" +
                       describe(location) + "'");
  }
  sflow::VirtCpu cpu;
  cpu.cpu_time_ms = static_cast<uint32_t>(*ms);
  cpu.nr_virt_cpu = read_virt_cpu_count(location, host_cpu_count);
  return cpu;
}

Result<sflow::VirtMemory> read_virt_memory(const CgroupLocation& location,
                                           uint64_t host_mem_total) {
  std::optional<uint64_t> usage;
  std::optional<uint64_t> limit;
  if (auto text = read_cgroup_file(location.unified, "memory.current")) {
    if (auto value = parse_single_u64(*text)) usage = *value;
    if (auto max = read_cgroup_file(location.unified, "memory.max")) {
      if (auto value = parse_memory_max(*max)) limit = *value;
    }
  }
  if (!usage) {
    if (auto text = read_cgroup_file(location.memory, "memory.usage_in_bytes")) {
      if (auto value = parse_single_u64(*text)) usage = *value;
    }
    if (auto max = read_cgroup_file(location.memory, "memory.limit_in_bytes")) {
      if (auto value = parse_memory_limit_v1(*max)) limit = *value;
    }
  }
  if (!usage) {
    return plain_error("no readable memory.current or memory.usage_in_bytes for cgroup '" +
                       describe(location) + "'");
  }
  return sflow::VirtMemory{*usage, limit.value_or(host_mem_total)};
}

Result<sflow::VirtDiskIo> read_virt_disk_io(const CgroupLocation& location) {
  std::optional<IoTotals> totals;
  if (auto text = read_cgroup_file(location.unified, "io.stat")) totals = parse_io_stat(*text);
  if (!totals) totals = read_blkio(location.blkio);
  if (!totals) {
    return plain_error("no io.stat or blkio files for cgroup '" + describe(location) + "'");
  }
  sflow::VirtDiskIo io;
  io.rd_req = static_cast<uint32_t>(totals->read_ops);
  io.rd_bytes = totals->read_bytes;
  io.wr_req = static_cast<uint32_t>(totals->write_ops);
  io.wr_bytes = totals->write_bytes;
  return io;
}

Result<sflow::VirtNetIo> read_virt_net_io(const std::string& proc_root, int pid) {
  auto text = read_text_file(join_root(proc_root, "/" + std::to_string(pid) + "/net/dev"));
  if (!text) return text.error();
  return parse_net_dev(*text);
}

}  // namespace csflowd::counters
