// Cross-checks the encoder with an independent decoder: datagrams are written into a pcap
// file (Ethernet/IPv4/UDP framing built here) and decoded by tshark. Only records tshark
// 4.0 decodes are used (sampled_header, if_counters); it misreads the host and virt records.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sflow/datagram.h"

namespace csflowd::sflow {
namespace {

std::optional<std::string> find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

void put_le32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_be16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

uint16_t ipv4_checksum(const uint8_t* header) {
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += (header[i] << 8) | header[i + 1];
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Ethernet + IPv4 127.0.0.1 -> 127.0.0.1 + UDP 40000 -> 6343 around an sFlow datagram.
std::vector<uint8_t> frame_udp(std::span<const uint8_t> payload) {
  std::vector<uint8_t> frame = {0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00};
  size_t ip_start = frame.size();
  frame.insert(frame.end(), {0x45, 0});
  put_be16(frame, static_cast<uint16_t>(20 + 8 + payload.size()));
  frame.insert(frame.end(), {0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1});
  uint16_t checksum = ipv4_checksum(frame.data() + ip_start);
  frame[ip_start + 10] = static_cast<uint8_t>(checksum >> 8);
  frame[ip_start + 11] = static_cast<uint8_t>(checksum);
  put_be16(frame, 40000);
  put_be16(frame, 6343);
  put_be16(frame, static_cast<uint16_t>(8 + payload.size()));
  put_be16(frame, 0);  // no UDP checksum
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

void write_pcap(const std::string& path, const std::vector<std::vector<uint8_t>>& datagrams) {
  std::vector<uint8_t> out;
  put_le32(out, 0xA1B2C3D4);            // microsecond pcap, little-endian
  out.insert(out.end(), {2, 0, 4, 0});  // version 2.4
  put_le32(out, 0);                     // thiszone
  put_le32(out, 0);                     // sigfigs
  put_le32(out, 65535);                 // snaplen
  put_le32(out, 1);                     // LINKTYPE_ETHERNET
  uint32_t seconds = 1'800'000'000;
  for (const auto& datagram : datagrams) {
    auto frame = frame_udp(datagram);
    put_le32(out, seconds++);
    put_le32(out, 0);
    put_le32(out, static_cast<uint32_t>(frame.size()));
    put_le32(out, static_cast<uint32_t>(frame.size()));
    out.insert(out.end(), frame.begin(), frame.end());
  }
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
}

std::string run_command(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  pclose(pipe);
  return output;
}

// Ethernet + IPv4 10.1.2.3 -> 10.4.5.6 + UDP 5000 -> 53, 60 bytes.
std::vector<uint8_t> inner_frame() {
  std::vector<uint8_t> frame = {0x02, 0,    0,    0, 0, 0x02, 0x02, 0, 0,    0, 0,  0x01,
                                0x08, 0x00, 0x45, 0, 0, 46,   0,    0, 0x40, 0, 64, 17,
                                0,    0,    10,   1, 2, 3,    10,   4, 5,    6};
  uint16_t checksum = ipv4_checksum(frame.data() + 14);
  frame[24] = static_cast<uint8_t>(checksum >> 8);
  frame[25] = static_cast<uint8_t>(checksum);
  frame.insert(frame.end(), {0x13, 0x88, 0x00, 0x35, 0x00, 26, 0, 0});
  frame.resize(60, 0);
  return frame;
}

std::vector<std::vector<uint8_t>> build_datagrams() {
  std::vector<std::vector<uint8_t>> datagrams;
  Address agent;
  agent.bytes = {198, 18, 0, 1};
  DatagramBuilder builder(agent, 0, 1400, [&](std::span<const uint8_t> d) {
    datagrams.emplace_back(d.begin(), d.end());
  });
  for (uint32_t i = 1; i <= 2; ++i) {
    FlowSample sample;
    sample.sequence_number = i;
    sample.source = {DsClass::kIfIndex, 7};
    sample.sampling_rate = 512;
    sample.sample_pool = 1000 * i;
    sample.input = {0, 7};
    sample.output = {0, kInternalInterface};
    SampledHeader header;
    header.header = inner_frame();
    header.frame_length = 64;
    sample.records = {header};
    EXPECT_TRUE(builder.add(sample, 100).ok());
  }
  builder.flush(100);
  IfCounters counters;
  counters.if_index = 7;
  counters.in_octets = 123456;
  CounterSample sample{1, {DsClass::kIfIndex, 7}, {counters}};
  EXPECT_TRUE(builder.add(sample, 200).ok());
  builder.flush(200);
  return datagrams;
}

TEST(TsharkCheck, DecodesFlowAndCounterSamples) {
  auto tshark = find_in_path("tshark");
  ASSERT_TRUE(tshark.has_value()) << "tshark is not in PATH; install the Debian package 'tshark'";
  char dir_template[] = "/tmp/csfs-tshark-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string pcap = std::string(dir_template) + "/sflow.pcap";
  write_pcap(pcap, build_datagrams());

  std::string output = run_command(*tshark + " -r " + pcap + " -d udp.port==6343,sflow -V 2>&1");
  std::remove(pcap.c_str());
  rmdir(dir_template);
  SCOPED_TRACE(output);
  EXPECT_EQ(output.find("Malformed"), std::string::npos);
  EXPECT_EQ(output.find("Expert Info (Error"), std::string::npos);
  EXPECT_NE(output.find("InMon sFlow"), std::string::npos);
  EXPECT_NE(output.find("Sampling rate: 1 out of 512 packets"), std::string::npos);
  EXPECT_NE(output.find("Sample pool: 1000 total packets"), std::string::npos);
  EXPECT_NE(output.find("Sample pool: 2000 total packets"), std::string::npos);
  EXPECT_NE(output.find("Frame Length: 64\n"), std::string::npos);
  EXPECT_NE(output.find("Source Address: 10.1.2.3"), std::string::npos);
  EXPECT_NE(output.find("Destination Address: 10.4.5.6"), std::string::npos);
  EXPECT_NE(output.find("Input Octets: 123456"), std::string::npos);
}

}  // namespace
}  // namespace csflowd::sflow
