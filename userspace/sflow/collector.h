// sFlow collectors: parsing "HOST[:PORT]" style addresses and sending datagrams over UDP.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "common/result.h"

namespace csflowd::sflow {

inline constexpr uint16_t kDefaultCollectorPort = 6343;

// A resolved collector address.
struct CollectorAddress {
  std::string text;  // the input it was parsed from, for messages
  sockaddr_storage address{};
  socklen_t address_length = 0;

  [[nodiscard]] int family() const { return address.ss_family; }
  [[nodiscard]] uint16_t port() const;
  // Numeric form: "192.0.2.1:6343" or "[2001:db8::1]:6343".
  [[nodiscard]] std::string to_string() const;
};

// Parses HOST, HOST:PORT, IPv4, IPv4:PORT, [IPv6], [IPv6]:PORT or a bare IPv6 address
// (no port). The port defaults to 6343 and must be 1..65535. A host name is resolved with
// getaddrinfo() and its first address is used.
Result<CollectorAddress> parse_collector(std::string_view text);

// Sends every datagram to every collector from one UDP socket per address family.
// Sends use MSG_DONTWAIT so they do not block the agent's loop. Failures are counted per
// collector and logged at warn level through a RateLimiter, not returned.
class UdpSender {
 public:
  // Opens the sockets the collectors need. Fails when a socket cannot be created.
  static Result<UdpSender> create(std::vector<CollectorAddress> collectors);

  UdpSender(UdpSender&& other) noexcept;
  UdpSender& operator=(UdpSender&& other) noexcept;
  UdpSender(const UdpSender&) = delete;
  UdpSender& operator=(const UdpSender&) = delete;
  ~UdpSender();

  void send(std::span<const uint8_t> datagram);

  [[nodiscard]] const std::vector<CollectorAddress>& collectors() const { return collectors_; }
  // Datagrams that failed to go to collectors()[index].
  [[nodiscard]] uint64_t failures(size_t index) const { return failures_.at(index); }
  [[nodiscard]] uint64_t datagrams_sent() const { return datagrams_sent_; }

 private:
  explicit UdpSender(std::vector<CollectorAddress> collectors);
  void close_sockets();

  std::vector<CollectorAddress> collectors_;
  std::vector<uint64_t> failures_;
  int socket_v4_ = -1;
  int socket_v6_ = -1;
  uint64_t datagrams_sent_ = 0;
  RateLimiter warn_limiter_{5, std::chrono::seconds(60)};
};

}  // namespace csflowd::sflow
