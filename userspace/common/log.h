// Logging for csflowd, on spdlog.
//
// Level policy:
//   trace  per packet or per datagram detail; off unless asked for
//   debug  libbpf's debug output, probe and discovery decisions, each counter poll
//   info   lifecycle: start, stop, attach and detach, containers appearing and leaving
//   warn   degraded but running: an interface gone, samples dropped, a source unreachable
//   error  an operation failed and its object is lost (the daemon goes on without it);
//          a fatal start-up error, after which the daemon exits
// Messages are lowercase and name the object in quotes, e.g.
// "failed to attach 'sflow_ingress' to 'veth1a2b': Operation not permitted (EPERM)".
// Warnings that can repeat per packet or per poll go through RateLimiter.
#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace csflowd {

// Parses a level name ("trace", "debug", "info", "warn", "error", "off").
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// Sets up the default logger on stderr and routes libbpf's messages into it
// (LIBBPF_DEBUG as debug, LIBBPF_INFO as info, LIBBPF_WARN as warn).
void init_logging(spdlog::level::level_enum level);

// Lets through at most `burst` events per `period` and counts the rest, so a warning
// that can fire per packet is logged a few times with the number it suppressed.
class RateLimiter {
 public:
  RateLimiter(unsigned burst, std::chrono::steady_clock::duration period)
      : burst_(burst), period_(period) {}

  // Returns true when the caller may log now. `suppressed` receives the count of
  // events held back since the last one that was allowed.
  bool allow(uint64_t& suppressed);

 private:
  unsigned burst_;
  std::chrono::steady_clock::duration period_;
  std::chrono::steady_clock::time_point window_start_{};
  unsigned used_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace csflowd
