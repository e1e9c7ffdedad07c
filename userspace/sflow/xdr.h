// XDR (RFC 4506) writer and reader for sFlow: big-endian 4-byte units, zero padding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace csflowd::sflow {

// Rounds a byte count up to the next multiple of 4.
constexpr size_t xdr_padded(size_t length) { return (length + 3) & ~size_t{3}; }

// Appends XDR values to a growing byte buffer.
class XdrWriter {
 public:
  void u32(uint32_t value);
  void i32(int32_t value) { u32(static_cast<uint32_t>(value)); }
  void u64(uint64_t value);                           // high word first
  void f32(float value);                              // the IEEE-754 bits as a u32
  void fixed_opaque(std::span<const uint8_t> bytes);  // no length, padded to 4
  // Writes a u32 length, the bytes and the padding; input longer than max_length is cut.
  void variable_opaque(std::span<const uint8_t> bytes, size_t max_length);
  void string(std::string_view text, size_t max_length);

  // Starts a (format, length, payload) element and returns the offset of its length word;
  // end_element() fills that word with the number of bytes written since.
  size_t begin_element(uint32_t format);
  void end_element(size_t length_offset);

  void put_u32_at(size_t offset, uint32_t value);
  void append(std::span<const uint8_t> bytes);

  [[nodiscard]] size_t size() const { return buffer_.size(); }
  [[nodiscard]] std::span<const uint8_t> bytes() const { return buffer_; }
  std::vector<uint8_t> take() { return std::move(buffer_); }
  void clear() { buffer_.clear(); }

 private:
  void pad_to_4();

  std::vector<uint8_t> buffer_;
};

// Reads XDR values from a byte span. Reading past the end, or a nonzero pad byte, marks
// the reader failed and returns zeros, so a decoder checks ok() once per structure.
class XdrReader {
 public:
  explicit XdrReader(std::span<const uint8_t> data) : data_(data) {}

  uint32_t u32();
  int32_t i32() { return static_cast<int32_t>(u32()); }
  uint64_t u64();
  float f32();
  // Copies n bytes and skips the padding after them.
  void fixed_opaque(std::span<uint8_t> out);
  // Reads a length-prefixed opaque; a length above max_length fails the reader.
  std::vector<uint8_t> variable_opaque(size_t max_length);
  std::string string(size_t max_length);
  // Returns the next n bytes as a span and moves past them (no padding).
  std::span<const uint8_t> take(size_t n);

  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] size_t offset() const { return offset_; }
  [[nodiscard]] size_t remaining() const { return data_.size() - offset_; }
  void fail(std::string reason);

 private:
  bool need(size_t n);
  void skip_padding(size_t length);

  std::span<const uint8_t> data_;
  size_t offset_ = 0;
  std::string error_;
};

}  // namespace csflowd::sflow
