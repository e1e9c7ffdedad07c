#include "containers/docker_client.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "common/log.h"

namespace csflowd::containers {
namespace {

constexpr size_t kMaxReplyBytes = 16 << 20;  // a list of thousands of containers fits

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

void init_curl_once() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)code;
}

// Checks that the socket exists, so a missing Docker fails before libcurl is involved.
Status check_socket(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    return errno_error("docker socket '" + path + "' not available");
  }
  if (!S_ISSOCK(info.st_mode)) {
    return make_error(ENOTSOCK, "docker socket '" + path + "' is not a socket");
  }
  return {};
}

// Sets up a GET of path on the socket. The API version is left out so the engine uses its own.
EasyHandle make_request(const DockerOptions& options, const std::string& path) {
  init_curl_once();
  EasyHandle easy(curl_easy_init());
  if (!easy) {
    return easy;
  }
  std::string url = "http://localhost" + path;
  curl_easy_setopt(easy.get(), CURLOPT_UNIX_SOCKET_PATH, options.socket_path.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  return easy;
}

size_t append_reply(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<std::string*>(user);
  size_t bytes = size * count;
  if (reply->size() + bytes > kMaxReplyBytes) {
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR
  }
  reply->append(data, bytes);
  return bytes;
}

bool is_safe_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

}  // namespace

DockerClient::DockerClient(DockerOptions options) : options_(std::move(options)) {}

Result<std::string> DockerClient::get(const std::string& path) const {
  if (auto status = check_socket(options_.socket_path); !status) {
    return status.error();
  }
  EasyHandle easy = make_request(options_, path);
  if (!easy) {
    return plain_error("failed to create a libcurl handle for 'GET " + path + "'");
  }
  std::string reply;
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS,
                   static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, append_reply);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &reply);
  CURLcode code = curl_easy_perform(easy.get());
  if (code != CURLE_OK) {
    int error = code == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT : 0;
    return make_error(error,
                      "docker request 'GET " + path + "' failed: " + curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return plain_error("docker request 'GET " + path + "' returned HTTP " + std::to_string(status) +
                       ": " + reply.substr(0, 200));
  }
  return reply;
}

Result<std::vector<ListedContainer>> DockerClient::list_running() const {
  auto body = get("/containers/json");
  if (!body) {
    return body.error();
  }
  return parse_container_list(*body);
}

Result<ContainerInfo> DockerClient::inspect(std::string_view id) const {
  if (!is_safe_id(id)) {
    return make_error(EINVAL, "invalid container id '" + std::string(id) + "'");
  }
  auto body = get("/containers/" + std::string(id) + "/json");
  if (!body) {
    return body.error();
  }
  return parse_container_inspect(*body);
}

Result<std::vector<ContainerInfo>> DockerClient::inspect_running() const {
  auto listed = list_running();
  if (!listed) {
    return listed.error();
  }
  std::vector<ContainerInfo> infos;
  for (const ListedContainer& container : *listed) {
    auto info = inspect(container.id);
    if (!info) {
      spdlog::debug("skipping container '{}': {}", container.id, info.error().message());
      continue;
    }
    infos.push_back(std::move(*info));
  }
  return infos;
}

}  // namespace csflowd::containers
