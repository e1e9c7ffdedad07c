// Every counter parser on random bytes and on randomly damaged fixtures: none may crash,
// hang or read out of bounds. The seed is fixed so a failure can be replayed; build with
// -fsanitize=address,undefined to catch out-of-bounds reads as well as crashes.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "counters/cgroup_location.h"
#include "counters/cgroup_parsers.h"
#include "counters/host_disk.h"
#include "counters/host_parsers.h"
#include "counters/text.h"

namespace csflowd::counters {
namespace {

const std::string kFixtures = std::string(CSFLOWD_FIXTURES_DIR) + "/counters";

// Runs every parser on `text` and returns a value that depends on the results, so the
// calls cannot be optimised away.
uint64_t parse_everything(const std::string& text) {
  uint64_t sum = 0;
  if (auto stat = parse_proc_stat(text)) sum += stat->cpu.user + stat->cpu_count;
  if (auto load = parse_loadavg(text)) sum += load->total;
  if (auto uptime = parse_uptime(text)) sum += static_cast<uint64_t>(*uptime);
  if (auto mem = parse_meminfo(text)) sum += mem->total;
  sum += parse_vmstat(text).pgpgin;
  sum += parse_diskstats(text).size();
  sum += parse_net_snmp(text).tcp.values[3];
  sum += parse_cpuinfo_mhz(text).value_or(0);
  sum += parse_uuid(text).has_value() ? 1 : 0;
  sum += parse_block_mounts(text).size();
  sum += parse_proc_cgroup(text).size();
  sum += parse_cgroup_mounts(text).size();
  sum += resolve_cgroup_location(text, text, kFixtures + "/csfc-none", "x").empty() ? 0 : 1;
  if (auto value = parse_cpu_max(text); value.ok()) sum += value->value_or(0);
  if (auto value = parse_cfs_quota(text, text); value.ok()) sum += value->value_or(0);
  if (auto value = parse_cpu_list_count(text)) sum += *value;
  if (auto value = parse_memory_max(text); value.ok()) sum += value->value_or(0);
  if (auto value = parse_memory_limit_v1(text); value.ok()) sum += value->value_or(0);
  if (auto value = parse_cpu_stat_usage_usec(text)) sum += *value;
  if (auto value = parse_cpuacct_stat_ticks(text)) sum += *value;
  sum += parse_io_stat(text).read_bytes + parse_blkio_file(text).write;
  sum += parse_net_dev(text).bytes_in;
  sum += decode_octal_escapes(text).size();
  return sum;
}

TEST(CounterParsers, RandomBytesDoNotCrash) {
  std::mt19937 random(20261204);
  const std::string alphabet = "0123456789 \t\n:-/,=.\\maxcpuMemTotal kBRead";
  for (int round = 0; round < 3000; ++round) {
    std::string text(random() % 200, '\0');
    for (char& c : text) {
      c = round % 2 == 0 ? static_cast<char>(random()) : alphabet[random() % alphabet.size()];
    }
    parse_everything(text);
  }
  SUCCEED();
}

TEST(CounterParsers, DamagedFixturesDoNotCrash) {
  const std::vector<std::string> files = {
      "host/proc/stat",        "host/proc/meminfo",
      "host/proc/diskstats",   "host/proc/net/snmp",
      "host/proc/mounts",      "variants/net_dev",
      "cgroup/v1/proc_cgroup", "cgroup/v1/mountinfo",
      "cgroup/hybrid/mounts",  "cgroup/cfq_only/blkio.io_service_bytes_recursive"};
  std::mt19937 random(42);
  for (const std::string& file : files) {
    auto original = read_text_file(kFixtures + "/" + file);
    ASSERT_TRUE(original.ok()) << file;
    for (int round = 0; round < 200; ++round) {
      std::string text = *original;
      size_t cut = text.empty() ? 0 : random() % text.size();
      if (round % 3 == 0) text.resize(cut);  // truncated mid-line
      if (round % 3 == 1 && !text.empty()) text[cut] = static_cast<char>(random());
      if (round % 3 == 2) text.insert(cut, "\n-1 : 99999999999999999999999 max");
      parse_everything(text);
    }
  }
  SUCCEED();
}

}  // namespace
}  // namespace csflowd::counters
