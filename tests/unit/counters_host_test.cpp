// Host counter parsers and readers against the fixtures in tests/fixtures/counters: copies of
// a Debian 12 VM's /proc (kernel 6.18) plus hand-written files from older and newer kernels.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "counters/host.h"
#include "counters/host_disk.h"
#include "counters/host_parsers.h"
#include "counters/text.h"

namespace csflowd::counters {
namespace {

const std::string kFixtures = std::string(CSFLOWD_FIXTURES_DIR) + "/counters";
const std::string kHost = kFixtures + "/host";

std::string fixture(const std::string& relative) {
  auto text = read_text_file(kFixtures + "/" + relative);
  EXPECT_TRUE(text.ok()) << relative;
  return text.ok() ? *text : std::string();
}

HostPaths fixture_paths() {
  HostPaths paths;
  paths.proc_root = kHost + "/proc";
  paths.sys_root = kHost + "/sys";
  paths.etc_root = kHost + "/etc";
  paths.mount_root = kHost;
  return paths;
}

TEST(ProcStat, RealKernel618) {
  auto stat = parse_proc_stat(fixture("host/proc/stat"));
  ASSERT_TRUE(stat.ok()) << stat.error().message();
  EXPECT_EQ(stat->cpu.user, 15446u);
  EXPECT_EQ(stat->cpu.nice, 0u);
  EXPECT_EQ(stat->cpu.system, 7216u);
  EXPECT_EQ(stat->cpu.idle, 107145u);
  EXPECT_EQ(stat->cpu.iowait, 630u);
  EXPECT_EQ(stat->cpu.softirq, 99u);
  EXPECT_EQ(stat->cpu.steal, 11u);
  EXPECT_EQ(stat->cpu_count, 2u);
  EXPECT_EQ(stat->interrupts, 336444u);
  EXPECT_EQ(stat->context_switches, 820972u);
  EXPECT_EQ(stat->procs_running, 7u);
}

TEST(ProcStat, OldKernelWithoutStealOrGuest) {
  auto stat = parse_proc_stat(fixture("variants/stat_kernel_2_6"));
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->cpu.softirq, 7u);
  EXPECT_EQ(stat->cpu.steal, 0u);
  EXPECT_EQ(stat->cpu.guest, 0u);
  EXPECT_EQ(stat->cpu.guest_nice, 0u);
  EXPECT_EQ(stat->cpu_count, 4u);
  EXPECT_EQ(stat->interrupts, 999u);
  EXPECT_EQ(stat->context_switches, 12345u);
}

TEST(ProcStat, NewerKernelExtraFieldsIgnored) {
  auto stat = parse_proc_stat(fixture("variants/stat_newer_kernel"));
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->cpu.steal, 8u);
  EXPECT_EQ(stat->cpu.guest, 9u);
  EXPECT_EQ(stat->cpu.guest_nice, 10u);
  EXPECT_EQ(stat->cpu_count, 1u);
  EXPECT_EQ(stat->interrupts, 4294967301u);
  EXPECT_EQ(stat->procs_running, 3u);
}

TEST(ProcStat, RejectsMissingCpuLineAndGarbage) {
  EXPECT_FALSE(parse_proc_stat(fixture("variants/stat_no_cpu_line")).ok());
  EXPECT_FALSE(parse_proc_stat(fixture("variants/garbage")).ok());
  EXPECT_FALSE(parse_proc_stat("").ok());
}

TEST(HostCpu, ConvertsJiffiesToMilliseconds) {
  auto stat = parse_proc_stat(fixture("host/proc/stat"));
  auto load = parse_loadavg(fixture("host/proc/loadavg"));
  ASSERT_TRUE(stat.ok());
  ASSERT_TRUE(load.ok());
  sflow::HostCpu cpu = make_host_cpu(*stat, *load, 655.31, 2596, 100);
  EXPECT_FLOAT_EQ(cpu.load_one, 1.88f);
  EXPECT_FLOAT_EQ(cpu.load_five, 0.77f);
  EXPECT_FLOAT_EQ(cpu.load_fifteen, 0.34f);
  EXPECT_EQ(cpu.proc_run, 6u);  // procs_running 7 less the agent itself
  EXPECT_EQ(cpu.proc_total, 150u);
  EXPECT_EQ(cpu.cpu_num, 2u);
  EXPECT_EQ(cpu.cpu_speed_mhz, 2596u);
  EXPECT_EQ(cpu.uptime_s, 655u);
  EXPECT_EQ(cpu.cpu_user, 154460u);
  EXPECT_EQ(cpu.cpu_system, 72160u);
  EXPECT_EQ(cpu.cpu_idle, 1071450u);
  EXPECT_EQ(cpu.cpu_wio, 6300u);
  EXPECT_EQ(cpu.cpu_intr, 0u);
  EXPECT_EQ(cpu.cpu_sintr, 990u);
  EXPECT_EQ(cpu.cpu_steal, 110u);
  EXPECT_EQ(cpu.interrupts, 336444u);
  EXPECT_EQ(cpu.contexts, 820972u);
}

TEST(HostCpu, TicksToMsOtherHzAndWrap) {
  EXPECT_EQ(ticks_to_ms(3, 300), 10u);
  EXPECT_EQ(ticks_to_ms(1, 1000), 1u);
  EXPECT_EQ(ticks_to_ms(250, 0), 2500u);  // 0 falls back to 100
  // 2^32 ms wraps to 0, as the 32-bit wire field does.
  EXPECT_EQ(ticks_to_ms(4294967296ULL, 1000), 0u);
  EXPECT_EQ(ticks_to_ms(4294967297ULL, 1000), 1u);
}

TEST(HostCpu, TruncatesCountsTo32Bits) {
  auto stat = parse_proc_stat(fixture("variants/stat_newer_kernel"));
  ASSERT_TRUE(stat.ok());
  sflow::HostCpu cpu = make_host_cpu(*stat, LoadAvg{}, -5.0, 0, 100);
  EXPECT_EQ(cpu.interrupts, 5u);
  EXPECT_EQ(cpu.uptime_s, 0u);
  EXPECT_EQ(cpu.cpu_guest, 90u);
  EXPECT_EQ(cpu.cpu_guest_nice, 100u);
}

TEST(LoadAvg, ParsesAndRejectsGarbage) {
  auto load = parse_loadavg("0.04 0.13 0.08 1/93 6731\n");
  ASSERT_TRUE(load.ok());
  EXPECT_DOUBLE_EQ(load->one, 0.04);
  EXPECT_EQ(load->running, 1u);
  EXPECT_EQ(load->total, 93u);
  EXPECT_FALSE(parse_loadavg(fixture("variants/loadavg_garbage")).ok());
  EXPECT_FALSE(parse_loadavg("0.1 0.2 0.3 12 5").ok());
  EXPECT_FALSE(parse_loadavg("").ok());
}

TEST(Uptime, ParsesFirstNumber) {
  auto uptime = parse_uptime(fixture("host/proc/uptime"));
  ASSERT_TRUE(uptime.ok());
  EXPECT_DOUBLE_EQ(*uptime, 655.31);
  EXPECT_FALSE(parse_uptime("").ok());
  EXPECT_FALSE(parse_uptime("-3 4").ok());
  EXPECT_FALSE(parse_uptime(fixture("variants/garbage")).ok());
}

TEST(MemInfo, KibToBytesAndCachedWithSReclaimable) {
  auto mem = parse_meminfo(fixture("host/proc/meminfo"));
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->total, 24683784ULL * 1024);
  EXPECT_EQ(mem->free, 22571504ULL * 1024);
  EXPECT_EQ(mem->shared, 10152ULL * 1024);
  EXPECT_EQ(mem->buffers, 10608ULL * 1024);
  EXPECT_EQ(mem->cached, (971736ULL + 99184ULL) * 1024);
  EXPECT_EQ(mem->swap_total, 0u);
}

TEST(MemInfo, MissingFieldsAreZero) {
  auto mem = parse_meminfo(fixture("variants/meminfo_minimal"));
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->total, 2048u * 1024);
  EXPECT_EQ(mem->free, 0u);
  EXPECT_EQ(mem->cached, 0u);
  EXPECT_FALSE(parse_meminfo(fixture("variants/meminfo_no_total")).ok());
  EXPECT_FALSE(parse_meminfo(fixture("variants/empty")).ok());
}

TEST(HostMemory, FromMeminfoAndVmstat) {
  auto mem = parse_meminfo(fixture("host/proc/meminfo"));
  ASSERT_TRUE(mem.ok());
  VmStat vm = parse_vmstat(fixture("host/proc/vmstat"));
  EXPECT_EQ(vm.pgpgin, 2246269u);
  EXPECT_EQ(vm.pgpgout, 2625412u);
  sflow::HostMemory out = make_host_memory(*mem, vm);
  EXPECT_EQ(out.mem_total, 24683784ULL * 1024);
  EXPECT_EQ(out.page_in, 2246269u);
  EXPECT_EQ(out.page_out, 2625412u);
  EXPECT_EQ(out.swap_in, 0u);
  VmStat none = parse_vmstat(fixture("variants/garbage"));
  EXPECT_EQ(none.pgpgin, 0u);
}

TEST(DiskStats, ParsesAllFormatsAndSkipsShortLines) {
  std::vector<DiskStat> disks = parse_diskstats(fixture("host/proc/diskstats"));
  ASSERT_EQ(disks.size(), 12u);  // sr0 has too few fields
  const DiskStat& vda = disks[7];
  EXPECT_EQ(vda.name, "vda");
  EXPECT_EQ(vda.major, 254u);
  EXPECT_EQ(vda.reads, 31565u);
  EXPECT_EQ(vda.sectors_read, 2997122u);
  EXPECT_EQ(vda.read_time_ms, 10781u);
  EXPECT_EQ(vda.writes, 33070u);
  EXPECT_EQ(vda.sectors_written, 2793552u);
  EXPECT_EQ(vda.write_time_ms, 8896u);
  EXPECT_EQ(disks[9].name, "nvme0n1");  // 14-field format of kernels before 4.18
  EXPECT_EQ(disks[9].sectors_written, 160u);
  EXPECT_TRUE(parse_diskstats(fixture("variants/garbage")).empty());
}

TEST(DiskStats, WholeDisksOnly) {
  std::string sys = kHost + "/sys";
  std::vector<std::string> whole;
  for (const DiskStat& disk : parse_diskstats(fixture("host/proc/diskstats"))) {
    if (is_whole_disk(disk, sys)) whole.push_back(disk.name);
  }
  EXPECT_EQ(whole, (std::vector<std::string>{"sda", "vda", "nvme0n1"}));
  EXPECT_FALSE(is_whole_disk(DiskStat{8, 0, "..", 0, 0, 0, 0, 0, 0}, sys));
}

TEST(HostDiskIo, SumsWholeDisksInBytes) {
  std::vector<DiskStat> whole;
  for (DiskStat& disk : parse_diskstats(fixture("host/proc/diskstats"))) {
    if (is_whole_disk(disk, kHost + "/sys")) whole.push_back(disk);
  }
  sflow::HostDiskIo io = make_host_disk_io(whole, {});
  EXPECT_EQ(io.reads, 32575u);
  EXPECT_EQ(io.bytes_read, 3017202ULL * 512);
  EXPECT_EQ(io.read_time_ms, 11082u);
  EXPECT_EQ(io.writes, 35090u);
  EXPECT_EQ(io.bytes_written, 2833712ULL * 512);
  EXPECT_EQ(io.write_time_ms, 9498u);
  EXPECT_EQ(io.part_max_used, -1);
  EXPECT_EQ(io.disk_total, 0u);
}

TEST(HostDiskIo, FileSystemTotalsAndFullest) {
  sflow::HostDiskIo io =
      make_host_disk_io({}, {FsUsage{1000, 400, 300}, FsUsage{2000, 2000, 2000}});
  EXPECT_EQ(io.disk_total, 3000u);
  EXPECT_EQ(io.disk_free, 2400u);
  EXPECT_EQ(io.part_max_used, 6666);  // 600 used of 900 usable
}

TEST(Mounts, LocalReadWriteBlockDevicesOnce) {
  std::vector<BlockMount> mounts = parse_block_mounts(fixture("host/proc/mounts"));
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[0].device, "/dev/vda");
  EXPECT_EQ(mounts[0].mount_point, "/");
  EXPECT_EQ(mounts[1].device, "/dev/sda1");
  EXPECT_EQ(mounts[1].mount_point, "/srv/my data");
  EXPECT_TRUE(parse_block_mounts(fixture("variants/garbage")).empty());
}

TEST(HostDiskIo, ReaderOnFixtureTree) {
  auto io = read_host_disk_io(fixture_paths());
  ASSERT_TRUE(io.ok()) << io.error().message();
  EXPECT_EQ(io->reads, 32575u);
  EXPECT_EQ(io->bytes_written, 2833712ULL * 512);
  // "/" resolves to the fixture folder, which statvfs() can measure; the other mount
  // point does not exist there and is left out.
  EXPECT_GT(io->disk_total, 0u);
  EXPECT_GE(io->part_max_used, 0);
}

constexpr std::array<uint32_t, 25> kIcmpDistinct = {200, 201, 203, 204, 205, 206, 207, 208, 209,
                                                    210, 212, 213, 214, 215, 218, 219, 220, 221,
                                                    222, 223, 224, 225, 226, 227, 228};

TEST(NetSnmp, MapsByNameInWireOrder) {
  SnmpCounters snmp = parse_net_snmp(fixture("variants/snmp_distinct"));
  for (uint32_t i = 0; i < 19; ++i) EXPECT_EQ(snmp.ip.values[i], 100 + i) << "ip " << i;
  EXPECT_EQ(snmp.icmp.values, kIcmpDistinct);
  EXPECT_EQ(snmp.tcp.values[2], 302u);
  EXPECT_EQ(snmp.tcp.values[3], 0xFFFFFFFFu);  // MaxConn -1
  for (uint32_t i = 4; i < 15; ++i) EXPECT_EQ(snmp.tcp.values[i], 300 + i) << "tcp " << i;
  for (uint32_t i = 0; i < 7; ++i) EXPECT_EQ(snmp.udp.values[i], 400 + i) << "udp " << i;
}

TEST(NetSnmp, OldKernelMissingNamesAreZero) {
  SnmpCounters snmp = parse_net_snmp(fixture("variants/snmp_kernel_3"));
  EXPECT_EQ(snmp.ip.values[18], 118u);
  EXPECT_EQ(snmp.icmp.values[2], 202u);   // InDestUnreachs
  EXPECT_EQ(snmp.icmp.values[10], 211u);  // InAddrMasks, after the skipped InTimestampReps
  EXPECT_EQ(snmp.icmp.values[24], 225u);
  EXPECT_EQ(snmp.tcp.values[13], 313u);
  EXPECT_EQ(snmp.tcp.values[14], 0u);  // InCsumErrors
  EXPECT_EQ(snmp.udp.values[5], 405u);
  EXPECT_EQ(snmp.udp.values[6], 0u);
}

TEST(NetSnmp, ShortAndUnpairedLines) {
  SnmpCounters snmp = parse_net_snmp(fixture("variants/snmp_short_values"));
  EXPECT_EQ(snmp.ip.values[0], 1u);
  EXPECT_EQ(snmp.ip.values[1], 64u);
  EXPECT_EQ(snmp.ip.values[2], 0u);
  EXPECT_EQ(snmp.tcp.values[0], 0u);
  EXPECT_EQ(snmp.udp.values[0], 0u);
  SnmpCounters garbage = parse_net_snmp(fixture("variants/garbage"));
  EXPECT_EQ(garbage.ip.values[0], 0u);
}

TEST(NetSnmp, RealFileValues) {
  SnmpCounters snmp = parse_net_snmp(fixture("host/proc/net/snmp"));
  EXPECT_EQ(snmp.ip.values[0], 2u);   // Forwarding: not a router
  EXPECT_EQ(snmp.ip.values[1], 64u);  // DefaultTTL
  EXPECT_EQ(snmp.ip.values[2], 5530u);
  EXPECT_EQ(snmp.icmp.values[2], 1u);  // InDestUnreachs
  EXPECT_EQ(snmp.tcp.values[2], 120000u);
  EXPECT_EQ(snmp.udp.values[3], 42u);
}

TEST(CpuInfo, MhzRoundedOrMissing) {
  EXPECT_EQ(parse_cpuinfo_mhz(fixture("host/proc/cpuinfo")), 2596u);
  EXPECT_EQ(parse_cpuinfo_mhz("cpu MHz\t\t: 2999.6\n"), 3000u);
  EXPECT_EQ(parse_cpuinfo_mhz("processor : 0\nBogoMIPS : 50.00\n"), std::nullopt);
  EXPECT_EQ(parse_cpuinfo_mhz("cpu MHz : fast\n"), std::nullopt);
}

TEST(Uuid, ParsesDashedAndPlainForms) {
  constexpr std::array<uint8_t, 16> kDmi = {0x4c, 0x4c, 0x45, 0x44, 0x00, 0x42, 0x35, 0x10,
                                            0x80, 0x52, 0xb4, 0xc0, 0x4f, 0x4e, 0x37, 0x32};
  EXPECT_EQ(parse_uuid("4C4C4544-0042-3510-8052-B4C04F4E3732\n"), kDmi);
  EXPECT_EQ(parse_uuid("4c4c4544004235108052b4c04f4e3732"), kDmi);
  EXPECT_EQ(parse_uuid("4c4c4544004235108052b4c04f4e37"), std::nullopt);
  EXPECT_EQ(parse_uuid("4c4c4544004235108052b4c04f4e373200"), std::nullopt);
  EXPECT_EQ(parse_uuid("zz4c4544004235108052b4c04f4e3732"), std::nullopt);
  EXPECT_EQ(parse_uuid("00000000-0000-0000-0000-000000000000"), std::nullopt);
  EXPECT_EQ(parse_uuid("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"), std::nullopt);
  EXPECT_EQ(parse_uuid(""), std::nullopt);
}

TEST(Uuid, DmiFirstThenMachineId) {
  HostPaths paths = fixture_paths();
  auto dmi = read_host_uuid(paths);
  ASSERT_TRUE(dmi.has_value());
  EXPECT_EQ((*dmi)[0], 0x4c);
  EXPECT_EQ((*dmi)[15], 0x32);
  paths.sys_root = kFixtures + "/variants";  // no class/dmi/id/product_uuid there
  auto machine_id = read_host_uuid(paths);
  ASSERT_TRUE(machine_id.has_value());
  EXPECT_EQ((*machine_id)[0], 0x5f);
  EXPECT_EQ((*machine_id)[15], 0x20);
  paths.etc_root = kFixtures + "/variants";
  EXPECT_FALSE(read_host_uuid(paths).has_value());
}

TEST(MachineType, FromUnameMachine) {
  EXPECT_EQ(machine_type_from_uname("x86_64"), 3u);
  EXPECT_EQ(machine_type_from_uname("i686"), 2u);
  EXPECT_EQ(machine_type_from_uname("aarch64"), 10u);
  EXPECT_EQ(machine_type_from_uname("armv7l"), 10u);
  EXPECT_EQ(machine_type_from_uname("ppc64le"), 7u);
  EXPECT_EQ(machine_type_from_uname("mips64"), 9u);
  EXPECT_EQ(machine_type_from_uname("s390x"), 12u);
  EXPECT_EQ(machine_type_from_uname("parisc64"), 11u);
  EXPECT_EQ(machine_type_from_uname("riscv64"), 1u);
  EXPECT_EQ(machine_type_from_uname(""), 0u);
}

TEST(HostReaders, FixtureTree) {
  HostPaths paths = fixture_paths();
  auto cpu = read_host_cpu(paths);
  ASSERT_TRUE(cpu.ok()) << cpu.error().message();
  EXPECT_EQ(cpu->cpu_num, 2u);
  EXPECT_EQ(cpu->cpu_speed_mhz, 2596u);
  EXPECT_EQ(cpu->uptime_s, 655u);
  EXPECT_EQ(cpu->cpu_user, ticks_to_ms(15446, user_hz()));
  auto mem = read_host_memory(paths);
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->mem_total, 24683784ULL * 1024);
  EXPECT_EQ(mem->page_in, 2246269u);
  auto snmp = read_net_snmp(paths);
  ASSERT_TRUE(snmp.ok());
  EXPECT_EQ(snmp->ip.values[2], 5530u);
  auto descr = read_host_descr(paths);
  ASSERT_TRUE(descr.ok());
  EXPECT_EQ(descr->uuid[0], 0x4c);
  EXPECT_EQ(descr->os_name, 2u);
  EXPECT_FALSE(descr->os_release.empty());
}

TEST(HostReaders, MissingFilesFailWithPath) {
  HostPaths paths;
  paths.proc_root = kFixtures + "/csfc-no-such-folder";
  auto cpu = read_host_cpu(paths);
  ASSERT_FALSE(cpu.ok());
  EXPECT_EQ(cpu.error().code, ENOENT);
  EXPECT_NE(cpu.error().context.find("csfc-no-such-folder/stat"), std::string::npos);
  EXPECT_FALSE(read_host_memory(paths).ok());
  EXPECT_FALSE(read_host_disk_io(paths).ok());
  EXPECT_FALSE(read_net_snmp(paths).ok());
  EXPECT_EQ(read_cpu_mhz(paths), 0u);
}

}  // namespace
}  // namespace csflowd::counters
