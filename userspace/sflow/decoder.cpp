#include "sflow/decoder.h"

#include <optional>
#include <string>

#include "sflow/decoder_records.h"
#include "sflow/formats.h"
#include "sflow/xdr.h"

namespace csflowd::sflow {
namespace {

// One (format, length, payload) element, with the absolute offset of its format word.
struct Element {
  uint32_t format = 0;
  uint32_t length = 0;
  size_t offset = 0;
  std::span<const uint8_t> payload;
};

std::string at(size_t offset) { return " at offset " + std::to_string(offset); }

Error decode_error(const std::string& what) {
  return plain_error("malformed sFlow datagram: " + what);
}

// Reads the format and length words and takes the payload, checking the length.
Result<Element> read_element(XdrReader& reader, size_t base, const std::string& what) {
  Element element;
  element.offset = base + reader.offset();
  element.format = reader.u32();
  element.length = reader.u32();
  if (!reader.ok()) {
    return decode_error(what + at(element.offset) + " is cut short: " + reader.error());
  }
  std::string name = what + " " + format_name(element.format) + at(element.offset);
  if (element.length % 4 != 0) {
    return decode_error(name + " has length " + std::to_string(element.length) +
                        ", not a multiple of 4");
  }
  if (element.length > reader.remaining()) {
    return decode_error(name + " declares " + std::to_string(element.length) + " bytes but only " +
                        std::to_string(reader.remaining()) + " remain");
  }
  element.payload = reader.take(element.length);
  return element;
}

// Checks that a record decoder read exactly the declared payload.
Status check_consumed(const XdrReader& reader, const Element& element, const std::string& what) {
  std::string name = what + " " + format_name(element.format) + at(element.offset);
  if (!reader.ok()) {
    return decode_error(name + ": " + reader.error());
  }
  if (reader.remaining() != 0) {
    return decode_error(name + " declares " + std::to_string(element.length) +
                        " bytes but its fields take " + std::to_string(reader.offset()));
  }
  return {};
}

class DatagramDecoder {
 public:
  explicit DatagramDecoder(std::span<const uint8_t> bytes) : reader_(bytes) {}

  Result<Datagram> run();

 private:
  Status read_header();
  Status read_sample(size_t index);
  Status read_flow_sample(const Element& element, size_t index);
  Status read_counter_sample(const Element& element, size_t index);
  template <typename Record, typename ReadFn>
  Status read_records(XdrReader& reader, const Element& sample, size_t index,
                      UnknownRecord::Kind kind, std::vector<Record>& out, ReadFn read);

  XdrReader reader_;
  Datagram datagram_;
};

Result<Datagram> DatagramDecoder::run() {
  if (auto status = read_header(); !status) {
    return status.error();
  }
  uint32_t num_samples = reader_.u32();
  if (!reader_.ok()) {
    return decode_error("datagram header is cut short: " + reader_.error());
  }
  for (uint32_t i = 0; i < num_samples; ++i) {
    if (reader_.remaining() == 0) {
      return decode_error("datagram declares " + std::to_string(num_samples) +
                          " samples but ends after " + std::to_string(i));
    }
    if (auto status = read_sample(i); !status) {
      return status.error();
    }
  }
  if (reader_.remaining() != 0) {
    return decode_error(std::to_string(reader_.remaining()) + " trailing bytes after sample " +
                        std::to_string(num_samples) + at(reader_.offset()));
  }
  return std::move(datagram_);
}

Status DatagramDecoder::read_header() {
  datagram_.version = reader_.u32();
  if (reader_.ok() && datagram_.version != kDatagramVersion) {
    return decode_error("version " + std::to_string(datagram_.version) + " is not 5");
  }
  uint32_t type = reader_.u32();
  if (reader_.ok() && type != 1 && type != 2) {
    return decode_error("agent address type " + std::to_string(type) + at(4) +
                        " is not 1 (IPv4) or 2 (IPv6)");
  }
  datagram_.agent.type = static_cast<Address::Type>(type);
  reader_.fixed_opaque(std::span(datagram_.agent.bytes).first(type == 2 ? 16 : 4));
  datagram_.sub_agent_id = reader_.u32();
  datagram_.sequence_number = reader_.u32();
  datagram_.uptime_ms = reader_.u32();
  if (!reader_.ok()) {
    return decode_error("datagram header is cut short: " + reader_.error());
  }
  return {};
}

Status DatagramDecoder::read_sample(size_t index) {
  auto element = read_element(reader_, 0, "sample " + std::to_string(index));
  if (!element) {
    return element.error();
  }
  if (element->format == kFlowSampleExpanded) {
    return read_flow_sample(*element, index);
  }
  if (element->format == kCounterSampleExpanded) {
    return read_counter_sample(*element, index);
  }
  datagram_.samples.emplace_back(UnknownSample{element->format, element->length});
  datagram_.unknown.push_back(
      {UnknownRecord::Kind::kSample, index, element->format, element->length});
  return {};
}

template <typename Record, typename ReadFn>
Status DatagramDecoder::read_records(XdrReader& reader, const Element& sample, size_t index,
                                     UnknownRecord::Kind kind, std::vector<Record>& out,
                                     ReadFn read) {
  std::string what = "sample " + std::to_string(index);
  uint32_t num_records = reader.u32();
  if (!reader.ok()) {
    return decode_error(what + at(sample.offset) + " is cut short: " + reader.error());
  }
  size_t payload_base = sample.offset + 8;
  for (uint32_t j = 0; j < num_records; ++j) {
    if (reader.remaining() == 0) {
      return decode_error(what + at(sample.offset) + " declares " + std::to_string(num_records) +
                          " records but its length holds " + std::to_string(j));
    }
    std::string record_what = what + " record " + std::to_string(j);
    auto element = read_element(reader, payload_base, record_what);
    if (!element) {
      return element.error();
    }
    XdrReader payload(element->payload);
    std::optional<Record> record = read(element->format, payload);
    if (!record) {
      datagram_.unknown.push_back({kind, index, element->format, element->length});
      continue;
    }
    if (auto status = check_consumed(payload, *element, record_what); !status) {
      return status;
    }
    out.push_back(std::move(*record));
  }
  if (reader.remaining() != 0) {
    return decode_error(what + at(sample.offset) + " declares " + std::to_string(sample.length) +
                        " bytes but its records end after " + std::to_string(reader.offset()));
  }
  return {};
}

Status DatagramDecoder::read_flow_sample(const Element& element, size_t index) {
  XdrReader reader(element.payload);
  FlowSample sample;
  sample.sequence_number = reader.u32();
  sample.source.ds_class = static_cast<DsClass>(reader.u32());
  sample.source.ds_index = reader.u32();
  sample.sampling_rate = reader.u32();
  sample.sample_pool = reader.u32();
  sample.drops = reader.u32();
  sample.input = {reader.u32(), reader.u32()};
  sample.output = {reader.u32(), reader.u32()};
  auto status = read_records(reader, element, index, UnknownRecord::Kind::kFlowRecord,
                             sample.records, read_flow_record);
  if (!status) {
    return status;
  }
  datagram_.samples.emplace_back(std::move(sample));
  return {};
}

Status DatagramDecoder::read_counter_sample(const Element& element, size_t index) {
  XdrReader reader(element.payload);
  CounterSample sample;
  sample.sequence_number = reader.u32();
  sample.source.ds_class = static_cast<DsClass>(reader.u32());
  sample.source.ds_index = reader.u32();
  auto status = read_records(reader, element, index, UnknownRecord::Kind::kCounterRecord,
                             sample.records, read_counter_record);
  if (!status) {
    return status;
  }
  datagram_.samples.emplace_back(std::move(sample));
  return {};
}

}  // namespace

Result<Datagram> decode_datagram(std::span<const uint8_t> bytes) {
  return DatagramDecoder(bytes).run();
}

}  // namespace csflowd::sflow
