#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "containers/docker_json.h"

namespace csflowd::containers {
namespace {

constexpr char kWebId[] = "2e781c0358b9940f7bc8399903b5af0d6b2c0c8a6f4a1f0e2d3c4b5a69788796";
constexpr char kCountingId[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string read_fixture(const std::string& name) {
  std::ifstream file(std::string(CSFLOWD_FIXTURES_DIR) + "/containers/docker/" + name);
  EXPECT_TRUE(file.good()) << name;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<std::string> fixture_lines(const std::string& name) {
  std::istringstream text(read_fixture(name));
  std::vector<std::string> lines;
  for (std::string line; std::getline(text, line);) {
    lines.push_back(line);
  }
  return lines;
}

TEST(ContainersDockerJson, ListReadsIdNameState) {
  auto list = parse_container_list(read_fixture("list.json"));
  ASSERT_TRUE(list.ok()) << list.error().message();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, kWebId);
  EXPECT_EQ((*list)[0].name, "/csfk-web");
  EXPECT_EQ((*list)[0].state, "running");
  EXPECT_EQ((*list)[1].id, kCountingId);
  EXPECT_EQ((*list)[1].state, "paused");
}

TEST(ContainersDockerJson, ListSkipsEntriesWithoutId) {
  auto list = parse_container_list(R"([{"Names":["/x"]},{"Id":"abc","Names":[7]},"junk"])");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, "abc");
  EXPECT_EQ((*list)[0].name, "");
}

TEST(ContainersDockerJson, ListRejectsNonArray) {
  EXPECT_FALSE(parse_container_list(R"({"message":"page not found"})").ok());
  EXPECT_FALSE(parse_container_list("").ok());
  EXPECT_FALSE(parse_container_list(R"([{"Id":"abc")").ok());
}

TEST(ContainersDockerJson, InspectReadsEveryUsedField) {
  auto info = parse_container_inspect(read_fixture("inspect.json"));
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->id, kWebId);
  EXPECT_EQ(info->name, "/csfk-web");
  EXPECT_EQ(info->hostname, "2e781c0358b9");
  EXPECT_EQ(info->status, "running");
  EXPECT_TRUE(info->running);
  EXPECT_FALSE(info->paused);
  EXPECT_EQ(info->pid, 4242);
  EXPECT_EQ(info->nano_cpus, 1500000000);
  EXPECT_EQ(info->cpu_quota, 0);
  EXPECT_EQ(info->cpu_period, 0);
  EXPECT_EQ(info->cpuset_cpus, "0-1");
  EXPECT_EQ(info->memory, 268435456u);
  EXPECT_EQ(info->network_mode, "default");
  EXPECT_EQ(info->sandbox_key, "/var/run/docker/netns/5c4b3a291817");
  ASSERT_EQ(info->networks.size(), 1u);
  EXPECT_EQ(info->networks[0].network, "bridge");
  EXPECT_EQ(info->networks[0].mac, "02:42:c6:12:00:02");
  EXPECT_EQ(info->networks[0].ipv4, "198.18.0.2");
  EXPECT_DOUBLE_EQ(info->cpu_limit(), 1.5);
}

TEST(ContainersDockerJson, InspectToleratesUnknownAndMistypedFields) {
  auto info = parse_container_inspect(read_fixture("inspect_unknown_fields.json"));
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->id, kCountingId);
  EXPECT_EQ(info->status, "paused");
  EXPECT_TRUE(info->paused);
  EXPECT_EQ(info->pid, 0);                   // "not-a-number"
  EXPECT_EQ(info->hostname, "");             // an array
  EXPECT_EQ(info->memory, 0u);               // -1
  EXPECT_EQ(info->cpuset_cpus, "");          // a number
  EXPECT_DOUBLE_EQ(info->cpu_limit(), 0.5);  // CpuQuota / CpuPeriod
  ASSERT_EQ(info->networks.size(), 1u);
  EXPECT_EQ(info->networks[0].network, "custom");
}

TEST(ContainersDockerJson, InspectKeepsDefaultsForMissingFields) {
  auto info = parse_container_inspect(read_fixture("inspect_missing_fields.json"));
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->id, kCountingId);
  EXPECT_EQ(info->name, "");
  EXPECT_FALSE(info->running);
  EXPECT_EQ(info->pid, 0);
  EXPECT_TRUE(info->networks.empty());
  EXPECT_DOUBLE_EQ(info->cpu_limit(), 0.0);
}

TEST(ContainersDockerJson, InspectRejectsTruncatedJson) {
  auto info = parse_container_inspect(read_fixture("inspect_truncated.json"));
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.error().message().find("invalid JSON"), std::string::npos);
}

TEST(ContainersDockerJson, InspectRejectsReplyWithoutId) {
  EXPECT_FALSE(parse_container_inspect(R"({"message":"No such container: x"})").ok());
  EXPECT_FALSE(parse_container_inspect("[]").ok());
  EXPECT_FALSE(parse_container_inspect("null").ok());
}

TEST(ContainersDockerJson, InspectRejectsPidOutOfRange) {
  auto info = parse_container_inspect(R"({"Id":"a","State":{"Pid":99999999999}})");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->pid, 0);
}

TEST(ContainersDockerJson, EventsParseStartRenameDie) {
  auto lines = fixture_lines("events.jsonl");
  ASSERT_EQ(lines.size(), 5u);

  auto start = parse_event(lines[0]);
  ASSERT_TRUE(start.ok()) << start.error().message();
  EXPECT_EQ(start->action, EventAction::kStart);
  EXPECT_EQ(start->id, kWebId);
  EXPECT_EQ(start->name, "csfk-web");
  EXPECT_EQ(start->time_nano, 1796400000123456789);

  auto rename = parse_event(lines[1]);
  ASSERT_TRUE(rename.ok()) << rename.error().message();
  EXPECT_EQ(rename->action, EventAction::kRename);
  EXPECT_EQ(rename->name, "csfk-www");
  EXPECT_EQ(rename->old_name, "/csfk-web");

  auto die = parse_event(lines[2]);
  ASSERT_TRUE(die.ok()) << die.error().message();
  EXPECT_EQ(die->action, EventAction::kDie);
  ASSERT_TRUE(die->exit_code.has_value());
  EXPECT_EQ(*die->exit_code, 137);
}

TEST(ContainersDockerJson, EventsRejectOtherTypes) {
  auto lines = fixture_lines("events.jsonl");
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_FALSE(parse_event(lines[3]).ok());  // a network event
}

TEST(ContainersDockerJson, EventsKeepUnknownActionsAsOther) {
  auto lines = fixture_lines("events.jsonl");
  ASSERT_EQ(lines.size(), 5u);
  auto exec = parse_event(lines[4]);
  ASSERT_TRUE(exec.ok());
  EXPECT_EQ(exec->action, EventAction::kOther);
  EXPECT_EQ(exec->action_text, "exec_start: sh");
  EXPECT_FALSE(exec->exit_code.has_value());
}

TEST(ContainersDockerJson, EventsRejectTruncatedOrIdlessLines) {
  auto lines = fixture_lines("events.jsonl");
  ASSERT_FALSE(lines.empty());
  EXPECT_FALSE(parse_event(lines[0].substr(0, lines[0].size() / 2)).ok());
  EXPECT_FALSE(parse_event(R"({"Type":"container","Action":"die","Actor":{}})").ok());
  EXPECT_FALSE(parse_event("").ok());
}

TEST(ContainersDockerJson, EventsIgnoreBadExitCode) {
  auto event = parse_event(
      R"({"Type":"container","Action":"die","Actor":{"ID":"a","Attributes":{"exitCode":"x1"}}})");
  ASSERT_TRUE(event.ok());
  EXPECT_FALSE(event->exit_code.has_value());
}

TEST(ContainersDockerJson, EventActionNames) {
  EXPECT_EQ(event_action_from("destroy"), EventAction::kDestroy);
  EXPECT_EQ(event_action_from("pause"), EventAction::kPause);
  EXPECT_EQ(event_action_from("unpause"), EventAction::kUnpause);
  EXPECT_EQ(event_action_from("stop"), EventAction::kStop);
  EXPECT_EQ(event_action_from("kill"), EventAction::kKill);
  EXPECT_EQ(event_action_from("oom"), EventAction::kOom);
  EXPECT_EQ(event_action_from("Start"), EventAction::kOther);
}

// Replies recorded from dockerd 20.10.24 (API 1.41): three containers, then csfk-web was
// renamed, stopped, started again and every container removed.
TEST(ContainersDockerJson, RealEngineList) {
  auto list = parse_container_list(read_fixture("engine-20.10/list.json"));
  ASSERT_TRUE(list.ok()) << list.error().message();
  ASSERT_EQ(list->size(), 3u);
  for (const ListedContainer& container : *list) {
    EXPECT_EQ(container.id.size(), 64u);
    EXPECT_EQ(container.state, "running");
    EXPECT_EQ(container.name.rfind("/csfk-", 0), 0u) << container.name;
  }
}

TEST(ContainersDockerJson, RealEngineInspect) {
  auto info = parse_container_inspect(read_fixture("engine-20.10/inspect.json"));
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->id, "8c60bac2748cdc32ee60243a57596c89b0325db58613f0a61c46171d106de0f7");
  EXPECT_EQ(info->name, "/csfk-web");
  EXPECT_EQ(info->hostname, "8c60bac2748c");
  EXPECT_TRUE(info->running);
  EXPECT_EQ(info->pid, 490);
  EXPECT_DOUBLE_EQ(info->cpu_limit(), 1.5);
  EXPECT_EQ(info->memory, 268435456u);
  EXPECT_EQ(info->cpuset_cpus, "0-1");
  EXPECT_EQ(info->network_mode, "default");
  ASSERT_EQ(info->networks.size(), 1u);
  EXPECT_EQ(info->networks[0].network, "bridge");
  EXPECT_EQ(info->networks[0].mac, "02:42:c6:12:00:02");
}

TEST(ContainersDockerJson, RealEngineEvents) {
  auto lines = fixture_lines("engine-20.10/events.jsonl");
  ASSERT_EQ(lines.size(), 29u);
  std::map<EventAction, int> counts;
  for (const std::string& line : lines) {
    auto event = parse_event(line);
    ASSERT_TRUE(event.ok()) << event.error().message() << ": " << line;
    EXPECT_EQ(event->id.size(), 64u);
    ++counts[event->action];
  }
  EXPECT_EQ(counts[EventAction::kStart], 4);
  EXPECT_EQ(counts[EventAction::kDie], 4);  // "exec_die" is not a container exit
  EXPECT_EQ(counts[EventAction::kStop], 1);
  EXPECT_EQ(counts[EventAction::kKill], 5);
  EXPECT_EQ(counts[EventAction::kDestroy], 3);
  EXPECT_EQ(counts[EventAction::kRename], 1);
  EXPECT_EQ(counts[EventAction::kPause], 1);
  EXPECT_EQ(counts[EventAction::kUnpause], 1);
  EXPECT_EQ(counts[EventAction::kOther], 9);  // create, exec_create, exec_start, exec_die

  auto rename = parse_event(lines[12]);
  ASSERT_TRUE(rename.ok());
  EXPECT_EQ(rename->name, "csfk-www");
  EXPECT_EQ(rename->old_name, "/csfk-web");
  auto die = parse_event(lines[17]);
  ASSERT_TRUE(die.ok());
  EXPECT_EQ(die->exit_code, 137);
}

}  // namespace
}  // namespace csflowd::containers
