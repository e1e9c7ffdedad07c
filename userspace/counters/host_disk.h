// Disk counters of the host: which /proc/diskstats entries are whole disks, which mounts
// count towards disk_total and disk_free, and the sums that make host_disk_io.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "counters/host_parsers.h"
#include "sflow/records.h"

namespace csflowd::counters {

// Whether a diskstats entry is a whole physical disk, so that its I/O is counted once:
// partitions (no /sys/block/<name>, or a "partition" file there), md (major 9, "md*"),
// device-mapper ("dm-*"), loop, ram and zram devices are not. Device-mapper is matched by
// name because its major number is allocated at boot (253 on many hosts, but 254 may be
// virtio-blk). `sys_root` is the folder that stands for /sys ("/sys" on a real host).
bool is_whole_disk(const DiskStat& disk, const std::string& sys_root);

// A mounted local block device: the device path and the mount point, with the octal
// escapes of /proc/mounts ("\040" for a space) decoded.
struct BlockMount {
  std::string device;
  std::string mount_point;
};

// Picks from /proc/mounts (or /proc/self/mounts) the read-write mounts of /dev/* devices,
// one per device, so bind mounts of the same file system count once.
std::vector<BlockMount> parse_block_mounts(std::string_view text);

// Sizes of one file system in bytes, as statvfs reports them.
struct FsUsage {
  uint64_t total = 0;      // f_blocks
  uint64_t free = 0;       // f_bfree, including blocks reserved for root
  uint64_t available = 0;  // f_bavail, free to unprivileged users
};

// statvfs() of a mount point.
Result<FsUsage> stat_filesystem(const std::string& mount_point);

// Sums whole disks and file systems into host_disk_io. Sectors are 512 bytes whatever the
// device's block size. part_max_used is the used share of the fullest file system in
// hundredths of a percent, computed as df does: used / (used + available). It is -1 when
// no file system is known.
sflow::HostDiskIo make_host_disk_io(const std::vector<DiskStat>& whole_disks,
                                    const std::vector<FsUsage>& file_systems);

}  // namespace csflowd::counters
