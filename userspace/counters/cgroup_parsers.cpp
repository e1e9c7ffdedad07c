#include "counters/cgroup_parsers.h"

#include <string>

#include "counters/text.h"

namespace csflowd::counters {

namespace {

constexpr uint64_t kDefaultCfsPeriodUs = 100000;
// INT64_MAX less 1 GiB: v1 memory limits at or above this mean "no limit".
constexpr uint64_t kUnlimitedMemoryV1 = 0x7FFFFFFFFFFFFFFFULL - (1ULL << 30);

Error invalid(std::string_view file, std::string_view text) {
  std::string shown(trim(text).substr(0, 64));
  return plain_error("invalid " + std::string(file) + " content: '" + shown + "'");
}

// Splits "key=value" and parses the value; nullopt for any other shape.
std::optional<std::pair<std::string_view, uint64_t>> split_key_value(std::string_view field) {
  size_t equals = field.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  auto value = parse_u64(field.substr(equals + 1));
  if (!value) return std::nullopt;
  return std::make_pair(field.substr(0, equals), *value);
}

void add_net_dev_counters(const std::vector<std::string_view>& f, sflow::VirtNetIo& io) {
  auto at = [&f](size_t index) { return parse_u64(f[index]).value_or(0); };
  io.bytes_in += at(0);
  io.pkts_in += static_cast<uint32_t>(at(1));
  io.errs_in += static_cast<uint32_t>(at(2));
  io.drops_in += static_cast<uint32_t>(at(3));
  io.bytes_out += at(8);
  io.pkts_out += static_cast<uint32_t>(at(9));
  io.errs_out += static_cast<uint32_t>(at(10));
  io.drops_out += static_cast<uint32_t>(at(11));
}

}  // namespace

Result<uint64_t> parse_single_u64(std::string_view text) {
  std::optional<uint64_t> value = parse_u64(trim(text));
  if (!value) return invalid("counter file", text);
  return *value;
}

Result<uint64_t> parse_cpu_stat_usage_usec(std::string_view text) {
  std::optional<uint64_t> usage = find_keyed_u64(text, "usage_usec");
  if (!usage) return plain_error("invalid cpu.stat: no 'usage_usec' line");
  return *usage;
}

Result<uint64_t> parse_cpuacct_stat_ticks(std::string_view text) {
  std::optional<uint64_t> user = find_keyed_u64(text, "user");
  std::optional<uint64_t> system = find_keyed_u64(text, "system");
  if (!user && !system) return plain_error("invalid cpuacct.stat: no 'user' or 'system' line");
  return user.value_or(0) + system.value_or(0);
}

uint32_t cpus_from_quota(uint64_t quota_us, uint64_t period_us) {
  if (period_us == 0) period_us = kDefaultCfsPeriodUs;
  uint64_t cpus = quota_us / period_us + (quota_us % period_us != 0 ? 1 : 0);
  if (cpus == 0) cpus = 1;
  return cpus > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(cpus);
}

Result<std::optional<uint32_t>> parse_cpu_max(std::string_view text) {
  std::vector<std::string_view> f = split_fields(text);
  if (f.empty() || f.size() > 2) return invalid("cpu.max", text);
  std::optional<uint64_t> period = f.size() == 2 ? parse_u64(f[1]) : kDefaultCfsPeriodUs;
  if (!period) return invalid("cpu.max", text);
  if (f[0] == "max") return std::optional<uint32_t>();
  std::optional<uint64_t> quota = parse_u64(f[0]);
  if (!quota) return invalid("cpu.max", text);
  return std::optional<uint32_t>(cpus_from_quota(*quota, *period));
}

Result<std::optional<uint32_t>> parse_cfs_quota(std::string_view quota_text,
                                                std::string_view period_text) {
  std::optional<int64_t> quota = parse_i64(trim(quota_text));
  if (!quota) return invalid("cpu.cfs_quota_us", quota_text);
  if (*quota < 0) return std::optional<uint32_t>();
  std::optional<uint64_t> period = parse_u64(trim(period_text));
  if (!period) return invalid("cpu.cfs_period_us", period_text);
  return std::optional<uint32_t>(cpus_from_quota(static_cast<uint64_t>(*quota), *period));
}

Result<uint32_t> parse_cpu_list_count(std::string_view text) {
  std::string_view list = trim(text);
  if (list.empty()) return 0u;
  uint64_t count = 0;
  for (std::string_view range : split_on(list, ',')) {
    std::vector<std::string_view> ends = split_on(range, '-');
    std::optional<uint64_t> first = ends.empty() ? std::nullopt : parse_u64(ends[0]);
    std::optional<uint64_t> last = ends.size() == 2 ? parse_u64(ends[1]) : first;
    if (ends.size() > 2 || !first || !last || *last < *first) return invalid("cpu list", text);
    count += *last - *first + 1;
  }
  return count > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(count);
}

Result<std::optional<uint64_t>> parse_memory_max(std::string_view text) {
  std::string_view value = trim(text);
  if (value == "max") return std::optional<uint64_t>();
  std::optional<uint64_t> limit = parse_u64(value);
  if (!limit) return invalid("memory.max", text);
  return std::optional<uint64_t>(*limit);
}

Result<std::optional<uint64_t>> parse_memory_limit_v1(std::string_view text) {
  std::optional<uint64_t> limit = parse_u64(trim(text));
  if (!limit) return invalid("memory.limit_in_bytes", text);
  if (*limit >= kUnlimitedMemoryV1) return std::optional<uint64_t>();
  return std::optional<uint64_t>(*limit);
}

IoTotals parse_io_stat(std::string_view text) {
  IoTotals totals;
  for (std::string_view line : split_lines(text)) {
    std::vector<std::string_view> fields = split_fields(line);
    for (size_t i = 1; i < fields.size(); ++i) {
      auto pair = split_key_value(fields[i]);
      if (!pair) continue;
      auto [key, value] = *pair;
      if (key == "rbytes") totals.read_bytes += value;
      if (key == "wbytes") totals.write_bytes += value;
      if (key == "rios") totals.read_ops += value;
      if (key == "wios") totals.write_ops += value;
    }
  }
  return totals;
}

BlkioTotals parse_blkio_file(std::string_view text) {
  BlkioTotals totals;
  for (std::string_view line : split_lines(text)) {
    std::vector<std::string_view> f = split_fields(line);
    if (f.size() != 3 || f[0].find(':') == std::string_view::npos) continue;
    std::optional<uint64_t> value = parse_u64(f[2]);
    if (!value) continue;
    if (f[1] == "Read") totals.read += *value;
    if (f[1] == "Write") totals.write += *value;
  }
  return totals;
}

sflow::VirtNetIo parse_net_dev(std::string_view text) {
  sflow::VirtNetIo io;
  for (std::string_view line : split_lines(text)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::vector<std::string_view> f = split_fields(line.substr(colon + 1));
    if (name.empty() || name == "lo" || f.size() < 12) continue;
    add_net_dev_counters(f, io);
  }
  return io;
}

}  // namespace csflowd::counters
