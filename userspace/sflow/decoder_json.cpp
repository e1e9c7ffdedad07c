// JSON output of decoded datagrams. Field names follow the sFlow structure definitions.
#include <arpa/inet.h>

#include <array>
#include <cstdio>

#include "sflow/decoder.h"
#include "sflow/decoder_records.h"
#include "sflow/header_summary.h"

namespace csflowd::sflow {
namespace {

using nlohmann::json;

json data_source_json(const DataSource& source) {
  return {{"class", static_cast<uint32_t>(source.ds_class)}, {"index", source.ds_index}};
}

std::string hex(std::span<const uint8_t> bytes) {
  std::string text;
  std::array<char, 3> digits{};
  for (uint8_t byte : bytes) {
    std::snprintf(digits.data(), digits.size(), "%02x", byte);
    text += digits.data();
  }
  return text;
}

json summary_json(const HeaderSummary& s) {
  json out = json::object();
  if (s.eth_src.empty()) {
    return out;
  }
  out["eth_src"] = s.eth_src;
  out["eth_dst"] = s.eth_dst;
  if (!s.vlans.empty()) out["vlans"] = s.vlans;
  if (s.ethertype) out["ethertype"] = *s.ethertype;
  if (!s.ip_src.empty()) {
    out["ip_src"] = s.ip_src;
    out["ip_dst"] = s.ip_dst;
  }
  if (s.ip_protocol) out["ip_protocol"] = *s.ip_protocol;
  if (s.src_port) out["src_port"] = *s.src_port;
  if (s.dst_port) out["dst_port"] = *s.dst_port;
  if (s.icmp_type) out["icmp_type"] = *s.icmp_type;
  return out;
}

struct FlowRecordJson {
  json operator()(const SampledHeader& r) const {
    return {{"type", "sampled_header"},
            {"header_protocol", r.header_protocol},
            {"frame_length", r.frame_length},
            {"stripped", r.stripped},
            {"header_length", r.header.size()},
            {"header", hex(r.header)},
            {"summary",
             r.header_protocol == 1 ? summary_json(summarize_header(r.header)) : json::object()}};
  }
  json operator()(const ExtendedSwitch& r) const {
    return {{"type", "extended_switch"},
            {"src_vlan", r.src_vlan},
            {"src_priority", r.src_priority},
            {"dst_vlan", r.dst_vlan},
            {"dst_priority", r.dst_priority}};
  }
  json operator()(const ExtendedTimestamp& r) const {
    return {{"type", "extended_timestamp"}, {"nanoseconds", r.nanoseconds}};
  }
  json operator()(const ExtendedEntities& r) const {
    return {{"type", "extended_entities"},
            {"source", data_source_json(r.source)},
            {"destination", data_source_json(r.destination)}};
  }
};

json flow_sample_json(const FlowSample& s) {
  json records = json::array();
  for (const FlowRecord& record : s.records) {
    records.push_back(record_to_json(record));
  }
  return {{"type", "flow_sample"},
          {"sequence_number", s.sequence_number},
          {"source", data_source_json(s.source)},
          {"sampling_rate", s.sampling_rate},
          {"sample_pool", s.sample_pool},
          {"drops", s.drops},
          {"input", {{"format", s.input.format}, {"value", s.input.value}}},
          {"output", {{"format", s.output.format}, {"value", s.output.value}}},
          {"records", records}};
}

json counter_sample_json(const CounterSample& s) {
  json records = json::array();
  for (const CounterRecord& record : s.records) {
    records.push_back(record_to_json(record));
  }
  return {{"type", "counter_sample"},
          {"sequence_number", s.sequence_number},
          {"source", data_source_json(s.source)},
          {"records", records}};
}

json sample_json(const Sample& sample) {
  if (const auto* flow = std::get_if<FlowSample>(&sample)) {
    return flow_sample_json(*flow);
  }
  if (const auto* counters = std::get_if<CounterSample>(&sample)) {
    return counter_sample_json(*counters);
  }
  const auto& unknown = std::get<UnknownSample>(sample);
  return {{"type", "unknown"}, {"format", format_name(unknown.format)}, {"length", unknown.length}};
}

const char* kind_name(UnknownRecord::Kind kind) {
  switch (kind) {
    case UnknownRecord::Kind::kSample:
      return "sample";
    case UnknownRecord::Kind::kFlowRecord:
      return "flow_record";
    case UnknownRecord::Kind::kCounterRecord:
      return "counter_record";
  }
  return "unknown";
}

}  // namespace

json record_to_json(const FlowRecord& record) { return std::visit(FlowRecordJson{}, record); }

std::string address_to_string(const Address& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  int family = address.type == Address::Type::kIpv6 ? AF_INET6 : AF_INET;
  inet_ntop(family, address.bytes.data(), text.data(), text.size());
  return text.data();
}

json to_json(const Datagram& datagram) {
  json samples = json::array();
  for (const Sample& sample : datagram.samples) {
    samples.push_back(sample_json(sample));
  }
  json unknown = json::array();
  for (const UnknownRecord& record : datagram.unknown) {
    unknown.push_back({{"kind", kind_name(record.kind)},
                       {"sample_index", record.sample_index},
                       {"format", format_name(record.format)},
                       {"length", record.length}});
  }
  return {{"version", datagram.version},
          {"agent", address_to_string(datagram.agent)},
          {"sub_agent_id", datagram.sub_agent_id},
          {"sequence_number", datagram.sequence_number},
          {"uptime_ms", datagram.uptime_ms},
          {"samples", samples},
          {"unknown", unknown}};
}

}  // namespace csflowd::sflow
