// Collector address parsing and UDP sending to sockets bound on 127.0.0.1 and ::1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <vector>

#include "sflow/collector.h"

namespace csflowd::sflow {
namespace {

TEST(ParseCollector, AcceptsEveryForm) {
  struct Case {
    const char* text;
    int family;
    const char* numeric;
  };
  for (const Case& c :
       {Case{"127.0.0.1", AF_INET, "127.0.0.1:6343"},
        Case{"127.0.0.1:9999", AF_INET, "127.0.0.1:9999"}, Case{"[::1]", AF_INET6, "[::1]:6343"},
        Case{"[2001:db8::5]:1", AF_INET6, "[2001:db8::5]:1"},
        Case{"2001:db8::5", AF_INET6, "[2001:db8::5]:6343"}, Case{"localhost:65535", 0, nullptr}}) {
    auto parsed = parse_collector(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.error().message();
    EXPECT_EQ(parsed->text, c.text);
    if (c.numeric != nullptr) {
      EXPECT_EQ(parsed->family(), c.family) << c.text;
      EXPECT_EQ(parsed->to_string(), c.numeric);
    } else {
      EXPECT_EQ(parsed->port(), 65535);
    }
  }
}

TEST(ParseCollector, RejectsInvalidInput) {
  for (const char* text :
       {"", ":6343", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http", "127.0.0.1:", "[::1",
        "[::1]x", "[::1]:0", "[nonsense]", "2001:db8::zz", "csfs-no-such-host.invalid"}) {
    auto parsed = parse_collector(text);
    ASSERT_FALSE(parsed.ok()) << "accepted '" << text << "'";
    const std::string& message = parsed.error().context;
    EXPECT_NE(message.find("'" + std::string(text) + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("expected HOST"), std::string::npos) << message;
  }
}

// A UDP socket bound to an ephemeral port on a loopback address.
class Listener {
 public:
  explicit Listener(int family) : family_(family) {
    fd_ = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_storage address{};
    socklen_t length = 0;
    if (family == AF_INET) {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
      v4->sin_family = AF_INET;
      v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      length = sizeof(*v4);
    } else {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
      v6->sin6_family = AF_INET6;
      v6->sin6_addr = in6addr_loopback;
      length = sizeof(*v6);
    }
    bound_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
             getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&address)->sin_port
                                    : reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  }
  ~Listener() {
    if (fd_ >= 0) close(fd_);
  }

  [[nodiscard]] bool bound() const { return bound_; }
  [[nodiscard]] std::string collector() const {
    return (family_ == AF_INET ? "127.0.0.1:" : "[::1]:") + std::to_string(port_);
  }
  // Waits up to 2 s for one datagram.
  std::vector<uint8_t> receive() {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, 2000) != 1) return {};
    std::vector<uint8_t> buffer(65536);
    ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    buffer.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buffer;
  }

 private:
  int family_;
  int fd_ = -1;
  bool bound_ = false;
  uint16_t port_ = 0;
};

TEST(UdpSender, SendsToIpv4AndIpv6Collectors) {
  Listener v4(AF_INET);
  Listener v6(AF_INET6);
  ASSERT_TRUE(v4.bound());
  if (!v6.bound()) GTEST_SKIP() << "cannot bind ::1 on this machine";
  std::vector<CollectorAddress> collectors;
  for (const auto& text : {v4.collector(), v6.collector()}) {
    auto parsed = parse_collector(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    collectors.push_back(*parsed);
  }
  auto sender = UdpSender::create(collectors);
  ASSERT_TRUE(sender.ok()) << sender.error().message();
  std::vector<uint8_t> datagram = {0, 0, 0, 5, 1, 2, 3, 4};
  sender->send(datagram);
  EXPECT_EQ(v4.receive(), datagram);
  EXPECT_EQ(v6.receive(), datagram);
  EXPECT_EQ(sender->failures(0), 0u);
  EXPECT_EQ(sender->failures(1), 0u);
  EXPECT_EQ(sender->datagrams_sent(), 1u);
}

TEST(UdpSender, CountsFailuresWithoutThrowing) {
  Listener v4(AF_INET);
  ASSERT_TRUE(v4.bound());
  auto parsed = parse_collector(v4.collector());
  ASSERT_TRUE(parsed.ok());
  auto sender = UdpSender::create({*parsed});
  ASSERT_TRUE(sender.ok()) << sender.error().message();
  std::vector<uint8_t> too_big(70000, 0);  // above the 65507-byte UDP payload limit
  sender->send(too_big);
  sender->send(too_big);
  EXPECT_EQ(sender->failures(0), 2u);
  std::vector<uint8_t> small = {1, 2, 3, 4};
  sender->send(small);
  EXPECT_EQ(v4.receive(), small);
  EXPECT_EQ(sender->failures(0), 2u);
}

}  // namespace
}  // namespace csflowd::sflow
