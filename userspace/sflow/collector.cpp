#include "sflow/collector.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstring>
#include <utility>

namespace csflowd::sflow {
namespace {

constexpr std::string_view kValidForms =
    "expected HOST, HOST:PORT, IPv4, IPv4:PORT, [IPv6], [IPv6]:PORT or IPv6, "
    "with PORT 1..65535";

Error collector_error(std::string_view text, std::string_view reason) {
  return plain_error("invalid address '" + std::string(text) + "': " + std::string(reason) + "; " +
                     std::string(kValidForms));
}

Result<uint16_t> parse_port(std::string_view input, std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535) {
    return collector_error(input, "port '" + std::string(port) + "' is not a number in 1..65535");
  }
  return static_cast<uint16_t>(value);
}

bool parse_ipv6(std::string_view host, uint16_t port, CollectorAddress& out) {
  sockaddr_in6 address{};
  std::string text(host);
  if (inet_pton(AF_INET6, text.c_str(), &address.sin6_addr) != 1) {
    return false;
  }
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(port);
  std::memcpy(&out.address, &address, sizeof(address));
  out.address_length = sizeof(address);
  return true;
}

bool parse_ipv4(std::string_view host, uint16_t port, CollectorAddress& out) {
  sockaddr_in address{};
  std::string text(host);
  if (inet_pton(AF_INET, text.c_str(), &address.sin_addr) != 1) {
    return false;
  }
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  std::memcpy(&out.address, &address, sizeof(address));
  out.address_length = sizeof(address);
  return true;
}

Status resolve_host(std::string_view input, std::string_view host, uint16_t port,
                    CollectorAddress& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* results = nullptr;
  std::string name(host);
  int rc = getaddrinfo(name.c_str(), nullptr, &hints, &results);
  if (rc != 0 || results == nullptr) {
    return collector_error(input, "cannot resolve host '" + name + "': " + gai_strerror(rc));
  }
  std::memcpy(&out.address, results->ai_addr, results->ai_addrlen);
  out.address_length = results->ai_addrlen;
  freeaddrinfo(results);
  if (out.family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&out.address)->sin_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&out.address)->sin6_port = htons(port);
  }
  return {};
}

// Splits "[IPv6]" or "[IPv6]:PORT".
Result<CollectorAddress> parse_bracketed(std::string_view text) {
  auto close = text.find(']');
  if (close == std::string_view::npos) {
    return collector_error(text, "missing ']'");
  }
  std::string_view host = text.substr(1, close - 1);
  std::string_view rest = text.substr(close + 1);
  uint16_t port = kDefaultCollectorPort;
  if (!rest.empty()) {
    if (rest.front() != ':') {
      return collector_error(text, "unexpected text after ']'");
    }
    auto parsed = parse_port(text, rest.substr(1));
    if (!parsed) {
      return parsed.error();
    }
    port = *parsed;
  }
  CollectorAddress out;
  out.text = std::string(text);
  if (!parse_ipv6(host, port, out)) {
    return collector_error(text, "'" + std::string(host) + "' is not an IPv6 address");
  }
  return out;
}

}  // namespace

uint16_t CollectorAddress::port() const {
  if (family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
}

std::string CollectorAddress::to_string() const {
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, buffer.data(),
              buffer.size());
    return std::string(buffer.data()) + ":" + std::to_string(port());
  }
  inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, buffer.data(),
            buffer.size());
  return "[" + std::string(buffer.data()) + "]:" + std::to_string(port());
}

Result<CollectorAddress> parse_collector(std::string_view text) {
  if (text.empty()) {
    return collector_error(text, "empty address");
  }
  if (text.front() == '[') {
    return parse_bracketed(text);
  }
  CollectorAddress out;
  out.text = std::string(text);
  auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
    // Two or more colons: a bare IPv6 address, which cannot carry a port.
    if (!parse_ipv6(text, kDefaultCollectorPort, out)) {
      return collector_error(text, "not an IPv6 address (write [IPv6]:PORT to give a port)");
    }
    return out;
  }
  std::string_view host = text.substr(0, colon);
  uint16_t port = kDefaultCollectorPort;
  if (colon != std::string_view::npos) {
    auto parsed = parse_port(text, text.substr(colon + 1));
    if (!parsed) {
      return parsed.error();
    }
    port = *parsed;
  }
  if (host.empty()) {
    return collector_error(text, "empty host");
  }
  if (parse_ipv4(host, port, out)) {
    return out;
  }
  auto resolved = resolve_host(text, host, port, out);
  if (!resolved) {
    return resolved.error();
  }
  return out;
}

// ---- UdpSender ------------------------------------------------------------------------

UdpSender::UdpSender(std::vector<CollectorAddress> collectors)
    : collectors_(std::move(collectors)), failures_(collectors_.size(), 0) {}

Result<UdpSender> UdpSender::create(std::vector<CollectorAddress> collectors) {
  UdpSender sender(std::move(collectors));
  for (const CollectorAddress& collector : sender.collectors_) {
    int& fd = collector.family() == AF_INET6 ? sender.socket_v6_ : sender.socket_v4_;
    if (fd >= 0) {
      continue;
    }
    fd = socket(collector.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      return errno_error("failed to open a UDP socket for collector '" + collector.text + "'");
    }
  }
  return sender;
}

UdpSender::UdpSender(UdpSender&& other) noexcept
    : collectors_(std::move(other.collectors_)),
      failures_(std::move(other.failures_)),
      socket_v4_(std::exchange(other.socket_v4_, -1)),
      socket_v6_(std::exchange(other.socket_v6_, -1)),
      datagrams_sent_(other.datagrams_sent_),
      warn_limiter_(other.warn_limiter_) {}

UdpSender& UdpSender::operator=(UdpSender&& other) noexcept {
  if (this != &other) {
    close_sockets();
    collectors_ = std::move(other.collectors_);
    failures_ = std::move(other.failures_);
    socket_v4_ = std::exchange(other.socket_v4_, -1);
    socket_v6_ = std::exchange(other.socket_v6_, -1);
    datagrams_sent_ = other.datagrams_sent_;
    warn_limiter_ = other.warn_limiter_;
  }
  return *this;
}

UdpSender::~UdpSender() { close_sockets(); }

void UdpSender::close_sockets() {
  for (int* fd : {&socket_v4_, &socket_v6_}) {
    if (*fd >= 0) {
      close(*fd);
      *fd = -1;
    }
  }
}

void UdpSender::send(std::span<const uint8_t> datagram) {
  ++datagrams_sent_;
  for (size_t i = 0; i < collectors_.size(); ++i) {
    const CollectorAddress& collector = collectors_[i];
    int fd = collector.family() == AF_INET6 ? socket_v6_ : socket_v4_;
    ssize_t sent =
        sendto(fd, datagram.data(), datagram.size(), MSG_DONTWAIT,
               reinterpret_cast<const sockaddr*>(&collector.address), collector.address_length);
    if (sent == static_cast<ssize_t>(datagram.size())) {
      continue;
    }
    int error = sent < 0 ? errno : EMSGSIZE;
    ++failures_[i];
    uint64_t suppressed = 0;
    if (warn_limiter_.allow(suppressed)) {
      spdlog::warn(
          "failed to send a {}-byte datagram to collector '{}': {} ({} similar suppressed)",
          datagram.size(), collector.text, make_error(error, "sendto").message(), suppressed);
    }
  }
}

}  // namespace csflowd::sflow
