// Record decoders used by decoder.cpp. Each reads one record payload; the caller checks
// the reader for errors and for unread bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sflow/records.h"
#include "sflow/xdr.h"

namespace csflowd::sflow {

// "enterprise:format", e.g. "0:2210".
std::string format_name(uint32_t data_format);

// Returns nullopt when the format is not one the encoder writes.
std::optional<FlowRecord> read_flow_record(uint32_t data_format, XdrReader& reader);
std::optional<CounterRecord> read_counter_record(uint32_t data_format, XdrReader& reader);

}  // namespace csflowd::sflow
