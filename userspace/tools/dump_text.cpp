#include "tools/dump_text.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <variant>

#include "sflow/header_summary.h"

namespace csflowd::tools {
namespace {

using sflow::CounterRecord;
using sflow::FlowRecord;

bool is_printable(unsigned char byte) { return byte >= 0x20 && byte < 0x7F; }

std::string escape_byte(unsigned char byte) {
  std::array<char, 5> escaped{};
  std::snprintf(escaped.data(), escaped.size(), "\\x%02x", byte);
  return escaped.data();
}

// Escapes the bytes outside printable ASCII but keeps backslashes, because record_to_json()
// has already written the strings from the wire in \xNN form.
std::string escape_controls(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    out += is_printable(byte) ? std::string(1, c) : escape_byte(byte);
  }
  return out;
}

std::string value_text(const nlohmann::json& value) {
  if (value.is_string()) return escape_controls(value.get<std::string>());
  if (value.is_number_float()) return float_text(value.get<double>());
  return escape_controls(value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace));
}

// "key=value" pairs of a record's JSON form, without its "type".
std::string fields_text(const nlohmann::json& record) {
  std::string text;
  for (const auto& [key, value] : record.items()) {
    if (key == "type") continue;
    text += " " + key + "=" + value_text(value);
  }
  return text;
}

}  // namespace

std::string printable_text(std::string_view text) { return sflow::printable(text); }

std::string float_text(double value) {
  std::array<char, 32> digits{};
  auto [end, error] =
      std::to_chars(digits.data(), digits.data() + digits.size(), static_cast<float>(value));
  if (error != std::errc()) return std::to_string(value);
  return std::string(digits.data(), end);
}

void round_to_float_precision(nlohmann::json& json) {
  if (json.is_number_float()) {
    double value = json.get<double>();
    if (std::isfinite(value)) json = std::strtod(float_text(value).c_str(), nullptr);
    return;
  }
  if (json.is_structured()) {
    for (auto& item : json) round_to_float_precision(item);
  }
}

std::string interface_text(const sflow::InterfaceRef& ref) {
  switch (ref.format) {
    case 0:
      if (ref.value == sflow::kInternalInterface) return "internal";
      if (ref.value == 0) return "unknown";
      return std::to_string(ref.value);
    case 1:
      return "discard:" + std::to_string(ref.value);
    case 2:
      return "multiple:" + std::to_string(ref.value);
    default:
      return std::to_string(ref.format) + ":" + std::to_string(ref.value);
  }
}

void TextFormatter::learn_names(const sflow::Datagram& datagram) {
  for (const sflow::Sample& sample : datagram.samples) {
    const auto* counters = std::get_if<sflow::CounterSample>(&sample);
    if (counters == nullptr) continue;
    for (const CounterRecord& record : counters->records) {
      if (const auto* descr = std::get_if<sflow::HostDescr>(&record)) {
        auto key = std::make_pair(static_cast<uint32_t>(counters->source.ds_class),
                                  counters->source.ds_index);
        names_[key] = descr->hostname;
      }
    }
  }
}

std::string TextFormatter::data_source(const sflow::DataSource& source) const {
  auto key = std::make_pair(static_cast<uint32_t>(source.ds_class), source.ds_index);
  std::string text = std::to_string(key.first) + ":" + std::to_string(key.second);
  auto it = names_.find(key);
  if (it != names_.end() && !it->second.empty()) {
    text += "(" + printable_text(it->second) + ")";
  }
  return text;
}

std::string TextFormatter::flow_line(const sflow::FlowSample& s) const {
  std::string line =
      "  flow src=" + data_source(s.source) + " seq=" + std::to_string(s.sequence_number) +
      " rate=" + std::to_string(s.sampling_rate) + " pool=" + std::to_string(s.sample_pool) +
      " drops=" + std::to_string(s.drops) + " in=" + interface_text(s.input) +
      " out=" + interface_text(s.output);
  for (const FlowRecord& record : s.records) {
    if (const auto* header = std::get_if<sflow::SampledHeader>(&record)) {
      line += " frame_length=" + std::to_string(header->frame_length) + " ";
      line += header->header_protocol == 1
                  ? sflow::format_summary(sflow::summarize_header(header->header))
                  : "header_protocol=" + std::to_string(header->header_protocol);
    } else if (const auto* entities = std::get_if<sflow::ExtendedEntities>(&record)) {
      line +=
          " entities=" + data_source(entities->source) + ">" + data_source(entities->destination);
    } else if (const auto* sw = std::get_if<sflow::ExtendedSwitch>(&record)) {
      line += " switch_vlan=" + std::to_string(sw->src_vlan) + ">" + std::to_string(sw->dst_vlan);
    } else if (const auto* ts = std::get_if<sflow::ExtendedTimestamp>(&record)) {
      line += " timestamp_ns=" + std::to_string(ts->nanoseconds);
    }
  }
  return line + "\n";
}

std::string TextFormatter::counter_lines(const sflow::CounterSample& s) const {
  std::string text = "  counters src=" + data_source(s.source) +
                     " seq=" + std::to_string(s.sequence_number) +
                     " records=" + std::to_string(s.records.size()) + "\n";
  for (const CounterRecord& record : s.records) {
    auto json = sflow::record_to_json(record);
    text += "    " + json["type"].get<std::string>() + fields_text(json) + "\n";
  }
  return text;
}

std::string TextFormatter::format(const sflow::Datagram& d, const std::string& from) const {
  std::string text = "datagram from=" + from + " agent=" + sflow::address_to_string(d.agent) +
                     " sub_agent=" + std::to_string(d.sub_agent_id) +
                     " seq=" + std::to_string(d.sequence_number) +
                     " uptime_ms=" + std::to_string(d.uptime_ms) +
                     " samples=" + std::to_string(d.samples.size()) + "\n";
  for (const sflow::Sample& sample : d.samples) {
    if (const auto* flow = std::get_if<sflow::FlowSample>(&sample)) {
      text += flow_line(*flow);
    } else if (const auto* counters = std::get_if<sflow::CounterSample>(&sample)) {
      text += counter_lines(*counters);
    } else {
      const auto& unknown = std::get<sflow::UnknownSample>(sample);
      text += "  unknown sample format=" + std::to_string(unknown.format) +
              " length=" + std::to_string(unknown.length) + "\n";
    }
  }
  for (const sflow::UnknownRecord& record : d.unknown) {
    if (record.kind == sflow::UnknownRecord::Kind::kSample) continue;
    text += "  skipped record " + std::to_string(record.format >> 12) + ":" +
            std::to_string(record.format & 0xFFF) + " length=" + std::to_string(record.length) +
            " in sample " + std::to_string(record.sample_index) + "\n";
  }
  return text;
}

}  // namespace csflowd::tools
