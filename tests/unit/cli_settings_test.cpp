#include <gtest/gtest.h>

#include <sstream>

#include "cli/settings.h"

namespace csflowd::cli {
namespace {

struct Parsed {
  ParseOutcome outcome;
  std::string out;
  std::string err;
};

Parsed parse(std::vector<const char*> args) {
  args.insert(args.begin(), "csflowd");
  std::ostringstream out;
  std::ostringstream err;
  auto outcome = parse_command_line(static_cast<int>(args.size()), args.data(), out, err);
  return {std::move(outcome), out.str(), err.str()};
}

TEST(Settings, Defaults) {
  auto parsed = parse({});
  ASSERT_TRUE(parsed.outcome.settings) << parsed.err;
  const Settings& s = *parsed.outcome.settings;
  EXPECT_EQ(s.sampling_rate, 400U);
  EXPECT_EQ(s.polling_interval_s, 30U);
  EXPECT_EQ(s.header_bytes, 128U);
  EXPECT_EQ(s.datagram_bytes, 1400U);
  ASSERT_EQ(s.collectors.size(), 1U);
  EXPECT_EQ(s.collectors[0], "127.0.0.1:6343");
  EXPECT_TRUE(s.interfaces.empty());
  EXPECT_FALSE(s.agent_address.has_value());
}

TEST(Settings, AllFlags) {
  auto parsed = parse({"--sampling-rate",
                       "10",
                       "--interface-rate",
                       "veth*=2",
                       "--collector",
                       "127.0.0.1:7000",
                       "--collector",
                       "[::1]:7001",
                       "--polling-interval",
                       "5",
                       "--header-bytes",
                       "256",
                       "--datagram-bytes",
                       "8192",
                       "--agent-address",
                       "198.18.0.1",
                       "--interfaces",
                       "veth*,docker0",
                       "--header-only",
                       "--log-level",
                       "debug"});
  ASSERT_TRUE(parsed.outcome.settings) << parsed.err;
  const Settings& s = *parsed.outcome.settings;
  EXPECT_EQ(s.sampling_rate, 10U);
  EXPECT_EQ(s.rate_for("veth12"), 2U);
  EXPECT_EQ(s.rate_for("docker0"), 10U);
  EXPECT_EQ(s.collectors.size(), 2U);
  EXPECT_EQ(s.header_bytes, 256U);
  EXPECT_EQ(s.interfaces.size(), 2U);
  EXPECT_TRUE(s.header_only);
  EXPECT_EQ(s.log_level, spdlog::level::debug);
}

TEST(Settings, OutOfRangeNamesFlag) {
  for (auto args : std::vector<std::vector<const char*>>{{"--sampling-rate", "10000001"},
                                                         {"--header-bytes", "257"},
                                                         {"--header-bytes", "8"},
                                                         {"--datagram-bytes", "100"},
                                                         {"--datagram-bytes", "9000"},
                                                         {"--polling-interval", "-1"}}) {
    auto parsed = parse(args);
    EXPECT_FALSE(parsed.outcome.settings) << args[0] << " " << args[1];
    EXPECT_EQ(parsed.outcome.exit_code, 2);
    EXPECT_NE(parsed.err.find(args[0]), std::string::npos) << parsed.err;
  }
}

TEST(Settings, MalformedValuesRejected) {
  for (auto args : std::vector<std::vector<const char*>>{{"--sampling-rate", "ten"},
                                                         {"--interface-rate", "veth*"},
                                                         {"--interface-rate", "veth*=x"},
                                                         {"--collector", "127.0.0.1:99999"},
                                                         {"--collector", "[::1"},
                                                         {"--agent-address", "myhost"},
                                                         {"--log-level", "loud"},
                                                         {"--ring-buffer-bytes", "5000"},
                                                         {"--host-uuid", "nope"},
                                                         {"--attach-mode", "xdp"}}) {
    auto parsed = parse(args);
    EXPECT_FALSE(parsed.outcome.settings) << args[0] << " " << args[1];
    EXPECT_EQ(parsed.outcome.exit_code, 2);
    EXPECT_FALSE(parsed.err.empty());
  }
}

TEST(Settings, NoDockerFlag) {
  auto parsed = parse({"--no-docker", "--host-uuid", "12345678-9abc-def0-1234-56789abcdef0"});
  ASSERT_TRUE(parsed.outcome.settings) << parsed.err;
  EXPECT_FALSE(parsed.outcome.settings->docker);
  EXPECT_TRUE(parse({}).outcome.settings->docker);
}

TEST(Settings, DatagramTooSmallForHeader) {
  auto parsed = parse({"--header-bytes", "256", "--datagram-bytes", "300"});
  EXPECT_FALSE(parsed.outcome.settings);
  EXPECT_NE(parsed.err.find("--datagram-bytes 300"), std::string::npos) << parsed.err;
}

TEST(Settings, HelpAndVersionExitZero) {
  auto help = parse({"--help"});
  EXPECT_FALSE(help.outcome.settings);
  EXPECT_EQ(help.outcome.exit_code, 0);
  EXPECT_NE(help.out.find("--sampling-rate"), std::string::npos);
  auto version = parse({"--version"});
  EXPECT_FALSE(version.outcome.settings);
  EXPECT_EQ(version.outcome.exit_code, 0);
  EXPECT_NE(version.out.find("csflowd"), std::string::npos);
}

}  // namespace
}  // namespace csflowd::cli
