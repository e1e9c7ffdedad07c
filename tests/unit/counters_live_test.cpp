// The counter readers on this machine's real /proc and /sys: values must be plausible and
// agree with what the kernel reports through other interfaces.
#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "counters/cgroup_location.h"
#include "counters/container.h"
#include "counters/host.h"
#include "counters/text.h"

namespace csflowd::counters {
namespace {

// MemTotal in bytes, read with plain iostreams rather than the parser under test.
uint64_t mem_total_from_iostream() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  uint64_t kib = 0;
  while (in >> key >> kib >> unit) {
    if (key == "MemTotal:") return kib * 1024;
  }
  return 0;
}

TEST(LiveHost, MemoryTotalMatchesMeminfo) {
  auto mem = read_host_memory(HostPaths{});
  ASSERT_TRUE(mem.ok()) << mem.error().message();
  EXPECT_EQ(mem->mem_total, mem_total_from_iostream());
  EXPECT_GT(mem->mem_free, 0u);
  EXPECT_LE(mem->mem_free, mem->mem_total);
}

TEST(LiveHost, CpuCountAndUptime) {
  auto cpu = read_host_cpu(HostPaths{});
  ASSERT_TRUE(cpu.ok()) << cpu.error().message();
  EXPECT_EQ(cpu->cpu_num, static_cast<uint32_t>(sysconf(_SC_NPROCESSORS_ONLN)));
  EXPECT_GT(cpu->uptime_s, 0u);
  EXPECT_GT(cpu->proc_total, 0u);
  EXPECT_GT(cpu->cpu_idle + cpu->cpu_user + cpu->cpu_system, 0u);
  EXPECT_GT(cpu->contexts, 0u);
}

TEST(LiveHost, DescrMatchesUname) {
  struct utsname names {};
  ASSERT_EQ(uname(&names), 0);
  auto descr = read_host_descr(HostPaths{});
  ASSERT_TRUE(descr.ok());
  EXPECT_EQ(descr->hostname, names.nodename);
  EXPECT_EQ(descr->os_release, names.release);
  EXPECT_EQ(descr->machine_type, machine_type_from_uname(names.machine));
  EXPECT_NE(descr->machine_type, 0u);
}

TEST(LiveHost, DiskAndSnmp) {
  auto disk = read_host_disk_io(HostPaths{});
  ASSERT_TRUE(disk.ok()) << disk.error().message();
  EXPECT_GT(disk->disk_total, 0u);
  EXPECT_LE(disk->disk_free, disk->disk_total);
  EXPECT_GE(disk->part_max_used, 0);
  EXPECT_LE(disk->part_max_used, 10000);
  auto snmp = read_net_snmp(HostPaths{});
  ASSERT_TRUE(snmp.ok());
  EXPECT_GT(snmp->ip.values[1], 0u);   // DefaultTTL
  EXPECT_GE(snmp->tcp.values[0], 1u);  // RtoAlgorithm
}

TEST(LiveCgroup, OwnProcessResolvesAndReadsCpu) {
  auto cgroup = read_text_file("/proc/self/cgroup");
  auto mounts = read_text_file("/proc/self/mountinfo");
  ASSERT_TRUE(cgroup.ok());
  ASSERT_TRUE(mounts.ok());
  CgroupLocation loc = resolve_cgroup_location(*cgroup, *mounts, "");
  ASSERT_FALSE(loc.empty());
  auto cpu = read_virt_cpu(loc, 1);
  ASSERT_TRUE(cpu.ok()) << cpu.error().message();
  EXPECT_GE(cpu->nr_virt_cpu, 1u);
  auto net = read_virt_net_io("/proc", static_cast<int>(getpid()));
  EXPECT_TRUE(net.ok());
}

}  // namespace
}  // namespace csflowd::counters
