// cgroup location resolution and container counters against fixture trees that mimic
// /sys/fs/cgroup on cgroup v1, hybrid (like the Debian 12 build VMs) and pure v2 hosts.
#include <gtest/gtest.h>

#include <string>

#include "counters/cgroup_location.h"
#include "counters/cgroup_parsers.h"
#include "counters/container.h"
#include "counters/text.h"

namespace csflowd::counters {
namespace {

const std::string kFixtures = std::string(CSFLOWD_FIXTURES_DIR) + "/counters";
const std::string kCgroup = kFixtures + "/cgroup";
constexpr uint64_t kHostMemory = 8ULL << 30;

std::string id_a() {
  std::string id;
  for (int i = 0; i < 32; ++i) id += "a1";
  return id;
}

std::string id_b() {
  std::string id;
  for (int i = 0; i < 32; ++i) id += "b2";
  return id;
}

std::string fixture(const std::string& relative) {
  auto text = read_text_file(kFixtures + "/" + relative);
  EXPECT_TRUE(text.ok()) << relative;
  return text.ok() ? *text : std::string();
}

CgroupLocation resolve(const std::string& tree, const std::string& cgroup_file,
                       const std::string& mounts_file, std::string_view id = {}) {
  std::string root = kCgroup + "/" + tree;
  return resolve_cgroup_location(fixture("cgroup/" + tree + "/" + cgroup_file),
                                 fixture("cgroup/" + tree + "/" + mounts_file), root, id);
}

TEST(ProcCgroup, ParsesV1AndV2Lines) {
  std::vector<CgroupMembership> lines = parse_proc_cgroup(fixture("cgroup/v1/proc_cgroup"));
  ASSERT_EQ(lines.size(), 12u);
  EXPECT_EQ(lines[8].hierarchy, 4u);
  EXPECT_EQ(lines[8].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ(lines[8].path, "/docker/" + id_a());
  std::vector<CgroupMembership> v2 = parse_proc_cgroup("0::/system.slice/x.scope\n");
  ASSERT_EQ(v2.size(), 1u);
  EXPECT_TRUE(v2[0].controllers.empty());
  EXPECT_TRUE(parse_proc_cgroup(fixture("variants/garbage")).empty());
}

TEST(CgroupMounts, MountinfoAndProcMounts) {
  std::vector<CgroupMount> info = parse_cgroup_mounts(fixture("cgroup/v1/mountinfo"));
  ASSERT_EQ(info.size(), 5u);
  EXPECT_EQ(info[1].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_FALSE(info[1].v2);
  std::vector<CgroupMount> mounts = parse_cgroup_mounts(fixture("cgroup/hybrid/mounts"));
  ASSERT_EQ(mounts.size(), 8u);
  EXPECT_TRUE(mounts.back().v2);
  EXPECT_EQ(mounts.back().mount_point, "/sys/fs/cgroup/unified");
  std::vector<CgroupMount> nested = parse_cgroup_mounts(fixture("cgroup/nested_root/mountinfo"));
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_EQ(nested[0].root, "/docker/" + id_a());
}

TEST(CgroupLocation, V1CoMountedCpuCpuacct) {
  CgroupLocation loc = resolve("v1", "proc_cgroup", "mountinfo");
  std::string base = kCgroup + "/v1/sys/fs/cgroup";
  EXPECT_EQ(loc.unified, "");
  EXPECT_EQ(loc.cpu, base + "/cpu,cpuacct/docker/" + id_a());
  EXPECT_EQ(loc.cpuacct, loc.cpu);
  EXPECT_EQ(loc.memory, base + "/memory/docker/" + id_a());
  EXPECT_EQ(loc.blkio, base + "/blkio/docker/" + id_a());
  EXPECT_EQ(loc.cpuset, base + "/cpuset/docker/" + id_a());
}

TEST(CgroupLocation, HybridSeparateMountsAndUnified) {
  CgroupLocation loc = resolve("hybrid", "proc_cgroup", "mounts");
  std::string base = kCgroup + "/hybrid/sys/fs/cgroup";
  EXPECT_EQ(loc.unified, base + "/unified/docker/" + id_a());
  EXPECT_EQ(loc.cpu, base + "/cpu/docker/" + id_a());
  EXPECT_EQ(loc.cpuacct, base + "/cpuacct/docker/" + id_a());
  EXPECT_EQ(loc.memory, base + "/memory/docker/" + id_a());
}

TEST(CgroupLocation, V2SystemdScope) {
  CgroupLocation loc = resolve("v2", "proc_cgroup_limited", "mountinfo");
  EXPECT_EQ(loc.unified, kCgroup + "/v2/sys/fs/cgroup/system.slice/docker-" + id_a() + ".scope");
  EXPECT_EQ(loc.cpu, "");
  EXPECT_EQ(loc.memory, "");
}

TEST(CgroupLocation, MissingDirectoryIsEmpty) {
  CgroupLocation loc = resolve_cgroup_location("0::/system.slice/docker-gone.scope\n",
                                               fixture("cgroup/v2/mountinfo"), kCgroup + "/v2");
  EXPECT_TRUE(loc.empty());
  EXPECT_TRUE(resolve_cgroup_location("", "", kCgroup).empty());
}

TEST(CgroupLocation, NamespacedRootUsesContainerId) {
  std::string base = kCgroup + "/namespaced/sys/fs/cgroup";
  EXPECT_EQ(resolve("namespaced", "proc_cgroup", "mountinfo", id_b()).unified,
            base + "/docker/" + id_b());
  EXPECT_EQ(resolve("namespaced", "proc_cgroup_outside", "mountinfo", id_b()).unified,
            base + "/docker/" + id_b());
  // Without an id, "/" is the namespace's own root, which is the mount itself.
  EXPECT_EQ(resolve("namespaced", "proc_cgroup", "mountinfo").unified, base);
  EXPECT_EQ(resolve("namespaced", "proc_cgroup_outside", "mountinfo").unified, "");
}

TEST(CgroupLocation, MountWithNonRootCgroup) {
  CgroupLocation loc = resolve("nested_root", "proc_cgroup", "mountinfo");
  EXPECT_EQ(loc.unified, kCgroup + "/nested_root/sys/fs/cgroup/inner");
  CgroupLocation outside = resolve_cgroup_location(
      "0::/other/inner\n", fixture("cgroup/nested_root/mountinfo"), kCgroup + "/nested_root");
  EXPECT_EQ(outside.unified, "");
}

TEST(CgroupParsers, CpuMax) {
  EXPECT_EQ(parse_cpu_max("max 100000\n").value(), std::nullopt);
  EXPECT_EQ(parse_cpu_max("max").value(), std::nullopt);
  EXPECT_EQ(parse_cpu_max("200000 100000\n").value(), 2u);
  EXPECT_EQ(parse_cpu_max("150000 100000").value(), 2u);
  EXPECT_EQ(parse_cpu_max("50000 100000").value(), 1u);
  EXPECT_EQ(parse_cpu_max("1000 1000000").value(), 1u);
  EXPECT_FALSE(parse_cpu_max("").ok());
  EXPECT_FALSE(parse_cpu_max(fixture("cgroup/files/cpu.max_garbage")).ok());
  EXPECT_FALSE(parse_cpu_max("lots 100000").ok());
  EXPECT_FALSE(parse_cpu_max("max x").ok());
}

TEST(CgroupParsers, CfsQuota) {
  EXPECT_EQ(parse_cfs_quota("-1\n", "100000\n").value(), std::nullopt);
  EXPECT_EQ(parse_cfs_quota("50000", "100000").value(), 1u);
  EXPECT_EQ(parse_cfs_quota("400000", "100000").value(), 4u);
  EXPECT_EQ(parse_cfs_quota("400001", "100000").value(), 5u);
  EXPECT_FALSE(parse_cfs_quota("abc", "100000").ok());
  EXPECT_FALSE(parse_cfs_quota("50000", "").ok());
}

TEST(CgroupParsers, CpuList) {
  EXPECT_EQ(parse_cpu_list_count("0-3,5\n").value(), 5u);
  EXPECT_EQ(parse_cpu_list_count("7").value(), 1u);
  EXPECT_EQ(parse_cpu_list_count("0-2,5,7-8").value(), 6u);
  EXPECT_EQ(parse_cpu_list_count("\n").value(), 0u);
  EXPECT_FALSE(parse_cpu_list_count("3-1").ok());
  EXPECT_FALSE(parse_cpu_list_count("0-3-4").ok());
  EXPECT_FALSE(parse_cpu_list_count("0,,1").ok());
  EXPECT_FALSE(parse_cpu_list_count(fixture("variants/garbage")).ok());
}

TEST(CgroupParsers, MemoryLimits) {
  EXPECT_EQ(parse_memory_max("max\n").value(), std::nullopt);
  EXPECT_EQ(parse_memory_max("536870912\n").value(), 536870912u);
  EXPECT_FALSE(parse_memory_max(fixture("cgroup/files/memory.max_garbage")).ok());
  EXPECT_FALSE(parse_memory_max("").ok());
  EXPECT_EQ(parse_memory_limit_v1("9223372036854771712\n").value(), std::nullopt);
  EXPECT_EQ(parse_memory_limit_v1("9223372036854710272").value(), std::nullopt);  // 64K pages
  EXPECT_EQ(parse_memory_limit_v1("268435456").value(), 268435456u);
  EXPECT_FALSE(parse_memory_limit_v1("-1").ok());
}

TEST(CgroupParsers, CpuTimes) {
  EXPECT_EQ(parse_cpu_stat_usage_usec(fixture("cgroup/v2/sys/fs/cgroup/system.slice/docker-" +
                                              id_a() + ".scope/cpu.stat"))
                .value(),
            123456789u);
  EXPECT_FALSE(parse_cpu_stat_usage_usec(fixture("cgroup/files/cpu.stat_v1_cpu_controller")).ok());
  EXPECT_EQ(parse_cpuacct_stat_ticks(fixture("cgroup/files/cpuacct.stat")).value(), 5555u);
  EXPECT_EQ(parse_cpuacct_stat_ticks(fixture("cgroup/files/cpuacct.stat_user_only")).value(), 50u);
  EXPECT_FALSE(parse_cpuacct_stat_ticks("").ok());
  EXPECT_EQ(parse_single_u64(" 12345678901\n").value(), 12345678901u);
  EXPECT_FALSE(parse_single_u64("12 34").ok());
  EXPECT_FALSE(parse_single_u64("").ok());
}

TEST(CgroupParsers, IoStatSumsDevices) {
  IoTotals io = parse_io_stat(
      fixture("cgroup/v2/sys/fs/cgroup/system.slice/docker-" + id_a() + ".scope/io.stat"));
  EXPECT_EQ(io.read_bytes, 1052673u);
  EXPECT_EQ(io.write_bytes, 2105346u);
  EXPECT_EQ(io.read_ops, 260u);
  EXPECT_EQ(io.write_ops, 518u);
  IoTotals garbage = parse_io_stat(fixture("cgroup/files/io.stat_garbage"));
  EXPECT_EQ(garbage.read_bytes, 0u);
  EXPECT_EQ(garbage.read_ops, 5u);
  EXPECT_EQ(garbage.write_ops, 0u);
}

TEST(CgroupParsers, BlkioIgnoresTotals) {
  BlkioTotals bytes = parse_blkio_file(fixture("cgroup/cfq_only/blkio.io_service_bytes_recursive"));
  EXPECT_EQ(bytes.read, 10u);
  EXPECT_EQ(bytes.write, 20u);
  BlkioTotals garbage = parse_blkio_file(fixture("variants/garbage"));
  EXPECT_EQ(garbage.read, 0u);
}

TEST(ContainerCounters, V1) {
  CgroupLocation loc = resolve("v1", "proc_cgroup", "mountinfo");
  auto cpu = read_virt_cpu(loc, 16);
  ASSERT_TRUE(cpu.ok()) << cpu.error().message();
  EXPECT_EQ(cpu->cpu_time_ms, 12345u);  // cpuacct.usage in ns
  EXPECT_EQ(cpu->nr_virt_cpu, 2u);      // quota 150000 per 100000 rounded up
  EXPECT_EQ(cpu->state, 0u);
  auto mem = read_virt_memory(loc, kHostMemory);
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->memory, 52428800u);
  EXPECT_EQ(mem->max_memory, 268435456u);
  auto disk = read_virt_disk_io(loc);
  ASSERT_TRUE(disk.ok());
  EXPECT_EQ(disk->rd_bytes, 4097000u);  // throttle file, not the CFQ one
  EXPECT_EQ(disk->wr_bytes, 10192u);
  EXPECT_EQ(disk->rd_req, 101u);
  EXPECT_EQ(disk->wr_req, 5u);
  EXPECT_EQ(disk->capacity, 0u);
}

TEST(ContainerCounters, HybridPrefersV2CpuAndFallsBackToV1) {
  CgroupLocation loc = resolve("hybrid", "proc_cgroup", "mounts");
  auto cpu = read_virt_cpu(loc, 16);
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(cpu->cpu_time_ms, 2500u);  // unified cpu.stat, not cpuacct.usage
  EXPECT_EQ(cpu->nr_virt_cpu, 2u);     // no quota, so the v1 cpuset "0-1"
  auto mem = read_virt_memory(loc, kHostMemory);
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->memory, 1048576u);
  EXPECT_EQ(mem->max_memory, kHostMemory);
  auto disk = read_virt_disk_io(loc);
  ASSERT_TRUE(disk.ok());
  EXPECT_EQ(disk->rd_bytes, 700u);  // throttle *_recursive wins
  EXPECT_EQ(disk->wr_bytes, 300u);
  EXPECT_EQ(disk->rd_req, 7u);
  EXPECT_EQ(disk->wr_req, 3u);
}

TEST(ContainerCounters, V2Limited) {
  CgroupLocation loc = resolve("v2", "proc_cgroup_limited", "mountinfo");
  auto cpu = read_virt_cpu(loc, 16);
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(cpu->cpu_time_ms, 123456u);
  EXPECT_EQ(cpu->nr_virt_cpu, 3u);
  auto mem = read_virt_memory(loc, kHostMemory);
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->memory, 73400320u);
  EXPECT_EQ(mem->max_memory, 536870912u);
  auto disk = read_virt_disk_io(loc);
  ASSERT_TRUE(disk.ok());
  EXPECT_EQ(disk->rd_bytes, 1052673u);
  EXPECT_EQ(disk->wr_req, 518u);
}

TEST(ContainerCounters, V2UnlimitedUsesCpusetAndHostMemory) {
  CgroupLocation loc = resolve("v2", "proc_cgroup_unlimited", "mountinfo");
  auto cpu = read_virt_cpu(loc, 16);
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(cpu->cpu_time_ms, 0u);
  EXPECT_EQ(cpu->nr_virt_cpu, 6u);
  auto mem = read_virt_memory(loc, kHostMemory);
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->max_memory, kHostMemory);
  auto disk = read_virt_disk_io(loc);
  ASSERT_TRUE(disk.ok());  // an empty io.stat is no I/O yet
  EXPECT_EQ(disk->rd_bytes, 0u);
}

TEST(ContainerCounters, HostCpuCountWhenNoLimitOrCpuset) {
  CgroupLocation loc;
  loc.unified = kCgroup + "/namespaced/sys/fs/cgroup/docker/" + id_b();
  auto cpu = read_virt_cpu(loc, 16);
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(cpu->cpu_time_ms, 5u);
  EXPECT_EQ(cpu->nr_virt_cpu, 16u);
}

TEST(ContainerCounters, CfqBlkioFallback) {
  CgroupLocation loc;
  loc.blkio = kCgroup + "/cfq_only";
  auto disk = read_virt_disk_io(loc);
  ASSERT_TRUE(disk.ok());
  EXPECT_EQ(disk->rd_bytes, 10u);
  EXPECT_EQ(disk->wr_bytes, 20u);
  EXPECT_EQ(disk->rd_req, 1u);
  EXPECT_EQ(disk->wr_req, 2u);
}

TEST(ContainerCounters, EmptyLocationFails) {
  CgroupLocation loc;
  EXPECT_FALSE(read_virt_cpu(loc, 4).ok());
  EXPECT_FALSE(read_virt_memory(loc, kHostMemory).ok());
  EXPECT_FALSE(read_virt_disk_io(loc).ok());
}

TEST(NetDev, SumsAllButLoopback) {
  sflow::VirtNetIo io = parse_net_dev(fixture("variants/net_dev"));
  EXPECT_EQ(io.bytes_in, 1005000u);
  EXPECT_EQ(io.pkts_in, 750u);
  EXPECT_EQ(io.errs_in, 1u);
  EXPECT_EQ(io.drops_in, 3u);
  EXPECT_EQ(io.bytes_out, 206000u);
  EXPECT_EQ(io.pkts_out, 460u);
  EXPECT_EQ(io.errs_out, 4u);
  EXPECT_EQ(io.drops_out, 5u);
}

TEST(NetDev, OldFormatAndShortLines) {
  sflow::VirtNetIo io = parse_net_dev(fixture("variants/net_dev_old_format"));
  EXPECT_EQ(io.bytes_in, 8589934592u);
  EXPECT_EQ(io.pkts_in, 10u);
  EXPECT_EQ(io.bytes_out, 20u);
  EXPECT_EQ(io.pkts_out, 2u);
  sflow::VirtNetIo garbage = parse_net_dev(fixture("variants/garbage"));
  EXPECT_EQ(garbage.bytes_in, 0u);
  EXPECT_EQ(garbage.pkts_out, 0u);
}

TEST(NetDev, ReaderMissingPidFails) {
  auto io = read_virt_net_io(kFixtures + "/csfc-no-such-proc", 1);
  ASSERT_FALSE(io.ok());
  EXPECT_EQ(io.error().code, ENOENT);
}

}  // namespace
}  // namespace csflowd::counters
