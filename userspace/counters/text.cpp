#include "counters/text.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace csflowd::counters {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      lines.push_back(text);
      break;
    }
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

std::vector<std::string_view> split_on(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t end = text.find(separator);
    parts.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return parts;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<int64_t> parse_i64(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  if (text.empty() || text.front() == '+') return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  if (text.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<uint64_t> find_keyed_u64(std::string_view text, std::string_view key) {
  for (std::string_view line : split_lines(text)) {
    std::vector<std::string_view> fields = split_fields(line);
    if (fields.size() < 2) continue;
    std::string_view name = fields[0];
    if (name.ends_with(':')) name.remove_suffix(1);
    if (name != key) continue;
    if (auto value = parse_u64(fields[1])) return value;
  }
  return std::nullopt;
}

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errno_error("failed to open '" + path + "'");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return errno_error("failed to read '" + path + "'");
  return content.str();
}

std::string decode_octal_escapes(std::string_view text) {
  auto is_octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    bool escape = text[i] == '\\' && i + 3 < text.size() && is_octal(text[i + 1]) &&
                  is_octal(text[i + 2]) && is_octal(text[i + 3]);
    if (escape) {
      int code = (text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0');
      out.push_back(static_cast<char>(code));
      i += 4;
    } else {
      out.push_back(text[i]);
      i += 1;
    }
  }
  return out;
}

std::string join_root(std::string_view root, std::string_view path) {
  std::string joined(root);
  while (!joined.empty() && joined.back() == '/') joined.pop_back();
  if (!path.starts_with('/')) joined.push_back('/');
  joined.append(path);
  return joined;
}

}  // namespace csflowd::counters
