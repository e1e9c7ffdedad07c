#include "counters/host_disk.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "counters/text.h"

namespace csflowd::counters {

namespace {

constexpr uint32_t kMdMajor = 9;
constexpr uint64_t kSectorBytes = 512;

bool has_virtual_disk_name(std::string_view name) {
  return name.starts_with("loop") || name.starts_with("ram") || name.starts_with("zram") ||
         name.starts_with("dm-") || name.starts_with("md");
}

bool is_read_write(std::string_view options) {
  for (std::string_view option : split_on(options, ',')) {
    if (option == "rw") return true;
  }
  return false;
}

}  // namespace

bool is_whole_disk(const DiskStat& disk, const std::string& sys_root) {
  if (disk.major == kMdMajor || has_virtual_disk_name(disk.name)) return false;
  // /sys/block names replace the '/' of names such as "cciss/c0d0" with '!'.
  std::string sys_name = disk.name;
  std::replace(sys_name.begin(), sys_name.end(), '/', '!');
  if (sys_name.empty() || sys_name == "." || sys_name == "..") return false;
  std::filesystem::path dir = std::filesystem::path(join_root(sys_root, "/block")) / sys_name;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return false;
  return !std::filesystem::exists(dir / "partition", ec);
}

std::vector<BlockMount> parse_block_mounts(std::string_view text) {
  std::vector<BlockMount> mounts;
  std::set<std::string, std::less<>> seen;
  for (std::string_view line : split_lines(text)) {
    std::vector<std::string_view> f = split_fields(line);
    if (f.size() < 4 || !f[0].starts_with("/dev/") || !is_read_write(f[3])) continue;
    std::string device = decode_octal_escapes(f[0]);
    if (!seen.insert(device).second) continue;
    mounts.push_back({std::move(device), decode_octal_escapes(f[1])});
  }
  return mounts;
}

Result<FsUsage> stat_filesystem(const std::string& mount_point) {
  struct statvfs st {};
  if (statvfs(mount_point.c_str(), &st) != 0) {
    return errno_error("failed to statvfs '" + mount_point + "'");
  }
  uint64_t unit = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
  return FsUsage{st.f_blocks * unit, st.f_bfree * unit, st.f_bavail * unit};
}

sflow::HostDiskIo make_host_disk_io(const std::vector<DiskStat>& whole_disks,
                                    const std::vector<FsUsage>& file_systems) {
  sflow::HostDiskIo io;
  uint64_t reads = 0, writes = 0, read_ms = 0, write_ms = 0;
  for (const DiskStat& disk : whole_disks) {
    reads += disk.reads;
    writes += disk.writes;
    read_ms += disk.read_time_ms;
    write_ms += disk.write_time_ms;
    io.bytes_read += disk.sectors_read * kSectorBytes;
    io.bytes_written += disk.sectors_written * kSectorBytes;
  }
  io.reads = static_cast<uint32_t>(reads);
  io.writes = static_cast<uint32_t>(writes);
  io.read_time_ms = static_cast<uint32_t>(read_ms);
  io.write_time_ms = static_cast<uint32_t>(write_ms);
  for (const FsUsage& fs : file_systems) {
    io.disk_total += fs.total;
    io.disk_free += fs.free;
    uint64_t used = fs.total > fs.free ? fs.total - fs.free : 0;
    uint64_t usable = used + fs.available;
    int32_t share = usable == 0 ? 0 : static_cast<int32_t>(used * 10000 / usable);
    io.part_max_used = std::max(io.part_max_used, share);
  }
  return io;
}

}  // namespace csflowd::counters
