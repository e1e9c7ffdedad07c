// DockerEventStream: the GET /events worker declared in docker_client.h.
#include <curl/curl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "common/log.h"
#include "containers/docker_client.h"

namespace csflowd::containers {
namespace {

constexpr size_t kMaxEventLineBytes = 1 << 20;
constexpr std::chrono::milliseconds kFirstBackoff{500};
constexpr std::chrono::milliseconds kMaxBackoff{30000};
constexpr int kPollTimeoutMs = 1000;

// Builds /events?filters=... for the container events the registry handles.
std::string events_path(CURL* easy) {
  static const char kFilters[] =
      R"({"type":["container"],"event":["start","die","destroy","rename","pause",)"
      R"("unpause","stop","kill","oom"]})";
  char* escaped = curl_easy_escape(easy, kFilters, 0);
  std::string path = std::string("/events?filters=") + (escaped != nullptr ? escaped : "");
  curl_free(escaped);
  return path;
}

}  // namespace

// State of one connection attempt, reached from libcurl's C callbacks.
struct EventStreamCallbacks {
  DockerEventStream* stream = nullptr;
  CURL* easy = nullptr;
  std::string line;
  bool connected = false;
  long status = 0;

  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<EventStreamCallbacks*>(user);
    size_t bytes = size * count;
    // The blank line ends the headers, and the status code is known from then on.
    if (bytes == 2 && std::memcmp(data, "\r\n", 2) == 0) {
      curl_easy_getinfo(self->easy, CURLINFO_RESPONSE_CODE, &self->status);
      if (self->status == 200 && !self->connected) {
        self->connected = true;
        DockerEvent event;
        event.action = EventAction::kStreamConnected;
        self->stream->push(std::move(event));
      }
    }
    return bytes;
  }

  static size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<EventStreamCallbacks*>(user);
    size_t bytes = size * count;
    if (self->status != 200) {
      size_t room = self->line.size() < 200 ? 200 - self->line.size() : 0;
      self->line.append(data, std::min(bytes, room));
      return bytes;  // the start of the error reply, kept for the log
    }
    self->line.append(data, bytes);
    self->split_lines();
    return bytes;
  }

  void split_lines() {
    size_t start = 0;
    for (size_t end; (end = line.find('\n', start)) != std::string::npos; start = end + 1) {
      std::string_view text(line.data() + start, end - start);
      if (text.find_first_not_of(" \r\t") == std::string_view::npos) {
        continue;
      }
      auto event = parse_event(text);
      if (event) {
        stream->push(std::move(*event));
      } else {
        spdlog::debug("skipping docker event line: {}", event.error().message());
      }
    }
    line.erase(0, start);
    if (line.size() > kMaxEventLineBytes) {
      spdlog::warn("dropping a docker event line longer than {} bytes", kMaxEventLineBytes);
      line.clear();
    }
  }
};

DockerEventStream::DockerEventStream(DockerOptions options) : options_(std::move(options)) {}

DockerEventStream::~DockerEventStream() {
  stop();
  if (event_fd_ >= 0) {
    close(event_fd_);
  }
}

Status DockerEventStream::start() {
  if (worker_.joinable()) {
    return {};
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (event_fd_ < 0) {
    event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (event_fd_ < 0) {
      return errno_error("failed to create the eventfd for docker events");
    }
  }
  multi_ = curl_multi_init();
  if (multi_ == nullptr) {
    return plain_error("failed to create a libcurl multi handle for docker events");
  }
  stopping_ = false;
  worker_ = std::thread([this] { run(); });
  return {};
}

void DockerEventStream::stop() {
  if (!worker_.joinable()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  worker_.join();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
  multi_ = nullptr;
}

std::vector<DockerEvent> DockerEventStream::drain() {
  uint64_t count = 0;
  if (event_fd_ >= 0) {
    (void)!read(event_fd_, &count, sizeof count);  // EAGAIN when nothing was signalled
  }
  std::lock_guard lock(mutex_);
  std::vector<DockerEvent> events(std::make_move_iterator(queue_.begin()),
                                  std::make_move_iterator(queue_.end()));
  queue_.clear();
  return events;
}

void DockerEventStream::push(DockerEvent event) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(event));
  }
  uint64_t increment = 1;
  (void)!write(event_fd_, &increment, sizeof increment);
}

void DockerEventStream::wait_backoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

void DockerEventStream::run() {
  auto backoff = kFirstBackoff;
  bool warned = false;
  while (!stopping_) {
    bool connected = follow_once();
    if (stopping_) {
      break;
    }
    if (connected) {
      backoff = kFirstBackoff;
      warned = false;
    }
    if (!warned) {
      spdlog::warn(
          "docker event stream on '{}' is down, retrying with backoff up to {} s "
          "(on a host without Docker, start csflowd with --no-docker)",
          options_.socket_path, kMaxBackoff.count() / 1000);
      warned = true;
    }
    wait_backoff(backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

bool DockerEventStream::follow_once() {
  auto* multi = static_cast<CURLM*>(multi_);
  CURL* easy = curl_easy_init();
  if (easy == nullptr) {
    return false;
  }
  EventStreamCallbacks callbacks{this, easy, {}, false, 0};
  std::string url = "http://localhost" + events_path(easy);
  curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, options_.socket_path.c_str());
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &EventStreamCallbacks::on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &callbacks);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &EventStreamCallbacks::on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &callbacks);
  curl_multi_add_handle(multi, easy);

  int running = 1;
  while (running != 0 && !stopping_) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      break;
    }
    if (running != 0) {
      curl_multi_poll(multi, nullptr, 0, kPollTimeoutMs, nullptr);
    }
  }
  CURLcode result = CURLE_OK;
  int pending = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &pending)) {
    if (message->msg == CURLMSG_DONE) {
      result = message->data.result;
    }
  }
  if (!stopping_) {
    spdlog::debug("docker event stream ended: {} (HTTP {}) {}", curl_easy_strerror(result),
                  callbacks.status, callbacks.status == 200 ? "" : callbacks.line);
  }
  curl_multi_remove_handle(multi, easy);
  curl_easy_cleanup(easy);
  return callbacks.connected;
}

}  // namespace csflowd::containers
