// Strict decoder of sFlow v5 datagrams, for people (csflowd-dump) and tests.
//
// It checks every length. Each record's length is a multiple of 4 and equals the bytes its
// decoder read. Each sample's length equals its fixed part plus its records. The sample and
// record counts match the bytes present, and nothing trails the last sample. The agent
// address type must be 1 (IPv4) or 2 (IPv6). Records and samples it does not know are skipped by
// their length and listed in Datagram::unknown.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "sflow/records.h"

namespace csflowd::sflow {

// A sample whose sample_type the decoder does not know.
struct UnknownSample {
  uint32_t format = 0;  // (enterprise << 12) | format
  uint32_t length = 0;
};

using Sample = std::variant<FlowSample, CounterSample, UnknownSample>;

// A skipped sample or record.
struct UnknownRecord {
  enum class Kind { kSample, kFlowRecord, kCounterRecord };
  Kind kind = Kind::kSample;
  size_t sample_index = 0;  // index into Datagram::samples
  uint32_t format = 0;      // (enterprise << 12) | format
  uint32_t length = 0;
};

struct Datagram {
  uint32_t version = 5;
  Address agent{};
  uint32_t sub_agent_id = 0;
  uint32_t sequence_number = 0;
  uint32_t uptime_ms = 0;
  std::vector<Sample> samples;
  std::vector<UnknownRecord> unknown;
};

// Decodes one datagram. The error names the offset and the field that is wrong.
Result<Datagram> decode_datagram(std::span<const uint8_t> bytes);

// Converts a decoded datagram into JSON; sampled headers also get a "summary" object
// from summarize_header().
nlohmann::json to_json(const Datagram& datagram);

// Escapes a string taken from a datagram: every byte outside printable ASCII, and the
// backslash, becomes \xNN. The result is valid UTF-8 for JSON and safe on a terminal.
std::string printable(std::string_view text);

// One record as a JSON object whose "type" is the sFlow structure name.
nlohmann::json record_to_json(const FlowRecord& record);
nlohmann::json record_to_json(const CounterRecord& record);

// Formats an address as dotted IPv4 or RFC 5952 IPv6 text.
std::string address_to_string(const Address& address);

}  // namespace csflowd::sflow
