// DockerClient and DockerEventStream against a fake engine on a temporary unix socket.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include "containers/docker_client.h"

namespace csflowd::containers {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kWebId[] = "2e781c0358b9940f7bc8399903b5af0d6b2c0c8a6f4a1f0e2d3c4b5a69788796";

std::string read_fixture(const std::string& name) {
  std::ifstream file(std::string(CSFLOWD_FIXTURES_DIR) + "/containers/docker/" + name);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string http_reply(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Error") +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

std::string chunk(const std::string& data) {
  std::ostringstream out;
  out << std::hex << data.size() << "\r\n" << data << "\r\n";
  return out.str();
}

// A one-connection-at-a-time HTTP server on a unix socket. handler_ gets the request path
// and the connected fd, and writes whatever reply the test needs.
class FakeDocker {
 public:
  using Handler = std::function<void(const std::string& path, int fd)>;

  explicit FakeDocker(Handler handler) : handler_(std::move(handler)) {
    char pattern[] = "/tmp/csfk-docker-XXXXXX";
    dir_ = mkdtemp(pattern);
    path_ = dir_ + "/docker.sock";
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path_.c_str());
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(listen(listen_fd_, 8), 0);
    EXPECT_EQ(pipe(stop_pipe_), 0);
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeDocker() {
    (void)!write(stop_pipe_[1], "x", 1);
    thread_.join();
    close(listen_fd_);
    close(stop_pipe_[0]);
    close(stop_pipe_[1]);
    std::filesystem::remove_all(dir_);
  }

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] int connections() const { return connections_; }
  std::string last_path() {
    std::lock_guard lock(mutex_);
    return last_path_;
  }
  // Blocks a handler until the test ends (or 10 s pass), like an idle event stream.
  void hold() const {
    pollfd wait{stop_pipe_[0], POLLIN, 0};
    poll(&wait, 1, 10000);
  }

 private:
  void serve() {
    while (true) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      if (poll(fds, 2, 10000) <= 0 || (fds[1].revents & POLLIN) != 0) {
        return;
      }
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        return;
      }
      ++connections_;
      std::string path = read_request_path(fd);
      {
        std::lock_guard lock(mutex_);
        last_path_ = path;
      }
      handler_(path, fd);
      close(fd);
    }
  }

  static std::string read_request_path(int fd) {
    std::string request;
    char buffer[1024];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
      ssize_t length = read(fd, buffer, sizeof buffer);
      if (length <= 0) {
        break;
      }
      request.append(buffer, static_cast<size_t>(length));
    }
    size_t start = request.find(' ');
    size_t end = request.find(' ', start + 1);
    return start == std::string::npos ? "" : request.substr(start + 1, end - start - 1);
  }

  Handler handler_;
  std::string dir_;
  std::string path_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::string last_path_;
  std::thread thread_;
};

void send_text(int fd, const std::string& text) { (void)!write(fd, text.data(), text.size()); }

// Drains events from stream until count have arrived or timeout passes.
std::vector<DockerEvent> await_events(DockerEventStream& stream, size_t count,
                                      std::chrono::milliseconds timeout) {
  std::vector<DockerEvent> events;
  auto deadline = Clock::now() + timeout;
  while (events.size() < count && Clock::now() < deadline) {
    pollfd wait{stream.fd(), POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (poll(&wait, 1, static_cast<int>(std::max(left.count(), 1L))) > 0) {
      for (DockerEvent& event : stream.drain()) {
        events.push_back(std::move(event));
      }
    }
  }
  return events;
}

DockerOptions options_for(const std::string& socket_path) {
  DockerOptions options;
  options.socket_path = socket_path;
  options.connect_timeout = 500ms;
  options.request_timeout = 500ms;
  return options;
}

TEST(ContainersDockerClient, ListsAndInspectsRunning) {
  FakeDocker docker([](const std::string& path, int fd) {
    if (path == "/containers/json") {
      send_text(fd, http_reply(200, read_fixture("list.json")));
    } else if (path == "/containers/" + std::string(kWebId) + "/json") {
      send_text(fd, http_reply(200, read_fixture("inspect.json")));
    } else {
      send_text(fd, http_reply(404, R"({"message":"No such container"})"));
    }
  });
  DockerClient client(options_for(docker.path()));
  auto infos = client.inspect_running();
  ASSERT_TRUE(infos.ok()) << infos.error().message();
  ASSERT_EQ(infos->size(), 1u);  // the second listed container gets HTTP 404
  EXPECT_EQ((*infos)[0].id, kWebId);
  EXPECT_EQ((*infos)[0].pid, 4242);
  EXPECT_EQ(docker.connections(), 3);
}

TEST(ContainersDockerClient, ReportsHttpError) {
  FakeDocker docker([](const std::string&, int fd) {
    send_text(fd, http_reply(404, R"({"message":"No such container"})"));
  });
  DockerClient client(options_for(docker.path()));
  auto info = client.inspect(kWebId);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.error().message().find("HTTP 404"), std::string::npos) << info.error().message();
}

TEST(ContainersDockerClient, RejectsUnsafeId) {
  DockerClient client(options_for("/nonexistent/csfk.sock"));
  auto info = client.inspect("../../version");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, EINVAL);
}

TEST(ContainersDockerClient, FailsFastWithoutSocket) {
  DockerClient client(options_for("/nonexistent/csfk.sock"));
  auto start = Clock::now();
  auto list = client.list_running();
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, ENOENT);
  EXPECT_LT(Clock::now() - start, 100ms);
}

TEST(ContainersDockerClient, TimesOutOnSilentEngine) {
  FakeDocker* self = nullptr;
  FakeDocker docker([&self](const std::string&, int) { self->hold(); });
  self = &docker;
  DockerClient client(options_for(docker.path()));
  auto start = Clock::now();
  auto list = client.list_running();
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, ETIMEDOUT) << list.error().message();
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(ContainersDockerEvents, DeliversParsedEvents) {
  FakeDocker* self = nullptr;
  FakeDocker docker([&self](const std::string&, int fd) {
    send_text(fd,
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              "Transfer-Encoding: chunked\r\n\r\n");
    std::string lines = read_fixture("events.jsonl");
    size_t half = lines.size() / 2;  // splits a line across two chunks
    send_text(fd, chunk(lines.substr(0, half)));
    send_text(fd, chunk(lines.substr(half)));
    self->hold();
  });
  self = &docker;
  DockerEventStream stream(options_for(docker.path()));
  ASSERT_TRUE(stream.start().ok());
  auto events = await_events(stream, 5, 5s);
  // The network event is dropped; the exec_start event passes as kOther.
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].action, EventAction::kStreamConnected);
  EXPECT_EQ(events[1].action, EventAction::kStart);
  EXPECT_EQ(events[1].id, kWebId);
  EXPECT_EQ(events[2].action, EventAction::kRename);
  EXPECT_EQ(events[3].action, EventAction::kDie);
  EXPECT_EQ(events[4].action, EventAction::kOther);
  EXPECT_EQ(docker.last_path().rfind("/events?filters=%7B%22type%22", 0), 0u) << docker.last_path();

  auto start = Clock::now();
  stream.stop();
  EXPECT_LT(Clock::now() - start, 500ms);
}

TEST(ContainersDockerEvents, ReconnectsAfterEngineCloses) {
  FakeDocker docker([](const std::string&, int fd) {
    send_text(fd,
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              "Transfer-Encoding: chunked\r\n\r\n");
    send_text(fd, "0\r\n\r\n");  // the engine ends the stream, as on a restart
  });
  DockerEventStream stream(options_for(docker.path()));
  ASSERT_TRUE(stream.start().ok());
  auto events = await_events(stream, 2, 5s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, EventAction::kStreamConnected);
  EXPECT_EQ(events[1].action, EventAction::kStreamConnected);
  EXPECT_GE(docker.connections(), 2);
}

TEST(ContainersDockerEvents, IgnoresErrorReplies) {
  FakeDocker docker([](const std::string&, int fd) {
    send_text(fd, http_reply(500, R"({"message":"server error"})"));
  });
  DockerEventStream stream(options_for(docker.path()));
  ASSERT_TRUE(stream.start().ok());
  auto events = await_events(stream, 1, 1500ms);
  EXPECT_TRUE(events.empty());
  EXPECT_GE(docker.connections(), 1);
}

TEST(ContainersDockerEvents, StopsPromptlyWithoutEngine) {
  DockerEventStream stream(options_for("/nonexistent/csfk.sock"));
  ASSERT_TRUE(stream.start().ok());
  EXPECT_GE(stream.fd(), 0);
  std::this_thread::yield();
  auto start = Clock::now();
  stream.stop();
  EXPECT_LT(Clock::now() - start, 500ms);
  EXPECT_TRUE(stream.drain().empty());
  stream.stop();  // a second stop does nothing
}

}  // namespace
}  // namespace csflowd::containers
