#include "sflow/xdr.h"

#include <algorithm>
#include <bit>
#include <string>

namespace csflowd::sflow {

void XdrWriter::u32(uint32_t value) {
  buffer_.push_back(static_cast<uint8_t>(value >> 24));
  buffer_.push_back(static_cast<uint8_t>(value >> 16));
  buffer_.push_back(static_cast<uint8_t>(value >> 8));
  buffer_.push_back(static_cast<uint8_t>(value));
}

void XdrWriter::u64(uint64_t value) {
  u32(static_cast<uint32_t>(value >> 32));
  u32(static_cast<uint32_t>(value));
}

void XdrWriter::f32(float value) { u32(std::bit_cast<uint32_t>(value)); }

void XdrWriter::fixed_opaque(std::span<const uint8_t> bytes) {
  append(bytes);
  pad_to_4();
}

void XdrWriter::variable_opaque(std::span<const uint8_t> bytes, size_t max_length) {
  auto length = std::min(bytes.size(), max_length);
  u32(static_cast<uint32_t>(length));
  fixed_opaque(bytes.first(length));
}

void XdrWriter::string(std::string_view text, size_t max_length) {
  const auto* data = reinterpret_cast<const uint8_t*>(text.data());
  variable_opaque(std::span<const uint8_t>(data, text.size()), max_length);
}

size_t XdrWriter::begin_element(uint32_t format) {
  u32(format);
  size_t length_offset = buffer_.size();
  u32(0);
  return length_offset;
}

void XdrWriter::end_element(size_t length_offset) {
  auto length = buffer_.size() - length_offset - 4;
  put_u32_at(length_offset, static_cast<uint32_t>(length));
}

void XdrWriter::put_u32_at(size_t offset, uint32_t value) {
  buffer_.at(offset) = static_cast<uint8_t>(value >> 24);
  buffer_.at(offset + 1) = static_cast<uint8_t>(value >> 16);
  buffer_.at(offset + 2) = static_cast<uint8_t>(value >> 8);
  buffer_.at(offset + 3) = static_cast<uint8_t>(value);
}

void XdrWriter::append(std::span<const uint8_t> bytes) {
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void XdrWriter::pad_to_4() { buffer_.resize(xdr_padded(buffer_.size()), 0); }

void XdrReader::fail(std::string reason) {
  if (error_.empty()) {
    error_ = std::move(reason);
  }
}

bool XdrReader::need(size_t n) {
  if (!ok()) {
    return false;
  }
  if (n > remaining()) {
    fail("needs " + std::to_string(n) + " bytes at offset " + std::to_string(offset_) +
         " but only " + std::to_string(remaining()) + " remain");
    return false;
  }
  return true;
}

uint32_t XdrReader::u32() {
  if (!need(4)) {
    return 0;
  }
  const uint8_t* p = data_.data() + offset_;
  offset_ += 4;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

uint64_t XdrReader::u64() {
  uint64_t high = u32();
  return (high << 32) | u32();
}

float XdrReader::f32() { return std::bit_cast<float>(u32()); }

void XdrReader::skip_padding(size_t length) {
  size_t pad = xdr_padded(length) - length;
  for (uint8_t byte : take(pad)) {
    if (byte != 0) {
      fail("nonzero pad byte at offset " + std::to_string(offset_ - pad));
      return;
    }
  }
}

void XdrReader::fixed_opaque(std::span<uint8_t> out) {
  auto bytes = take(out.size());
  if (bytes.size() == out.size()) {
    std::copy(bytes.begin(), bytes.end(), out.begin());
  }
  skip_padding(out.size());
}

std::vector<uint8_t> XdrReader::variable_opaque(size_t max_length) {
  uint32_t length = u32();
  if (ok() && length > max_length) {
    fail("length " + std::to_string(length) + " at offset " + std::to_string(offset_ - 4) +
         " exceeds the maximum " + std::to_string(max_length));
  }
  if (!need(xdr_padded(length))) {
    return {};
  }
  auto bytes = take(length);
  skip_padding(length);
  return {bytes.begin(), bytes.end()};
}

std::string XdrReader::string(size_t max_length) {
  auto bytes = variable_opaque(max_length);
  return {bytes.begin(), bytes.end()};
}

std::span<const uint8_t> XdrReader::take(size_t n) {
  if (!need(n)) {
    return {};
  }
  auto bytes = data_.subspan(offset_, n);
  offset_ += n;
  return bytes;
}

}  // namespace csflowd::sflow
