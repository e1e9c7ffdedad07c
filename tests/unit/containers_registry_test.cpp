#include <gtest/gtest.h>

#include <map>

#include "containers/registry.h"

namespace csflowd::containers {
namespace {

constexpr char kWebId[] = "2e781c0358b9940f7bc8399903b5af0d6b2c0c8a6f4a1f0e2d3c4b5a69788796";
constexpr char kCountingId[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
// Shares its first 32 hex digits, so its UUID and preferred dsIndex, with kWebId.
constexpr char kWebTwinId[] = "2e781c0358b9940f7bc8399903b5af0d00000000000000000000000000000000";
const std::string kProcRoot = std::string(CSFLOWD_FIXTURES_DIR) + "/containers/proc";

ContainerInfo running(const std::string& id, const std::string& name, int pid) {
  ContainerInfo info;
  info.id = id;
  info.name = "/" + name;
  info.hostname = id.substr(0, 12);
  info.status = "running";
  info.running = true;
  info.pid = pid;
  info.nano_cpus = 2'000'000'000;
  info.memory = 1 << 30;
  return info;
}

DockerEvent event(EventAction action, const std::string& id, const std::string& name = "") {
  DockerEvent e;
  e.action = action;
  e.id = id;
  e.name = name;
  return e;
}

net::Link veth(int ifindex, std::optional<int> link_netnsid) {
  net::Link link;
  link.ifindex = ifindex;
  link.name = "veth" + std::to_string(ifindex);
  link.kind = "veth";
  link.link_netnsid = link_netnsid;
  return link;
}

class ContainersRegistry : public ::testing::Test {
 protected:
  ContainersRegistry()
      : registry_(RegistryOptions{false, false, kProcRoot + "/none", kProcRoot + "/none"},
                  [this](const std::string& id) -> Result<ContainerInfo> {
                    auto it = docker_.find(id);
                    if (it == docker_.end()) {
                      return make_error(ENOENT, "no such container '" + id + "'");
                    }
                    return it->second;
                  }) {}

  std::vector<ContainerInfo> docker_list() const {
    std::vector<ContainerInfo> list;
    for (const auto& [id, info] : docker_) {
      list.push_back(info);
    }
    return list;
  }

  std::map<std::string, ContainerInfo> docker_;
  Registry registry_;
};

TEST_F(ContainersRegistry, RefreshAddsDockerContainers) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  docker_[kCountingId] = running(kCountingId, "csfk-sleep", 4343);
  auto changes = registry_.refresh(docker_list(), ScanResult{});
  EXPECT_EQ(changes.added.size(), 2u);
  const Container* web = registry_.find(kWebId);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->name, "csfk-web");
  EXPECT_EQ(web->ds_index, 145325u);
  EXPECT_EQ(web->pid, 4242);
  EXPECT_EQ(web->state, "running");
  EXPECT_TRUE(web->from_docker);
  EXPECT_DOUBLE_EQ(web->cpu_limit, 2.0);
  EXPECT_EQ(web->memory_limit, 1u << 30);
  EXPECT_EQ(registry_.find_by_ds_index(134981u), registry_.find(kCountingId));
}

TEST_F(ContainersRegistry, StartEventInspects) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  auto changes = registry_.apply(event(EventAction::kStart, kWebId, "csfk-web"));
  ASSERT_EQ(changes.added.size(), 1u);
  const Container* web = registry_.find(kWebId);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->pid, 4242);
  EXPECT_EQ(web->ds_index, 145325u);
}

TEST_F(ContainersRegistry, StartWithoutInspectUsesEventName) {
  auto changes = registry_.apply(event(EventAction::kStart, kWebId, "csfk-gone"));
  ASSERT_EQ(changes.added.size(), 1u);
  EXPECT_EQ(registry_.find(kWebId)->name, "csfk-gone");
  EXPECT_EQ(registry_.find(kWebId)->pid, 0);
}

TEST_F(ContainersRegistry, RenameChangesHostname) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  (void)registry_.apply(event(EventAction::kStart, kWebId));
  auto changes = registry_.apply(event(EventAction::kRename, kWebId, "csfk-www"));
  ASSERT_EQ(changes.updated.size(), 1u);
  EXPECT_EQ(registry_.find(kWebId)->name, "csfk-www");
}

TEST_F(ContainersRegistry, DieReportsStoppedOnce) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  (void)registry_.apply(event(EventAction::kStart, kWebId));
  auto kill = registry_.apply(event(EventAction::kKill, kWebId));
  EXPECT_TRUE(kill.empty());
  auto die = registry_.apply(event(EventAction::kDie, kWebId));
  ASSERT_EQ(die.stopped.size(), 1u);
  EXPECT_EQ(die.stopped[0], kWebId);
  EXPECT_EQ(registry_.find(kWebId)->state, "exited");
  auto stop = registry_.apply(event(EventAction::kStop, kWebId));
  EXPECT_TRUE(stop.stopped.empty());
}

TEST_F(ContainersRegistry, RestartKeepsDsIndex) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  docker_[kWebTwinId] = running(kWebTwinId, "csfk-twin", 4343);
  (void)registry_.apply(event(EventAction::kStart, kWebId));
  (void)registry_.apply(event(EventAction::kStart, kWebTwinId));
  ASSERT_EQ(registry_.find(kWebTwinId)->ds_index, 145326u);  // probed past kWebId

  (void)registry_.apply(event(EventAction::kDie, kWebTwinId));
  docker_[kWebTwinId].pid = 5000;
  auto changes = registry_.apply(event(EventAction::kStart, kWebTwinId));
  EXPECT_TRUE(changes.added.empty());
  ASSERT_EQ(changes.updated.size(), 1u);
  const Container* twin = registry_.find(kWebTwinId);
  EXPECT_EQ(twin->ds_index, 145326u);
  EXPECT_EQ(twin->pid, 5000);
  EXPECT_EQ(twin->state, "running");
}

TEST_F(ContainersRegistry, DestroyFreesDsIndex) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  docker_[kWebTwinId] = running(kWebTwinId, "csfk-twin", 4343);
  (void)registry_.apply(event(EventAction::kStart, kWebId));
  (void)registry_.apply(event(EventAction::kDie, kWebId));
  auto destroy = registry_.apply(event(EventAction::kDestroy, kWebId));
  ASSERT_EQ(destroy.removed.size(), 1u);
  EXPECT_EQ(destroy.removed[0].ds_index, 145325u);
  EXPECT_EQ(registry_.find(kWebId), nullptr);
  EXPECT_EQ(registry_.find_by_ds_index(145325u), nullptr);

  (void)registry_.apply(event(EventAction::kStart, kWebTwinId));
  EXPECT_EQ(registry_.find(kWebTwinId)->ds_index, 145325u);
}

TEST_F(ContainersRegistry, PauseAndUnpause) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  (void)registry_.apply(event(EventAction::kStart, kWebId));
  auto pause = registry_.apply(event(EventAction::kPause, kWebId));
  EXPECT_EQ(pause.updated.size(), 1u);
  EXPECT_EQ(registry_.find(kWebId)->state, "paused");
  EXPECT_TRUE(registry_.find(kWebId)->is_running());
  (void)registry_.apply(event(EventAction::kUnpause, kWebId));
  EXPECT_EQ(registry_.find(kWebId)->state, "running");
}

TEST_F(ContainersRegistry, EventsForUnknownIdsChangeNothing) {
  EXPECT_TRUE(registry_.apply(event(EventAction::kDie, kWebId)).empty());
  EXPECT_TRUE(registry_.apply(event(EventAction::kDestroy, kWebId)).empty());
  EXPECT_TRUE(registry_.apply(event(EventAction::kRename, kWebId, "x")).empty());
  EXPECT_TRUE(registry_.apply(event(EventAction::kPause, kWebId)).empty());
  EXPECT_TRUE(registry_.apply(event(EventAction::kStart, "not-hex")).empty());
  EXPECT_TRUE(registry_.containers().empty());
}

TEST_F(ContainersRegistry, ConfigHostnameOption) {
  Registry registry(RegistryOptions{true, false, kProcRoot + "/none", kProcRoot + "/none"});
  std::vector<ContainerInfo> list{running(kWebId, "csfk-web", 4242)};
  (void)registry.refresh(list, ScanResult{});
  EXPECT_EQ(registry.find(kWebId)->name, "2e781c0358b9");
}

TEST_F(ContainersRegistry, ClashingNamesGetShortId) {
  Registry registry(RegistryOptions{true, false, kProcRoot + "/none", kProcRoot + "/none"});
  std::vector<ContainerInfo> list{running(kWebId, "a", 1), running(kWebTwinId, "b", 2)};
  list[0].hostname = "same";
  list[1].hostname = "same";
  (void)registry.refresh(list, ScanResult{});
  EXPECT_EQ(registry.find(kWebId)->name, "same");
  EXPECT_EQ(registry.find(kWebTwinId)->name, "same.2e781c0358b9");
}

TEST_F(ContainersRegistry, RefreshStopsThenRemovesVanished) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  (void)registry_.refresh(docker_list(), ScanResult{});
  docker_.clear();
  auto first = registry_.refresh(docker_list(), ScanResult{});
  ASSERT_EQ(first.stopped.size(), 1u);
  EXPECT_TRUE(first.removed.empty());
  auto second = registry_.refresh(docker_list(), ScanResult{});
  ASSERT_EQ(second.removed.size(), 1u);
  EXPECT_TRUE(registry_.containers().empty());
}

TEST_F(ContainersRegistry, ScanAndDockerMergeById) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  ScanResult scan;
  scan.containers.push_back({kWebId, "docker", 100, {}, 4026532001u});
  scan.containers.push_back({kCountingId, "containerd", 200, {}, 4026532002u});
  auto changes = registry_.refresh(docker_list(), scan);
  EXPECT_EQ(changes.added.size(), 2u);
  EXPECT_EQ(registry_.containers().size(), 2u);
  EXPECT_EQ(registry_.find(kWebId)->pid, 4242);  // Docker's pid wins
  EXPECT_EQ(registry_.find(kWebId)->netns_inode, 4026532001u);
  const Container* scanned = registry_.find(kCountingId);
  EXPECT_FALSE(scanned->from_docker);
  EXPECT_EQ(scanned->name, "0123456789ab");
  EXPECT_EQ(scanned->runtime, "containerd");
}

TEST_F(ContainersRegistry, ScanKeepsContainersWhenDockerIsAbsent) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  (void)registry_.refresh(docker_list(), ScanResult{});
  ScanResult scan;
  scan.containers.push_back({kWebId, "docker", 100, {}, 4026532001u});
  auto changes = registry_.refresh(make_error(ENOENT, "docker socket missing"), scan);
  EXPECT_TRUE(changes.stopped.empty());
  EXPECT_EQ(registry_.find(kWebId)->name, "csfk-web");
  EXPECT_EQ(registry_.find(kWebId)->state, "running");
}

TEST_F(ContainersRegistry, NetnsOnlyCandidatesOnRequest) {
  Registry registry(RegistryOptions{false, true, kProcRoot, kProcRoot + "/none"});
  ScanResult scan;
  scan.netns_only.push_back({4026532099u, 600});
  auto changes = registry.refresh(make_error(ENOENT, "docker socket missing"), scan);
  ASSERT_EQ(changes.added.size(), 1u);
  const Container* netns = registry.find("netns-4026532099");
  ASSERT_NE(netns, nullptr);
  EXPECT_EQ(netns->name, "netns-4026532099");
  EXPECT_EQ(netns->pid, 600);
  EXPECT_GE(netns->ds_index, kFirstDsIndex);
  EXPECT_EQ(netns->cgroups.size(), 1u);
  EXPECT_TRUE(registry_.refresh(make_error(ENOENT, "x"), scan).added.empty());  // option off
}

TEST_F(ContainersRegistry, InterfacesMapVethsToContainers) {
  docker_[kWebId] = running(kWebId, "csfk-web", 4242);
  docker_[kCountingId] = running(kCountingId, "csfk-host", 4343);
  (void)registry_.refresh(docker_list(), ScanResult{});
  int resolves = 0;
  NetnsResolver resolve = [&](int pid) -> Result<std::optional<int>> {
    ++resolves;
    if (pid == 4242) {
      return std::optional<int>(3);
    }
    return std::optional<int>();  // --network host
  };
  net::Link bridge;
  bridge.ifindex = 5;
  bridge.kind = "bridge";
  std::vector<net::Link> links{bridge, veth(12, 3), veth(13, 4), veth(14, std::nullopt),
                               veth(11, 3)};
  auto changed = registry_.update_interfaces(links, resolve);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(registry_.find(kWebId)->host_veths, (std::vector<int>{11, 12}));
  EXPECT_EQ(registry_.find(kWebId)->netnsid, 3);
  EXPECT_TRUE(registry_.find(kCountingId)->host_veths.empty());
  EXPECT_EQ(registry_.find_by_veth(12), registry_.find(kWebId));
  EXPECT_EQ(registry_.find_by_veth(13), nullptr);
  EXPECT_EQ(registry_.find_by_veth(5), nullptr);

  EXPECT_TRUE(registry_.update_interfaces(links, resolve).empty());
  EXPECT_EQ(resolves, 2);  // cached per pid

  (void)registry_.apply(event(EventAction::kDie, kWebId));
  EXPECT_EQ(registry_.find_by_veth(12), nullptr);
}

}  // namespace
}  // namespace csflowd::containers
