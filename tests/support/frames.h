// Crafted frames for running the tc programs with BPF_PROG_TEST_RUN, shared by the BPF
// tests and the sampler benchmark.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace csflowd::test_support {

// Builds an Ethernet + IPv4 + UDP frame of `size` bytes (at least 42) from 198.18.0.1 to
// 198.18.0.2. The payload bytes count up, so a copy of the frame can be checked byte by byte.
inline std::vector<uint8_t> make_udp_frame(size_t size) {
  std::vector<uint8_t> frame(size);
  const std::array<uint8_t, 14> ethernet{0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00};
  auto ip_length = static_cast<uint16_t>(size - 14);
  const std::array<uint8_t, 20> ipv4{0x45,
                                     0,
                                     static_cast<uint8_t>(ip_length >> 8),
                                     static_cast<uint8_t>(ip_length),
                                     0,
                                     0,
                                     0,
                                     0,
                                     64,
                                     17,
                                     0,
                                     0,
                                     198,
                                     18,
                                     0,
                                     1,
                                     198,
                                     18,
                                     0,
                                     2};
  auto udp_length = static_cast<uint16_t>(size - 34);
  const std::array<uint8_t, 8> udp{0x9c,
                                   0x40,
                                   0x9c,
                                   0x41,
                                   static_cast<uint8_t>(udp_length >> 8),
                                   static_cast<uint8_t>(udp_length),
                                   0,
                                   0};
  std::memcpy(frame.data(), ethernet.data(), ethernet.size());
  std::memcpy(frame.data() + 14, ipv4.data(), ipv4.size());
  std::memcpy(frame.data() + 34, udp.data(), udp.size());
  for (size_t i = 42; i < size; ++i) {
    frame[i] = static_cast<uint8_t>(i);
  }
  return frame;
}

}  // namespace csflowd::test_support
