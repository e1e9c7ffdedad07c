// csflowd-dump: listens for sFlow v5 datagrams on UDP and prints them, strictly decoded.
//
// Exit status: 0 after --count datagrams, --timeout or end of input; 1 on a socket error
// or, with --strict, at the first malformed datagram; 2 on invalid arguments.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "sflow/collector.h"
#include "sflow/decoder.h"
#include "tools/dump_text.h"

namespace {

using csflowd::tools::TextFormatter;
using Clock = std::chrono::steady_clock;

// Upper bound of --timeout, about 31 years, so the deadline fits in a steady_clock time point.
constexpr double kMaxTimeoutS = 1e9;
constexpr uint64_t kMaxCount = UINT32_MAX;

struct Options {
  std::string listen = "127.0.0.1:6343";
  bool json = false;
  bool strict = false;
  uint64_t count = 0;    // 0 = no limit
  double timeout_s = 0;  // 0 = no limit
};

struct Totals {
  uint64_t datagrams = 0;
  uint64_t malformed = 0;
};

std::string peer_text(const sockaddr_storage& peer) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (peer.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&peer);
    inet_ntop(AF_INET, &v4->sin_addr, text.data(), text.size());
    return std::string(text.data()) + ":" + std::to_string(ntohs(v4->sin_port));
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&peer);
  inet_ntop(AF_INET6, &v6->sin6_addr, text.data(), text.size());
  return "[" + std::string(text.data()) + "]:" + std::to_string(ntohs(v6->sin6_port));
}

// Opens and binds the UDP socket, or prints why it failed and returns -1.
int open_listener(const csflowd::sflow::CollectorAddress& address) {
  int fd = socket(address.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 ||
      bind(fd, reinterpret_cast<const sockaddr*>(&address.address), address.address_length) != 0) {
    auto error = csflowd::errno_error("failed to bind UDP socket to '" + address.to_string() + "'");
    std::cerr << "csflowd-dump: " << error.message() << "\n";
    if (fd >= 0) close(fd);
    return -1;
  }
  std::cerr << "csflowd-dump: listening on " << address.to_string() << std::endl;
  return fd;
}

// Returns the poll timeout in ms until the deadline, or -1 when there is none.
int poll_timeout(const std::optional<Clock::time_point>& deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Decodes and prints one datagram; returns false when it was malformed.
bool print_datagram(std::span<const uint8_t> bytes, const std::string& from, const Options& options,
                    TextFormatter& formatter) {
  auto decoded = csflowd::sflow::decode_datagram(bytes);
  if (!decoded) {
    if (options.json) {
      nlohmann::json error = {
          {"from", from}, {"bytes", bytes.size()}, {"error", decoded.error().message()}};
      std::cout << error.dump() << std::endl;
    } else {
      std::cout << "error from=" << from << " bytes=" << bytes.size() << ": "
                << decoded.error().message() << std::endl;
    }
    return false;
  }
  formatter.learn_names(*decoded);
  if (options.json) {
    auto json = csflowd::sflow::to_json(*decoded);
    csflowd::tools::round_to_float_precision(json);
    json["from"] = from;
    std::cout << json.dump() << std::endl;
  } else {
    std::cout << formatter.format(*decoded, from) << std::flush;
  }
  return true;
}

int run(int fd, const Options& options) {
  std::optional<Clock::time_point> deadline;
  if (options.timeout_s > 0) {
    deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(options.timeout_s));
  }
  TextFormatter formatter;
  Totals totals;
  std::vector<uint8_t> buffer(65536);
  while (options.count == 0 || totals.datagrams < options.count) {
    pollfd pfd{fd, POLLIN, 0};
    int ready = poll(&pfd, 1, poll_timeout(deadline));
    if (ready == 0) break;  // timed out
    if (ready < 0) {
      if (errno == EINTR) continue;
      std::cerr << "csflowd-dump: " << csflowd::errno_error("poll failed").message() << "\n";
      return 1;
    }
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof(peer);
    ssize_t n = recvfrom(fd, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&peer),
                         &peer_length);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::cerr << "csflowd-dump: " << csflowd::errno_error("recvfrom failed").message() << "\n";
      return 1;
    }
    ++totals.datagrams;
    bool ok = print_datagram(std::span(buffer.data(), static_cast<size_t>(n)), peer_text(peer),
                             options, formatter);
    if (!ok) {
      ++totals.malformed;
      if (options.strict) return 1;
    }
  }
  std::cerr << "csflowd-dump: " << totals.datagrams << " datagrams, " << totals.malformed
            << " malformed\n";
  return 0;
}

// Validates --timeout: returns "" for a finite number of seconds from 0 to kMaxTimeoutS, else
// the error. It rejects "nan" and "inf", which strtod and CLI::NonNegativeNumber let through.
std::string check_timeout(const std::string& text) {
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  bool valid = !text.empty() && end == text.c_str() + text.size() && std::isfinite(seconds) &&
               seconds >= 0 && seconds <= kMaxTimeoutS;
  if (valid) return {};
  return "invalid timeout '" + text + "': expected a number of seconds from 0 to " +
         std::to_string(static_cast<uint64_t>(kMaxTimeoutS));
}

int dump_main(int argc, char** argv) {
  CLI::App app{"Print sFlow v5 datagrams received on UDP, decoded strictly."};
  Options options;
  app.add_option("--listen", options.listen,
                 "address to listen on: IPv4[:PORT], [IPv6][:PORT] or HOST[:PORT]; port 6343 "
                 "if omitted")
      ->capture_default_str();
  app.add_flag("--json", options.json, "print one JSON object per datagram per line");
  app.add_option("--count", options.count, "exit after this many datagrams (0 = no limit)")
      ->check(CLI::Range(uint64_t{0}, kMaxCount));
  app.add_option("--timeout", options.timeout_s, "exit after this many seconds (0 = no limit)")
      ->check(CLI::Validator(check_timeout, "SECONDS"));
  app.add_flag("--strict", options.strict, "exit with status 1 at the first malformed datagram");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);
    return status == 0 ? 0 : 2;
  }

  auto address = csflowd::sflow::parse_collector(options.listen);
  if (!address) {
    std::cerr << "csflowd-dump: --listen: " << address.error().message() << "\n";
    return 2;
  }
  int fd = open_listener(*address);
  if (fd < 0) {
    return 1;
  }
  int status = run(fd, options);
  close(fd);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return dump_main(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "csflowd-dump: fatal error: " << error.what() << "\n";
    return 1;
  }
}
