// Runs the csflowd-dump binary against datagrams sent to 127.0.0.1.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>

#include "sflow/collector.h"
#include "sflow/datagram.h"

namespace csflowd::sflow {
namespace {

// Returns a UDP port on 127.0.0.1 that was free a moment ago.
uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  bind(fd, reinterpret_cast<sockaddr*>(&address), length);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// Builds two datagrams: a counter sample with the host_descr hostname and optional host_cpu
// loads, then a flow sample from the same data source with an extended_entities record.
std::vector<std::vector<uint8_t>> sample_datagrams(const std::string& hostname = "csfs-web",
                                                   std::optional<HostCpu> cpu = std::nullopt) {
  std::vector<std::vector<uint8_t>> datagrams;
  Address agent;
  agent.bytes = {198, 18, 0, 1};
  DatagramBuilder builder(agent, 0, 1400, [&](std::span<const uint8_t> d) {
    datagrams.emplace_back(d.begin(), d.end());
  });
  HostDescr descr;
  descr.hostname = hostname;
  CounterSample counters{1, {DsClass::kLogical, 100001}, {descr}};
  if (cpu) counters.records.push_back(*cpu);
  EXPECT_TRUE(builder.add(counters, 1).ok());
  builder.flush(1);
  FlowSample flow;
  flow.source = {DsClass::kLogical, 100001};
  flow.sampling_rate = 64;
  flow.records = {ExtendedEntities{{DsClass::kLogical, 100001}, {}}};
  EXPECT_TRUE(builder.add(flow, 2).ok());
  builder.flush(2);
  return datagrams;
}

struct RunResult {
  std::string output;
  int exit_status = -1;
};

// Starts csflowd-dump with the arguments, waits for it to listen, sends the datagrams and
// collects its output until it exits (bounded by its --timeout).
RunResult run_dump(const std::string& arguments, const std::vector<std::vector<uint8_t>>& sends) {
  uint16_t port = free_port();
  std::string command = std::string(CSFLOWD_DUMP_PATH) +
                        " --listen 127.0.0.1:" + std::to_string(port) + " --timeout 10 " +
                        arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  RunResult result;
  if (pipe == nullptr) return result;
  std::array<char, 4096> line{};
  while (fgets(line.data(), line.size(), pipe) != nullptr) {
    result.output += line.data();
    if (result.output.find("listening on") != std::string::npos) break;
  }
  auto collector = parse_collector("127.0.0.1:" + std::to_string(port));
  auto sender = UdpSender::create({*collector});
  for (const auto& datagram : sends) sender->send(datagram);
  while (fgets(line.data(), line.size(), pipe) != nullptr) result.output += line.data();
  int status = pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(DumpTool, PrintsHostnamesNextToDataSources) {
  auto result = run_dump("--count 2", sample_datagrams());
  EXPECT_EQ(result.exit_status, 0) << result.output;
  EXPECT_NE(result.output.find("host_descr"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("flow src=3:100001(csfs-web)"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("entities=3:100001(csfs-web)>0:0"), std::string::npos)
      << result.output;
}

TEST(DumpTool, PrintsOneJsonObjectPerDatagram) {
  auto result = run_dump("--count 2 --json", sample_datagrams());
  EXPECT_EQ(result.exit_status, 0) << result.output;
  std::istringstream lines(result.output);
  std::string line;
  int objects = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line.front() != '{') continue;
    auto json = nlohmann::json::parse(line);
    EXPECT_EQ(json["agent"], "198.18.0.1");
    ++objects;
  }
  EXPECT_EQ(objects, 2);
}

TEST(DumpTool, StrictExitsOnMalformedDatagram) {
  std::vector<std::vector<uint8_t>> sends = {{0, 0, 0, 5, 0, 0, 0, 0}};
  auto result = run_dump("--strict", sends);
  EXPECT_EQ(result.exit_status, 1) << result.output;
  EXPECT_NE(result.output.find("agent address type 0"), std::string::npos) << result.output;
}

TEST(DumpTool, CountsMalformedWithoutStrict) {
  std::vector<std::vector<uint8_t>> sends = {{1, 2, 3}, sample_datagrams()[0]};
  auto result = run_dump("--count 2", sends);
  EXPECT_EQ(result.exit_status, 0) << result.output;
  EXPECT_NE(result.output.find("2 datagrams, 1 malformed"), std::string::npos) << result.output;
}

// Returns the lines of the output that contain the text.
std::vector<std::string> lines_with(const std::string& output, const std::string& text) {
  std::vector<std::string> found;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(text) != std::string::npos) found.push_back(line);
  }
  return found;
}

TEST(DumpTool, EscapesHostnameFromWire) {
  const std::string hostname = "csfy\x1b[31mweb\nend\\";
  const std::string escaped = "csfy\\x1b[31mweb\\x0aend\\x5c";
  auto result = run_dump("--count 2", sample_datagrams(hostname));
  EXPECT_EQ(result.exit_status, 0) << result.output;

  for (size_t i = 0; i < result.output.size(); ++i) {
    auto byte = static_cast<unsigned char>(result.output[i]);
    bool control = (byte < 0x20 && byte != '\n') || byte == 0x7F;
    EXPECT_FALSE(control) << "control byte " << int(byte) << " at offset " << i << " in\n"
                          << result.output;
  }
  EXPECT_EQ(lines_with(result.output, "csfy").size(), 3u) << result.output;
  EXPECT_EQ(lines_with(result.output, "counters src=3:100001(" + escaped + ")").size(), 1u)
      << result.output;
  EXPECT_EQ(lines_with(result.output, "host_descr hostname=" + escaped + " ").size(), 1u)
      << result.output;
  EXPECT_EQ(lines_with(result.output, "flow src=3:100001(" + escaped + ")").size(), 1u)
      << result.output;
  EXPECT_EQ(lines_with(result.output, "entities=3:100001(" + escaped + ")>0:0").size(), 1u)
      << result.output;
}

TEST(DumpTool, PrintsFloatsWithFloatPrecision) {
  HostCpu cpu;
  cpu.load_one = 0.5F;
  cpu.load_fifteen = 2.14F;
  auto text = run_dump("--count 2", sample_datagrams("csfy-cpu", cpu));
  EXPECT_EQ(text.exit_status, 0) << text.output;
  EXPECT_NE(text.output.find(" load_one=0.5 "), std::string::npos) << text.output;
  EXPECT_NE(text.output.find(" load_fifteen=2.14 "), std::string::npos) << text.output;

  auto json = run_dump("--count 2 --json", sample_datagrams("csfy-cpu", cpu));
  EXPECT_EQ(json.exit_status, 0) << json.output;
  EXPECT_NE(json.output.find("\"load_fifteen\":2.14,"), std::string::npos) << json.output;
}

TEST(DumpTool, RejectsNegativeCountWithReadableRange) {
  auto result = run_dump("--count -1", {});
  EXPECT_EQ(result.exit_status, 2) << result.output;
  EXPECT_NE(result.output.find("--count: Value -1 not in range 0 to 4294967295\n"),
            std::string::npos)
      << result.output;
}

TEST(DumpTool, RejectsNonFiniteAndNegativeTimeouts) {
  for (const std::string value : {"nan", "inf", "-inf", "-1", "1e300", "soon"}) {
    // run_dump passes --timeout 10 first; the last value given wins in CLI11.
    auto result = run_dump("--timeout " + value, {});
    EXPECT_EQ(result.exit_status, 2) << value << ": " << result.output;
    EXPECT_NE(result.output.find("invalid timeout '" + value + "'"), std::string::npos)
        << result.output;
  }
}

}  // namespace
}  // namespace csflowd::sflow
