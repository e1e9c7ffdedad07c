#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>

#include "containers/cgroup_scan.h"

namespace csflowd::containers {
namespace {

const std::string kProcRoot = std::string(CSFLOWD_FIXTURES_DIR) + "/containers/proc";
constexpr char kWebId[] = "2e781c0358b9940f7bc8399903b5af0d6b2c0c8a6f4a1f0e2d3c4b5a69788796";
constexpr char kCountingId[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kIdC(64, 'c');
const std::string kIdD(64, 'd');
const std::string kIdE(64, 'e');

const ScannedContainer* find(const ScanResult& result, const std::string& id) {
  auto it = std::find_if(result.containers.begin(), result.containers.end(),
                         [&](const ScannedContainer& c) { return c.id == id; });
  return it == result.containers.end() ? nullptr : &*it;
}

TEST(ContainersCgroupScan, ParsesV1V2AndHybridLines) {
  auto lines = parse_cgroup_file(
      "12:pids:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/x:y\n0::/docker/abc\n");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].hierarchy, 12);
  EXPECT_EQ(lines[0].controllers, "pids");
  EXPECT_EQ(lines[1].controllers, "cpu,cpuacct");
  EXPECT_EQ(lines[2].path, "/x:y");
  EXPECT_EQ(lines[3].hierarchy, 0);
  EXPECT_EQ(lines[3].controllers, "");
  EXPECT_EQ(lines[3].path, "/docker/abc");
}

TEST(ContainersCgroupScan, SkipsGarbageLines) {
  auto lines = parse_cgroup_file("garbage\nx:y\n::\n12:cpu:relative\n-3::/n\nz::/a\n\n0::/\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].path, "/");
}

TEST(ContainersCgroupScan, FindsIdInEveryLayout) {
  struct Case {
    std::string path;
    std::string runtime;
  };
  const std::string id = kWebId;
  const Case cases[] = {
      {"/docker/" + id, "docker"},
      {"/system.slice/docker-" + id + ".scope", "docker"},
      {"/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + id + ".scope", "containerd"},
      {"/kubepods.slice/kubepods-pod1.slice/crio-" + id + ".scope", "crio"},
      {"/machine.slice/libpod-" + id + ".scope/container", "podman"},
      {"/kubepods/burstable/pod0f1e2d3c/" + id, "kubepods"},
      {"/docker/" + id + "/docker/" + kIdC, "docker"},  // outermost wins
  };
  for (const Case& c : cases) {
    auto found = container_id_from_path(c.path);
    ASSERT_TRUE(found.has_value()) << c.path;
    EXPECT_EQ(found->id, id) << c.path;
    EXPECT_EQ(found->runtime, c.runtime) << c.path;
  }
}

TEST(ContainersCgroupScan, IgnoresPathsWithoutContainer) {
  const std::string id = kWebId;
  const std::string paths[] = {
      "/",
      "/user.slice/user-0.slice/session-1.scope",
      "/machine.slice/libpod-conmon-" + id + ".scope",
      "/system.slice/docker-" + id.substr(0, 63) + ".scope",
      "/other/" + id,  // a bare id outside docker/ and kubepods
      "/docker/" + std::string(64, 'G'),
  };
  for (const std::string& path : paths) {
    EXPECT_FALSE(container_id_from_path(path).has_value()) << path;
  }
}

TEST(ContainersCgroupScan, ParsesNetnsLink) {
  EXPECT_EQ(parse_netns_link("net:[4026531840]"), 4026531840u);
  EXPECT_FALSE(parse_netns_link("mnt:[4026531840]").has_value());
  EXPECT_FALSE(parse_netns_link("net:[]").has_value());
  EXPECT_FALSE(parse_netns_link("net:[12x]").has_value());
  EXPECT_FALSE(parse_netns_link("net:[4026531840").has_value());
}

TEST(ContainersCgroupScan, ScanFindsEachContainerOnce) {
  auto result = scan_processes(kProcRoot);
  ASSERT_TRUE(result.ok()) << result.error().message();
  ASSERT_EQ(result->containers.size(), 5u);
  // Sorted by id.
  EXPECT_EQ(result->containers[0].id, kCountingId);
  EXPECT_EQ(result->containers[1].id, kWebId);
}

TEST(ContainersCgroupScan, ScanPicksLowestPid) {
  auto result = scan_processes(kProcRoot);
  ASSERT_TRUE(result.ok());
  const ScannedContainer* web = find(*result, kWebId);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->pid, 100);
  EXPECT_EQ(web->runtime, "docker");
  EXPECT_EQ(web->cgroups.size(), 5u);
  EXPECT_EQ(web->netns_inode, 4026532001u);
}

TEST(ContainersCgroupScan, ScanReadsEveryRuntime) {
  auto result = scan_processes(kProcRoot);
  ASSERT_TRUE(result.ok());
  const ScannedContainer* systemd = find(*result, kCountingId);
  const ScannedContainer* containerd = find(*result, kIdC);
  const ScannedContainer* podman = find(*result, kIdD);
  const ScannedContainer* kubepods = find(*result, kIdE);
  ASSERT_NE(systemd, nullptr);
  ASSERT_NE(containerd, nullptr);
  ASSERT_NE(podman, nullptr);
  ASSERT_NE(kubepods, nullptr);
  EXPECT_EQ(systemd->pid, 200);
  EXPECT_EQ(containerd->runtime, "containerd");
  EXPECT_EQ(podman->pid, 400);  // not conmon's 401
  EXPECT_EQ(kubepods->runtime, "kubepods");
}

TEST(ContainersCgroupScan, ScanSkipsPidOneAndSelf) {
  auto result = scan_processes(kProcRoot);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(find(*result, std::string(64, 'f')), nullptr);  // only pid 1 has it
  EXPECT_EQ(find(*result, std::string(64, 'a')), nullptr);  // only "self" has it
}

TEST(ContainersCgroupScan, ScanReportsPlainNamespaces) {
  auto result = scan_processes(kProcRoot);
  ASSERT_TRUE(result.ok());
  // Namespace 4026532099 contains pids 600 and 601. Namespace 4026532100 contains pid 700 with a
  // garbage cgroup file. Pid 800 shares the web container's namespace, so it is not a candidate.
  ASSERT_EQ(result->netns_only.size(), 2u);
  EXPECT_EQ(result->netns_only[0].netns_inode, 4026532099u);
  EXPECT_EQ(result->netns_only[0].pid, 600);
  EXPECT_EQ(result->netns_only[1].netns_inode, 4026532100u);
  EXPECT_EQ(result->netns_only[1].pid, 700);
}

TEST(ContainersCgroupScan, ScanOfMissingRootFails) {
  auto result = scan_processes(kProcRoot + "/missing");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ENOENT);
}

TEST(ContainersCgroupScan, ScanOfLiveProcWorks) {
  auto result = scan_processes("/proc");
  ASSERT_TRUE(result.ok()) << result.error().message();
  auto inode = read_netns_inode(1);
  if (!inode.ok()) {
    inode = read_netns_inode(getpid());  // PID 1 is hidden in some sandboxes
  }
  ASSERT_TRUE(inode.ok()) << inode.error().message();
  for (const NetnsCandidate& candidate : result->netns_only) {
    EXPECT_NE(candidate.netns_inode, *inode);
  }
}

}  // namespace
}  // namespace csflowd::containers
