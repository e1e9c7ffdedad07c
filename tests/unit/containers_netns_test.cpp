// Root-only: a real network namespace csfk-t1 with a veth pair csfk0 (host) / csfk1 (inside).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "containers/cgroup_scan.h"
#include "containers/netns.h"
#include "containers/registry.h"

extern char** environ;

namespace csflowd::containers {
namespace {

using namespace std::chrono_literals;

int run(const std::string& command) { return std::system(command.c_str()); }

std::string capture(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return output;
  }
  char buffer[4096];
  while (size_t length = fread(buffer, 1, sizeof buffer, pipe)) {
    output.append(buffer, length);
  }
  pclose(pipe);
  return output;
}

// Reads one field of `ip -j [-n netns] -d link show dev` output.
nlohmann::json link_field(const std::string& netns, const std::string& dev,
                          const std::string& field) {
  std::string prefix = netns.empty() ? "ip" : "ip -n " + netns;
  auto links = nlohmann::json::parse(capture(prefix + " -j -d link show " + dev), nullptr, false);
  if (!links.is_array() || links.empty() || !links[0].contains(field)) {
    return nullptr;
  }
  return links[0][field];
}

// Starts `ip netns exec <netns> sleep 30`. ip joins the namespace and execs sleep in the
// same process, so the returned pid is the sleep inside the namespace.
pid_t spawn_sleep_in(const std::string& netns) {
  std::string name = netns;
  const char* argv[] = {"ip", "netns", "exec", name.c_str(), "sleep", "30", nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, "ip", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
    return -1;
  }
  return pid;
}

// Waits (up to 3 s) until pid has left this process's network namespace.
bool await_netns_change(pid_t pid) {
  auto own = read_netns_inode(getpid());
  for (int i = 0; i < 300 && own.ok(); ++i) {
    auto theirs = read_netns_inode(pid);
    if (theirs.ok() && *theirs != *own) {
      return true;
    }
    std::this_thread::sleep_for(10ms);  // polling a /proc link: there is no event to wait on
  }
  return false;
}

void stop_process(pid_t pid) {
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

int sysfs_ifindex(const std::string& dev) {
  std::ifstream file("/sys/class/net/" + dev + "/ifindex");
  int ifindex = 0;
  file >> ifindex;
  return ifindex;
}

class ContainersNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      GTEST_SKIP() << "needs root to create network namespaces";
    }
    clean_up();
    ASSERT_EQ(run("ip netns add csfk-t1"), 0);
    ASSERT_EQ(run("ip link add csfk0 type veth peer name csfk1"), 0);
    ASSERT_EQ(run("ip link set csfk1 netns csfk-t1"), 0);
    ASSERT_EQ(run("ip link set csfk0 up && ip -n csfk-t1 link set csfk1 up"), 0);
    sleep_pid_ = spawn_sleep_in("csfk-t1");
    ASSERT_GT(sleep_pid_, 0);
    ASSERT_TRUE(await_netns_change(sleep_pid_));
  }

  void TearDown() override {
    stop_process(sleep_pid_);
    stop_process(other_pid_);
    if (geteuid() == 0) {
      clean_up();
    }
  }

  static void clean_up() {
    run("ip link del csfk0 2>/dev/null; ip netns del csfk-t1 2>/dev/null; "
        "ip netns del csfk-t2 2>/dev/null");
  }

  pid_t sleep_pid_ = -1;
  pid_t other_pid_ = -1;
};

TEST_F(ContainersNetns, FindsNetnsIdAndHostVeth) {
  auto nsid = netns_id_for_pid(sleep_pid_);
  ASSERT_TRUE(nsid.ok()) << nsid.error().message();
  ASSERT_TRUE(nsid->has_value());
  auto kernel_nsid = link_field("", "csfk0", "link_netnsid");
  ASSERT_TRUE(kernel_nsid.is_number_integer()) << "csfk0 shows no link_netnsid";
  EXPECT_EQ(**nsid, kernel_nsid.get<int>());

  net::Link host_side;
  host_side.ifindex = sysfs_ifindex("csfk0");
  host_side.name = "csfk0";
  host_side.kind = "veth";
  host_side.link_netnsid = kernel_nsid.get<int>();
  net::Link unrelated = host_side;
  unrelated.ifindex = host_side.ifindex + 1000;
  unrelated.link_netnsid = **nsid + 1;
  ASSERT_GT(host_side.ifindex, 0);
  EXPECT_EQ(host_veths_for(**nsid, {unrelated, host_side}), std::vector<int>{host_side.ifindex});
}

TEST_F(ContainersNetns, OwnNamespaceHasNoNetnsId) {
  auto nsid = netns_id_for_pid(getpid());
  ASSERT_TRUE(nsid.ok()) << nsid.error().message();
  EXPECT_FALSE(nsid->has_value());
}

TEST_F(ContainersNetns, AssignsIdToFreshNamespace) {
  ASSERT_EQ(run("ip netns add csfk-t2"), 0);
  other_pid_ = spawn_sleep_in("csfk-t2");
  ASSERT_GT(other_pid_, 0);
  ASSERT_TRUE(await_netns_change(other_pid_));
  // `ip netns list` prints "csfk-t2 (id: N)" only once the namespace has an id.
  ASSERT_EQ(capture("ip netns list | grep '^csfk-t2 '").find("(id:"), std::string::npos);
  auto first = netns_id_for_pid(other_pid_);
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_TRUE(first->has_value());
  EXPECT_GE(**first, 0);
  EXPECT_NE(capture("ip netns list | grep '^csfk-t2 '").find("(id: " + std::to_string(**first)),
            std::string::npos);
  auto second = netns_id_for_pid(other_pid_);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  auto other = netns_id_for_pid(sleep_pid_);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *first);
}

TEST_F(ContainersNetns, ListsInterfacesInsideNamespace) {
  auto interfaces = container_interfaces(sleep_pid_);
  ASSERT_TRUE(interfaces.ok()) << interfaces.error().message();
  auto peer = std::find_if(interfaces->begin(), interfaces->end(),
                           [](const ContainerInterface& i) { return i.name == "csfk1"; });
  ASSERT_NE(peer, interfaces->end());
  ASSERT_TRUE(peer->mac.has_value());
  char text[18];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", (*peer->mac)[0],
                (*peer->mac)[1], (*peer->mac)[2], (*peer->mac)[3], (*peer->mac)[4],
                (*peer->mac)[5]);
  EXPECT_EQ(text, link_field("csfk-t1", "csfk1", "address").get<std::string>());
  EXPECT_EQ(peer->ifindex, link_field("csfk-t1", "csfk1", "ifindex").get<int>());
  // The host's csfk0 must not show up: the listing came from inside the namespace.
  for (const ContainerInterface& interface : *interfaces) {
    EXPECT_NE(interface.name, "csfk0");
  }
  auto names = read_net_dev_names(sleep_pid_);
  ASSERT_TRUE(names.ok()) << names.error().message();
  EXPECT_NE(std::find(names->begin(), names->end(), "csfk1"), names->end());
  EXPECT_NE(std::find(names->begin(), names->end(), "lo"), names->end());
}

TEST_F(ContainersNetns, RegistryAttributesVethToNamedNamespace) {
  auto scan = scan_processes();
  ASSERT_TRUE(scan.ok()) << scan.error().message();
  Registry registry(RegistryOptions{false, true, "/proc", "/run/netns"});
  (void)registry.refresh(make_error(ENOENT, "docker socket missing"), *scan);
  auto inode = read_netns_inode(sleep_pid_);
  ASSERT_TRUE(inode.ok());
  const Container* container = registry.find("netns-" + std::to_string(*inode));
  ASSERT_NE(container, nullptr);
  EXPECT_EQ(container->name, "csfk-t1");

  net::Link host_side;
  host_side.ifindex = sysfs_ifindex("csfk0");
  host_side.kind = "veth";
  host_side.link_netnsid = link_field("", "csfk0", "link_netnsid").get<int>();
  auto changed =
      registry.update_interfaces({host_side}, [](int pid) { return netns_id_for_pid(pid); });
  EXPECT_FALSE(changed.empty());
  EXPECT_EQ(registry.find_by_veth(host_side.ifindex), container);
}

}  // namespace
}  // namespace csflowd::containers
