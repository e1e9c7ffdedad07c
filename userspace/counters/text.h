// Small text helpers shared by the counter parsers: line and field splitting, number
// parsing without exceptions, and whole-file reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace csflowd::counters {

// Splits text into lines without their '\n'; a trailing newline adds no empty line.
std::vector<std::string_view> split_lines(std::string_view text);

// Splits a line on runs of spaces and tabs; no empty fields are returned.
std::vector<std::string_view> split_fields(std::string_view line);

// Splits on a single separator character, keeping empty fields.
std::vector<std::string_view> split_on(std::string_view text, char separator);

// Removes leading and trailing whitespace (spaces, tabs, newlines).
std::string_view trim(std::string_view text);

// Parses a whole decimal unsigned integer; nullopt on empty text, signs, junk or overflow.
std::optional<uint64_t> parse_u64(std::string_view text);

// Parses a whole decimal integer with an optional leading '-'.
std::optional<int64_t> parse_i64(std::string_view text);

// Parses a decimal number such as "0.13" or "2596.128"; nullopt on junk.
std::optional<double> parse_double(std::string_view text);

// Finds the first "key value" or "key: value" line whose key equals `key` and parses its
// value, as in /proc/meminfo, /proc/vmstat and cgroup *.stat files. Returns nullopt when
// no such line parses.
std::optional<uint64_t> find_keyed_u64(std::string_view text, std::string_view key);

// Reads a whole file. Files under /proc and /sys report size 0, so this reads until EOF.
Result<std::string> read_text_file(const std::string& path);

// Decodes the "\ooo" octal escapes that /proc/mounts and mountinfo write for space, tab,
// newline and backslash in paths.
std::string decode_octal_escapes(std::string_view text);

// Joins a root folder and an absolute path: join_root("/tmp/t", "/proc/stat") is
// "/tmp/t/proc/stat"; an empty root leaves the path unchanged.
std::string join_root(std::string_view root, std::string_view path);

}  // namespace csflowd::counters
