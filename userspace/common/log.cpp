#include "common/log.h"

#include <bpf/libbpf.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <array>
#include <cstdarg>
#include <cstdio>
#include <string>

namespace csflowd {
namespace {

int libbpf_print(enum libbpf_print_level level, const char* format, va_list args) {
  std::array<char, 1024> buffer{};
  int length = std::vsnprintf(buffer.data(), buffer.size(), format, args);
  if (length <= 0) {
    return length;
  }
  std::string text(buffer.data());
  while (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  switch (level) {
    case LIBBPF_WARN:
      spdlog::warn("libbpf: {}", text);
      break;
    case LIBBPF_INFO:
      spdlog::info("libbpf: {}", text);
      break;
    case LIBBPF_DEBUG:
      spdlog::debug("libbpf: {}", text);
      break;
  }
  return length;
}

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "info") return spdlog::level::info;
  if (name == "warn" || name == "warning") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  if (name == "off") return spdlog::level::off;
  return std::nullopt;
}

void init_logging(spdlog::level::level_enum level) {
  auto logger = spdlog::stderr_color_mt("csflowd");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  logger->set_level(level);
  spdlog::set_default_logger(logger);
  libbpf_set_print(libbpf_print);
}

bool RateLimiter::allow(uint64_t& suppressed) {
  auto now = std::chrono::steady_clock::now();
  if (now - window_start_ >= period_) {
    window_start_ = now;
    used_ = 0;
  }
  if (used_ < burst_) {
    ++used_;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }
  ++suppressed_;
  return false;
}

}  // namespace csflowd
