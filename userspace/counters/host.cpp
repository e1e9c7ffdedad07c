#include "counters/host.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>

#include "common/log.h"
#include "counters/host_disk.h"
#include "counters/text.h"

namespace csflowd::counters {

namespace {

constexpr long kDefaultUserHz = 100;

Result<std::string> read_proc(const HostPaths& paths, std::string_view name) {
  return read_text_file(join_root(paths.proc_root, name));
}

uint32_t clamp_u32(double value) {
  if (!(value > 0)) return 0;
  if (value >= UINT32_MAX) return UINT32_MAX;
  return static_cast<uint32_t>(value);
}

}  // namespace

long user_hz() {
  long hz = sysconf(_SC_CLK_TCK);
  return hz > 0 ? hz : kDefaultUserHz;
}

uint32_t ticks_to_ms(uint64_t ticks, long hz) {
  if (hz <= 0) hz = kDefaultUserHz;
  // Split the product so that ticks * 1000 cannot overflow 64 bits.
  uint64_t whole = ticks / static_cast<uint64_t>(hz);
  uint64_t rest = ticks % static_cast<uint64_t>(hz);
  return static_cast<uint32_t>(whole * 1000 + rest * 1000 / static_cast<uint64_t>(hz));
}

sflow::HostCpu make_host_cpu(const ProcStat& stat, const LoadAvg& load, double uptime_s,
                             uint32_t cpu_mhz, long hz) {
  sflow::HostCpu cpu;
  cpu.load_one = static_cast<float>(load.one);
  cpu.load_five = static_cast<float>(load.five);
  cpu.load_fifteen = static_cast<float>(load.fifteen);
  cpu.proc_run = static_cast<uint32_t>(stat.procs_running > 0 ? stat.procs_running - 1 : 0);
  cpu.proc_total = static_cast<uint32_t>(load.total);
  cpu.cpu_num = stat.cpu_count;
  cpu.cpu_speed_mhz = cpu_mhz;
  cpu.uptime_s = clamp_u32(uptime_s);
  cpu.cpu_user = ticks_to_ms(stat.cpu.user, hz);
  cpu.cpu_nice = ticks_to_ms(stat.cpu.nice, hz);
  cpu.cpu_system = ticks_to_ms(stat.cpu.system, hz);
  cpu.cpu_idle = ticks_to_ms(stat.cpu.idle, hz);
  cpu.cpu_wio = ticks_to_ms(stat.cpu.iowait, hz);
  cpu.cpu_intr = ticks_to_ms(stat.cpu.irq, hz);
  cpu.cpu_sintr = ticks_to_ms(stat.cpu.softirq, hz);
  cpu.interrupts = static_cast<uint32_t>(stat.interrupts);
  cpu.contexts = static_cast<uint32_t>(stat.context_switches);
  cpu.cpu_steal = ticks_to_ms(stat.cpu.steal, hz);
  cpu.cpu_guest = ticks_to_ms(stat.cpu.guest, hz);
  cpu.cpu_guest_nice = ticks_to_ms(stat.cpu.guest_nice, hz);
  return cpu;
}

sflow::HostMemory make_host_memory(const MemInfo& mem, const VmStat& vm) {
  sflow::HostMemory out;
  out.mem_total = mem.total;
  out.mem_free = mem.free;
  out.mem_shared = mem.shared;
  out.mem_buffers = mem.buffers;
  out.mem_cached = mem.cached;
  out.swap_total = mem.swap_total;
  out.swap_free = mem.swap_free;
  out.page_in = static_cast<uint32_t>(vm.pgpgin);
  out.page_out = static_cast<uint32_t>(vm.pgpgout);
  out.swap_in = static_cast<uint32_t>(vm.pswpin);
  out.swap_out = static_cast<uint32_t>(vm.pswpout);
  return out;
}

Result<ProcStat> read_proc_stat(const HostPaths& paths) {
  auto text = read_proc(paths, "/stat");
  if (!text) return text.error();
  return parse_proc_stat(*text);
}

Result<MemInfo> read_meminfo(const HostPaths& paths) {
  auto text = read_proc(paths, "/meminfo");
  if (!text) return text.error();
  return parse_meminfo(*text);
}

uint32_t read_cpu_mhz(const HostPaths& paths) {
  if (auto text = read_proc(paths, "/cpuinfo")) {
    if (auto mhz = parse_cpuinfo_mhz(*text)) return *mhz;
  }
  std::string freq_path =
      join_root(paths.sys_root, "/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
  if (auto text = read_text_file(freq_path)) {
    if (auto khz = parse_u64(trim(*text))) return static_cast<uint32_t>(*khz / 1000);
  }
  return 0;
}

Result<sflow::HostCpu> read_host_cpu(const HostPaths& paths) {
  auto stat = read_proc_stat(paths);
  if (!stat) return stat.error();
  auto load_text = read_proc(paths, "/loadavg");
  if (!load_text) return load_text.error();
  auto load = parse_loadavg(*load_text);
  if (!load) return load.error();
  auto uptime_text = read_proc(paths, "/uptime");
  if (!uptime_text) return uptime_text.error();
  auto uptime = parse_uptime(*uptime_text);
  if (!uptime) return uptime.error();
  return make_host_cpu(*stat, *load, *uptime, read_cpu_mhz(paths), user_hz());
}

Result<sflow::HostMemory> read_host_memory(const HostPaths& paths) {
  auto mem = read_meminfo(paths);
  if (!mem) return mem.error();
  VmStat vm;
  if (auto text = read_proc(paths, "/vmstat")) vm = parse_vmstat(*text);
  return make_host_memory(*mem, vm);
}

Result<sflow::HostDiskIo> read_host_disk_io(const HostPaths& paths) {
  auto disk_text = read_proc(paths, "/diskstats");
  if (!disk_text) return disk_text.error();
  std::vector<DiskStat> whole;
  for (DiskStat& disk : parse_diskstats(*disk_text)) {
    if (is_whole_disk(disk, paths.sys_root)) whole.push_back(std::move(disk));
  }
  auto mounts_text = read_proc(paths, "/mounts");
  if (!mounts_text) return mounts_text.error();
  std::vector<FsUsage> file_systems;
  for (const BlockMount& mount : parse_block_mounts(*mounts_text)) {
    auto usage = stat_filesystem(join_root(paths.mount_root, mount.mount_point));
    if (usage) {
      file_systems.push_back(*usage);
    } else {
      spdlog::debug("skipping mount '{}': {}", mount.mount_point, usage.error().message());
    }
  }
  return make_host_disk_io(whole, file_systems);
}

Result<SnmpCounters> read_net_snmp(const HostPaths& paths) {
  auto text = read_proc(paths, "/net/snmp");
  if (!text) return text.error();
  return parse_net_snmp(*text);
}

std::optional<std::array<uint8_t, 16>> read_host_uuid(const HostPaths& paths) {
  if (auto text = read_text_file(join_root(paths.sys_root, "/class/dmi/id/product_uuid"))) {
    if (auto uuid = parse_uuid(*text)) return uuid;
  }
  if (auto text = read_text_file(join_root(paths.etc_root, "/machine-id"))) {
    if (auto uuid = parse_uuid(*text)) return uuid;
  }
  return std::nullopt;
}

Result<sflow::HostDescr> read_host_descr(const HostPaths& paths) {
  struct utsname names {};
  if (uname(&names) != 0) return errno_error("failed to read the host name with uname()");
  sflow::HostDescr descr;
  descr.hostname = names.nodename;
  descr.uuid = read_host_uuid(paths).value_or(std::array<uint8_t, 16>{});
  descr.machine_type = machine_type_from_uname(names.machine);
  descr.os_name = 2;  // linux
  descr.os_release = names.release;
  return descr;
}

}  // namespace csflowd::counters
