// Bounded UDP traffic for the end-to-end benchmark (bench/e2e_bench.sh):
//   udp_bench send --to IP:PORT --count N       sends N datagrams as fast as it can
//   udp_bench recv --listen IP:PORT --count N   counts datagrams until N arrived or it is idle
//   udp_bench sflow --listen IP:PORT            counts sFlow datagrams and their samples
// Each mode prints one line of key=value pairs on stdout when it ends.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kBatch = 64;  // datagrams per sendmmsg or recvmmsg call

std::atomic<bool> g_stop{false};

void request_stop(int /*signal*/) { g_stop = true; }

double seconds_between(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

// Parses "IPv4:PORT". The benchmark uses only IPv4.
bool parse_address(const std::string& text, sockaddr_in& address) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  address = sockaddr_in{};
  address.sin_family = AF_INET;
  int port = 0;
  try {
    port = std::stoi(text.substr(colon + 1));
  } catch (const std::exception&) {
    return false;
  }
  if (port < 0 || port > 65535) return false;
  address.sin_port = htons(static_cast<uint16_t>(port));
  return inet_pton(AF_INET, text.substr(0, colon).c_str(), &address.sin_addr) == 1;
}

// Opens a UDP socket bound to `listen` with a large receive buffer, or returns -1.
int open_receiver(const sockaddr_in& listen, int buffer_bytes) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  // SO_RCVBUFFORCE (root) lifts the net.core.rmem_max cap without changing the sysctl.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof(buffer_bytes)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof(buffer_bytes));
  }
  if (bind(fd, reinterpret_cast<const sockaddr*>(&listen), sizeof(listen)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Writes the bound port to `path`. The file's presence means that the socket is bound, and with
// port 0 in --listen its content is the port that the kernel chose.
void write_ready_file(const std::string& path, int fd) {
  if (path.empty()) return;
  sockaddr_in bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  // Renamed into place so that a reader never sees the file before the port is in it.
  std::string partial = path + ".partial";
  std::ofstream(partial) << ntohs(bound.sin_port) << "\n";
  std::rename(partial.c_str(), path.c_str());
}

int send_main(const std::string& to, uint64_t count, size_t payload_bytes, double timeout_s) {
  sockaddr_in address{};
  if (!parse_address(to, address)) {
    std::fprintf(stderr, "udp_bench: invalid --to '%s': expected IPv4:PORT\n", to.c_str());
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    std::fprintf(stderr, "udp_bench: failed to connect to '%s': %s\n", to.c_str(),
                 std::strerror(errno));
    return 1;
  }

  std::vector<uint8_t> payload(payload_bytes, 0x5a);
  std::array<iovec, kBatch> iov{};
  std::array<mmsghdr, kBatch> messages{};
  for (size_t i = 0; i < kBatch; ++i) {
    iov[i] = iovec{payload.data(), payload.size()};
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }

  uint64_t sent = 0;
  uint64_t errors = 0;
  auto start = Clock::now();
  auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  while (sent < count && Clock::now() < deadline) {
    auto batch = static_cast<unsigned>(std::min<uint64_t>(kBatch, count - sent));
    int n = sendmmsg(fd, messages.data(), batch, 0);
    if (n < 0) {
      ++errors;  // ENOBUFS, or ECONNREFUSED after an ICMP error. The deadline bounds the loop.
      continue;
    }
    sent += static_cast<uint64_t>(n);
  }
  double seconds = seconds_between(start, Clock::now());
  close(fd);

  std::printf("sent=%llu seconds=%.6f pps=%.0f errors=%llu\n",
              static_cast<unsigned long long>(sent), seconds, seconds > 0 ? sent / seconds : 0.0,
              static_cast<unsigned long long>(errors));
  return sent == count ? 0 : 1;
}

struct ReceiveLimits {
  uint64_t count = 0;
  double timeout_s = 60;
  double idle_s = 1;
};

int recv_main(const std::string& listen, const ReceiveLimits& limits,
              const std::string& ready_file) {
  sockaddr_in address{};
  if (!parse_address(listen, address)) {
    std::fprintf(stderr, "udp_bench: invalid --listen '%s': expected IPv4:PORT\n", listen.c_str());
    return 2;
  }
  int fd = open_receiver(address, 64 << 20);
  if (fd < 0) {
    std::fprintf(stderr, "udp_bench: failed to bind '%s': %s\n", listen.c_str(),
                 std::strerror(errno));
    return 1;
  }
  write_ready_file(ready_file, fd);

  std::array<std::array<uint8_t, 2048>, kBatch> buffers{};
  std::array<iovec, kBatch> iov{};
  std::array<mmsghdr, kBatch> messages{};
  for (size_t i = 0; i < kBatch; ++i) {
    iov[i] = iovec{buffers[i].data(), buffers[i].size()};
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  uint64_t received = 0;
  auto start = Clock::now();
  Clock::time_point first{};
  Clock::time_point last{};
  while (received < limits.count && !g_stop) {
    auto now = Clock::now();
    if (seconds_between(start, now) > limits.timeout_s) break;
    if (received > 0 && seconds_between(last, now) > limits.idle_s) break;
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    int n = recvmmsg(fd, messages.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) continue;
    if (received == 0) first = Clock::now();
    received += static_cast<uint64_t>(n);
    last = Clock::now();
  }
  close(fd);
  double seconds = received > 0 ? seconds_between(first, last) : 0;
  std::printf("received=%llu seconds=%.6f pps=%.0f\n", static_cast<unsigned long long>(received),
              seconds, seconds > 0 ? received / seconds : 0.0);
  return 0;
}

struct SflowTotals {
  uint64_t datagrams = 0;
  uint64_t flow_samples = 0;
  uint64_t counter_samples = 0;
  uint64_t malformed = 0;
};

uint32_t read_u32(const uint8_t* bytes) {
  uint32_t value = 0;
  std::memcpy(&value, bytes, sizeof(value));
  return ntohl(value);
}

// Counts the samples of one sFlow v5 datagram by their formats: 1 and 3 are flow samples,
// 2 and 4 counter samples (sFlow v5, enterprise 0). Returns false when the datagram is cut short.
bool count_samples(const uint8_t* data, size_t size, SflowTotals& totals) {
  if (size < 8 || read_u32(data) != 5) return false;
  uint32_t address_type = read_u32(data + 4);
  size_t offset = 8 + (address_type == 2 ? 16 : 4) + 12;  // agent address, sub-agent, seq, uptime
  if (address_type != 1 && address_type != 2) return false;
  if (offset + 4 > size) return false;
  uint32_t samples = read_u32(data + offset);
  offset += 4;
  for (uint32_t i = 0; i < samples; ++i) {
    if (offset + 8 > size) return false;
    uint32_t tag = read_u32(data + offset);
    uint32_t length = read_u32(data + offset + 4);
    if (length > size - offset - 8) return false;
    uint32_t format = tag & 0xfff;
    if ((tag >> 12) == 0 && (format == 1 || format == 3)) ++totals.flow_samples;
    if ((tag >> 12) == 0 && (format == 2 || format == 4)) ++totals.counter_samples;
    offset += 8 + length;
  }
  return true;
}

int sflow_main(const std::string& listen, double timeout_s, const std::string& ready_file) {
  sockaddr_in address{};
  if (!parse_address(listen, address)) {
    std::fprintf(stderr, "udp_bench: invalid --listen '%s': expected IPv4:PORT\n", listen.c_str());
    return 2;
  }
  int fd = open_receiver(address, 16 << 20);
  if (fd < 0) {
    std::fprintf(stderr, "udp_bench: failed to bind '%s': %s\n", listen.c_str(),
                 std::strerror(errno));
    return 1;
  }
  write_ready_file(ready_file, fd);

  SflowTotals totals;
  std::vector<uint8_t> buffer(65536);
  auto start = Clock::now();
  while (!g_stop && seconds_between(start, Clock::now()) < timeout_s) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    ssize_t n = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n <= 0) continue;
    ++totals.datagrams;
    if (!count_samples(buffer.data(), static_cast<size_t>(n), totals)) ++totals.malformed;
  }
  // Datagrams that arrived before the stop request are still counted.
  ssize_t n = 0;
  while ((n = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT)) > 0) {
    ++totals.datagrams;
    if (!count_samples(buffer.data(), static_cast<size_t>(n), totals)) ++totals.malformed;
  }
  close(fd);
  std::printf("datagrams=%llu flow_samples=%llu counter_samples=%llu malformed=%llu\n",
              static_cast<unsigned long long>(totals.datagrams),
              static_cast<unsigned long long>(totals.flow_samples),
              static_cast<unsigned long long>(totals.counter_samples),
              static_cast<unsigned long long>(totals.malformed));
  return 0;
}

int bench_main(int argc, char** argv) {
  CLI::App app{"Bounded UDP sender, receiver and sFlow counter for the end-to-end benchmark."};
  app.require_subcommand(1);
  std::string to;
  std::string listen;
  std::string ready_file;
  uint64_t count = 0;
  size_t payload_bytes = 64;
  double timeout_s = 60;
  ReceiveLimits limits;

  auto* send = app.add_subcommand("send", "send --count datagrams to --to as fast as possible");
  send->add_option("--to", to, "destination IPv4:PORT")->required();
  send->add_option("--count", count, "datagrams to send")
      ->required()
      ->check(CLI::Range(1, 1 << 30));
  send->add_option("--payload-bytes", payload_bytes, "UDP payload bytes")
      ->check(CLI::Range(1, 1472));
  send->add_option("--timeout", timeout_s, "stop sending after this many seconds")
      ->check(CLI::Range(0.1, 3600.0));

  auto* recv = app.add_subcommand("recv", "count datagrams until --count arrived or it is idle");
  recv->add_option("--listen", listen, "IPv4:PORT to bind")->required();
  recv->add_option("--count", limits.count, "datagrams expected")->required();
  recv->add_option("--timeout", limits.timeout_s, "seconds before giving up")
      ->check(CLI::Range(0.1, 3600.0));
  recv->add_option("--idle", limits.idle_s, "stop after this many seconds without a datagram")
      ->check(CLI::Range(0.01, 60.0));
  recv->add_option("--ready-file", ready_file,
                   "file that receives the bound port once the socket is bound");

  auto* sflow = app.add_subcommand("sflow", "count sFlow datagrams and samples until SIGTERM");
  sflow->add_option("--listen", listen, "IPv4:PORT to bind")->required();
  sflow->add_option("--timeout", timeout_s, "seconds before stopping on its own")
      ->check(CLI::Range(0.1, 3600.0));
  sflow->add_option("--ready-file", ready_file,
                    "file that receives the bound port once the socket is bound");
  CLI11_PARSE(app, argc, argv);

  std::signal(SIGTERM, request_stop);
  std::signal(SIGINT, request_stop);
  if (send->parsed()) return send_main(to, count, payload_bytes, timeout_s);
  if (recv->parsed()) return recv_main(listen, limits, ready_file);
  return sflow_main(listen, timeout_s, ready_file);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return bench_main(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "udp_bench: fatal error: %s\n", error.what());
    return 1;
  }
}
