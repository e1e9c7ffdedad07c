#include "counters/host_parsers.h"

#include <cmath>
#include <map>
#include <span>

#include "counters/text.h"

namespace csflowd::counters {

namespace {

uint64_t field_u64(const std::vector<std::string_view>& fields, size_t index) {
  if (index >= fields.size()) return 0;
  return parse_u64(fields[index]).value_or(0);
}

CpuJiffies parse_cpu_line(const std::vector<std::string_view>& fields) {
  CpuJiffies cpu;
  cpu.user = field_u64(fields, 1);
  cpu.nice = field_u64(fields, 2);
  cpu.system = field_u64(fields, 3);
  cpu.idle = field_u64(fields, 4);
  cpu.iowait = field_u64(fields, 5);
  cpu.irq = field_u64(fields, 6);
  cpu.softirq = field_u64(fields, 7);
  cpu.steal = field_u64(fields, 8);
  cpu.guest = field_u64(fields, 9);
  cpu.guest_nice = field_u64(fields, 10);
  return cpu;
}

// The "cpu" line is usable when user, nice, system and idle parse, because Linux 2.4
// printed only those four.
bool has_cpu_times(const std::vector<std::string_view>& fields) {
  if (fields.size() < 5) return false;
  for (size_t i = 1; i < 5; ++i) {
    if (!parse_u64(fields[i])) return false;
  }
  return true;
}

bool is_per_cpu_name(std::string_view name) {
  return name.size() > 3 && name.starts_with("cpu") && parse_u64(name.substr(3)).has_value();
}

}  // namespace

Result<ProcStat> parse_proc_stat(std::string_view text) {
  ProcStat stat;
  bool have_cpu = false;
  for (std::string_view line : split_lines(text)) {
    std::vector<std::string_view> fields = split_fields(line);
    if (fields.empty()) continue;
    std::string_view name = fields[0];
    if (name == "cpu" && has_cpu_times(fields)) {
      stat.cpu = parse_cpu_line(fields);
      have_cpu = true;
    } else if (is_per_cpu_name(name)) {
      ++stat.cpu_count;
    } else if (name == "intr") {
      stat.interrupts = field_u64(fields, 1);
    } else if (name == "ctxt") {
      stat.context_switches = field_u64(fields, 1);
    } else if (name == "procs_running") {
      stat.procs_running = field_u64(fields, 1);
    }
  }
  if (!have_cpu) return plain_error("invalid /proc/stat: no 'cpu' line");
  return stat;
}

Result<LoadAvg> parse_loadavg(std::string_view text) {
  std::vector<std::string_view> fields = split_fields(text);
  if (fields.size() < 4) return plain_error("invalid /proc/loadavg: fewer than 4 fields");
  auto one = parse_double(fields[0]);
  auto five = parse_double(fields[1]);
  auto fifteen = parse_double(fields[2]);
  std::vector<std::string_view> tasks = split_on(fields[3], '/');
  if (!one || !five || !fifteen || tasks.size() != 2) {
    return plain_error("invalid /proc/loadavg: '" + std::string(trim(text)) + "'");
  }
  LoadAvg load{*one, *five, *fifteen, 0, 0};
  load.running = parse_u64(tasks[0]).value_or(0);
  load.total = parse_u64(tasks[1]).value_or(0);
  return load;
}

Result<double> parse_uptime(std::string_view text) {
  std::vector<std::string_view> fields = split_fields(text);
  std::optional<double> seconds;
  if (!fields.empty()) seconds = parse_double(fields[0]);
  if (!seconds || *seconds < 0) {
    return plain_error("invalid /proc/uptime: '" + std::string(trim(text)) + "'");
  }
  return *seconds;
}

Result<MemInfo> parse_meminfo(std::string_view text) {
  auto bytes = [text](std::string_view key) -> std::optional<uint64_t> {
    std::optional<uint64_t> kib = find_keyed_u64(text, key);
    if (!kib) return std::nullopt;
    return *kib * 1024;
  };
  std::optional<uint64_t> total = bytes("MemTotal");
  if (!total) return plain_error("invalid /proc/meminfo: no 'MemTotal' line");
  MemInfo info;
  info.total = *total;
  info.free = bytes("MemFree").value_or(0);
  info.shared = bytes("Shmem").value_or(0);
  info.buffers = bytes("Buffers").value_or(0);
  info.cached = bytes("Cached").value_or(0) + bytes("SReclaimable").value_or(0);
  info.swap_total = bytes("SwapTotal").value_or(0);
  info.swap_free = bytes("SwapFree").value_or(0);
  return info;
}

VmStat parse_vmstat(std::string_view text) {
  VmStat vm;
  vm.pgpgin = find_keyed_u64(text, "pgpgin").value_or(0);
  vm.pgpgout = find_keyed_u64(text, "pgpgout").value_or(0);
  vm.pswpin = find_keyed_u64(text, "pswpin").value_or(0);
  vm.pswpout = find_keyed_u64(text, "pswpout").value_or(0);
  return vm;
}

std::vector<DiskStat> parse_diskstats(std::string_view text) {
  std::vector<DiskStat> disks;
  for (std::string_view line : split_lines(text)) {
    std::vector<std::string_view> f = split_fields(line);
    if (f.size() < 14) continue;
    auto major = parse_u64(f[0]);
    auto minor = parse_u64(f[1]);
    if (!major || !minor || *major > UINT32_MAX || *minor > UINT32_MAX) continue;
    DiskStat disk;
    disk.major = static_cast<uint32_t>(*major);
    disk.minor = static_cast<uint32_t>(*minor);
    disk.name = std::string(f[2]);
    disk.reads = field_u64(f, 3);
    disk.sectors_read = field_u64(f, 5);
    disk.read_time_ms = field_u64(f, 6);
    disk.writes = field_u64(f, 7);
    disk.sectors_written = field_u64(f, 9);
    disk.write_time_ms = field_u64(f, 10);
    disks.push_back(std::move(disk));
  }
  return disks;
}

namespace {

// Field names in /proc/net/snmp for each sFlow structure, in wire order. host_icmp has no
// slot for InTimestampReps because sflow_host.txt defines 25 ICMP fields without it.
constexpr std::array<std::string_view, 19> kIpNames = {
    "Forwarding",    "DefaultTTL",      "InReceives",   "InHdrErrors", "InAddrErrors",
    "ForwDatagrams", "InUnknownProtos", "InDiscards",   "InDelivers",  "OutRequests",
    "OutDiscards",   "OutNoRoutes",     "ReasmTimeout", "ReasmReqds",  "ReasmOKs",
    "ReasmFails",    "FragOKs",         "FragFails",    "FragCreates"};
constexpr std::array<std::string_view, 25> kIcmpNames = {
    "InMsgs",       "InErrors",       "InDestUnreachs",   "InTimeExcds",  "InParmProbs",
    "InSrcQuenchs", "InRedirects",    "InEchos",          "InEchoReps",   "InTimestamps",
    "InAddrMasks",  "InAddrMaskReps", "OutMsgs",          "OutErrors",    "OutDestUnreachs",
    "OutTimeExcds", "OutParmProbs",   "OutSrcQuenchs",    "OutRedirects", "OutEchos",
    "OutEchoReps",  "OutTimestamps",  "OutTimestampReps", "OutAddrMasks", "OutAddrMaskReps"};
constexpr std::array<std::string_view, 15> kTcpNames = {
    "RtoAlgorithm", "RtoMin",       "RtoMax",      "MaxConn",   "ActiveOpens",
    "PassiveOpens", "AttemptFails", "EstabResets", "CurrEstab", "InSegs",
    "OutSegs",      "RetransSegs",  "InErrs",      "OutRsts",   "InCsumErrors"};
constexpr std::array<std::string_view, 7> kUdpNames = {
    "InDatagrams",  "NoPorts",      "InErrors",    "OutDatagrams",
    "RcvbufErrors", "SndbufErrors", "InCsumErrors"};

using SnmpTable = std::map<std::string, std::map<std::string, uint32_t, std::less<>>, std::less<>>;

// Collects "Proto: names" / "Proto: values" line pairs into table[Proto][name] = value.
SnmpTable read_snmp_pairs(std::string_view text) {
  SnmpTable table;
  std::vector<std::string_view> lines = split_lines(text);
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    std::vector<std::string_view> names = split_fields(lines[i]);
    std::vector<std::string_view> values = split_fields(lines[i + 1]);
    if (names.empty() || values.empty() || names[0] != values[0] || !names[0].ends_with(':')) {
      continue;
    }
    auto& row = table[std::string(names[0].substr(0, names[0].size() - 1))];
    for (size_t k = 1; k < names.size() && k < values.size(); ++k) {
      if (auto value = parse_i64(values[k])) {
        row[std::string(names[k])] = static_cast<uint32_t>(*value);
      }
    }
    ++i;  // the value line is consumed
  }
  return table;
}

template <size_t N>
void fill_by_name(const SnmpTable& table, std::string_view proto,
                  const std::array<std::string_view, N>& names, std::array<uint32_t, N>& out) {
  auto row = table.find(proto);
  if (row == table.end()) return;
  for (size_t k = 0; k < N; ++k) {
    auto value = row->second.find(names[k]);
    if (value != row->second.end()) out[k] = value->second;
  }
}

}  // namespace

SnmpCounters parse_net_snmp(std::string_view text) {
  SnmpTable table = read_snmp_pairs(text);
  SnmpCounters counters;
  fill_by_name(table, "Ip", kIpNames, counters.ip.values);
  fill_by_name(table, "Icmp", kIcmpNames, counters.icmp.values);
  fill_by_name(table, "Tcp", kTcpNames, counters.tcp.values);
  fill_by_name(table, "Udp", kUdpNames, counters.udp.values);
  return counters;
}

std::optional<uint32_t> parse_cpuinfo_mhz(std::string_view text) {
  for (std::string_view line : split_lines(text)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || trim(line.substr(0, colon)) != "cpu MHz") continue;
    std::optional<double> mhz = parse_double(trim(line.substr(colon + 1)));
    if (!mhz || *mhz < 0 || *mhz > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(std::lround(*mhz));
  }
  return std::nullopt;
}

namespace {

std::optional<uint8_t> hex_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<uint8_t>(c - 'A' + 10);
  return std::nullopt;
}

}  // namespace

std::optional<std::array<uint8_t, 16>> parse_uuid(std::string_view text) {
  std::array<uint8_t, 16> uuid{};
  size_t digits = 0;
  for (char c : trim(text)) {
    if (c == '-') continue;
    std::optional<uint8_t> nibble = hex_digit(c);
    if (!nibble || digits >= 32) return std::nullopt;
    uuid[digits / 2] = static_cast<uint8_t>(uuid[digits / 2] << 4 | *nibble);
    ++digits;
  }
  if (digits != 32) return std::nullopt;
  bool all_zero = true, all_ones = true;
  for (uint8_t byte : uuid) {
    all_zero = all_zero && byte == 0x00;
    all_ones = all_ones && byte == 0xFF;
  }
  if (all_zero || all_ones) return std::nullopt;
  return uuid;
}

uint32_t machine_type_from_uname(std::string_view machine) {
  if (machine.empty()) return 0;
  if (machine == "x86_64" || machine == "amd64") return 3;
  if (machine.size() == 4 && machine[0] == 'i' && machine.ends_with("86")) return 2;
  if (machine == "ia64") return 4;
  if (machine.starts_with("sparc")) return 5;
  if (machine.starts_with("alpha")) return 6;
  if (machine.starts_with("ppc") || machine.starts_with("powerpc")) return 7;
  if (machine == "m68k") return 8;
  if (machine.starts_with("mips")) return 9;
  if (machine.starts_with("arm") || machine == "aarch64" || machine == "arm64") return 10;
  if (machine.starts_with("parisc") || machine.starts_with("hppa")) return 11;
  if (machine.starts_with("s390")) return 12;
  return 1;
}

}  // namespace csflowd::counters
