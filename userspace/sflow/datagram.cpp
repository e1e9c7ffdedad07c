#include "sflow/datagram.h"

#include <string>
#include <utility>

#include "sflow/encoder.h"
#include "sflow/formats.h"
#include "sflow/xdr.h"

namespace csflowd::sflow {
namespace {

// Offsets of the fields filled in at send time, counted from the end of the header.
constexpr size_t kSequenceFromEnd = 12;
constexpr size_t kUptimeFromEnd = 8;
constexpr size_t kCountFromEnd = 4;

void put_u32(std::vector<uint8_t>& buffer, size_t offset, uint32_t value) {
  buffer[offset] = static_cast<uint8_t>(value >> 24);
  buffer[offset + 1] = static_cast<uint8_t>(value >> 16);
  buffer[offset + 2] = static_cast<uint8_t>(value >> 8);
  buffer[offset + 3] = static_cast<uint8_t>(value);
}

}  // namespace

size_t datagram_header_bytes(const Address& agent) {
  return agent.type == Address::Type::kIpv6 ? 40 : 28;
}

DatagramBuilder::DatagramBuilder(Address agent, uint32_t sub_agent_id, size_t max_datagram_bytes,
                                 Sink sink)
    : agent_(agent),
      sub_agent_id_(sub_agent_id),
      max_datagram_bytes_(max_datagram_bytes),
      sink_(std::move(sink)) {
  start_datagram();
}

void DatagramBuilder::start_datagram() {
  XdrWriter header;
  header.u32(kDatagramVersion);
  encode_address(header, agent_);
  header.u32(sub_agent_id_);
  header.u32(0);  // sequence_number, uptime and num_samples are set in flush()
  header.u32(0);
  header.u32(0);
  datagram_ = header.take();
  pending_samples_ = 0;
}

Status DatagramBuilder::add(const FlowSample& sample, uint32_t uptime_ms) {
  XdrWriter out;
  encode_flow_sample(out, sample);
  scratch_ = out.take();
  return add_encoded(scratch_, "flow", uptime_ms);
}

Status DatagramBuilder::add(const CounterSample& sample, uint32_t uptime_ms) {
  XdrWriter out;
  encode_counter_sample(out, sample);
  scratch_ = out.take();
  return add_encoded(scratch_, "counter", uptime_ms);
}

Status DatagramBuilder::add_encoded(std::span<const uint8_t> sample, const char* kind,
                                    uint32_t uptime_ms) {
  last_uptime_ms_ = uptime_ms;
  size_t header_bytes = datagram_header_bytes(agent_);
  if (header_bytes + sample.size() >= max_datagram_bytes_) {
    ++samples_rejected_;
    return plain_error(std::string(kind) + " sample of " + std::to_string(sample.size()) +
                       " bytes does not fit in a datagram of at most " +
                       std::to_string(max_datagram_bytes_) + " bytes (header " +
                       std::to_string(header_bytes) + " bytes)");
  }
  if (datagram_.size() + sample.size() >= max_datagram_bytes_ ||
      pending_samples_ >= kMaxSamplesPerDatagram) {
    flush(uptime_ms);
  }
  datagram_.insert(datagram_.end(), sample.begin(), sample.end());
  ++pending_samples_;
  return {};
}

void DatagramBuilder::flush(uint32_t uptime_ms) {
  last_uptime_ms_ = uptime_ms;
  if (pending_samples_ == 0) {
    return;
  }
  size_t header_end = datagram_header_bytes(agent_);
  put_u32(datagram_, header_end - kSequenceFromEnd, ++sequence_number_);
  put_u32(datagram_, header_end - kUptimeFromEnd, uptime_ms);
  put_u32(datagram_, header_end - kCountFromEnd, static_cast<uint32_t>(pending_samples_));
  if (sink_) {
    sink_(datagram_);
  }
  start_datagram();
}

void DatagramBuilder::set_agent(Address agent) {
  flush(last_uptime_ms_);
  agent_ = agent;
  sequence_number_ = 0;
  start_datagram();
}

}  // namespace csflowd::sflow
