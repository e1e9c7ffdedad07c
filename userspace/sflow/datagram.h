// Packs encoded samples into sFlow v5 datagrams and hands each finished datagram to a sink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "common/result.h"
#include "sflow/records.h"

namespace csflowd::sflow {

// Upper bound on samples per datagram, so collectors with fixed sample arrays are safe.
inline constexpr size_t kMaxSamplesPerDatagram = 64;

// Size of the datagram header for an agent address: 28 bytes (IPv4) or 40 bytes (IPv6).
size_t datagram_header_bytes(const Address& agent);

// Collects samples for one (agent, sub_agent_id) stream. Each sample is encoded once, when
// it is added. A datagram is sent when the next sample would make it reach
// max_datagram_bytes or exceed kMaxSamplesPerDatagram, and on flush(). Every datagram
// stays strictly below max_datagram_bytes.
class DatagramBuilder {
 public:
  using Sink = std::function<void(std::span<const uint8_t>)>;

  DatagramBuilder(Address agent, uint32_t sub_agent_id, size_t max_datagram_bytes, Sink sink);

  // Adds a sample, sending the pending datagram first when the sample does not fit in it.
  // Returns an error when the sample cannot fit even in an empty datagram; the sample is
  // dropped and counted in samples_rejected().
  Status add(const FlowSample& sample, uint32_t uptime_ms);
  Status add(const CounterSample& sample, uint32_t uptime_ms);

  // Sends the pending datagram, if it contains any samples.
  void flush(uint32_t uptime_ms);

  [[nodiscard]] size_t pending_samples() const { return pending_samples_; }
  // Number of datagrams sent, which is also the sequence number of the last one.
  [[nodiscard]] uint32_t datagrams_sent() const { return sequence_number_; }
  [[nodiscard]] uint64_t samples_rejected() const { return samples_rejected_; }

  // Sends the pending datagram with the uptime of the last add() or flush(). Then starts a
  // new stream from the new address, whose first datagram has sequence number 1.
  void set_agent(Address agent);

 private:
  Status add_encoded(std::span<const uint8_t> sample, const char* kind, uint32_t uptime_ms);
  void start_datagram();

  Address agent_;
  uint32_t sub_agent_id_;
  size_t max_datagram_bytes_;
  Sink sink_;
  std::vector<uint8_t> scratch_;   // the sample being added
  std::vector<uint8_t> datagram_;  // header placeholder + pending samples
  size_t pending_samples_ = 0;
  uint32_t sequence_number_ = 0;
  uint32_t last_uptime_ms_ = 0;
  uint64_t samples_rejected_ = 0;
};

}  // namespace csflowd::sflow
