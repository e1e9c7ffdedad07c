// Compact text output of decoded sFlow datagrams for csflowd-dump.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "sflow/decoder.h"

namespace csflowd::tools {

// Formats datagrams and remembers the host_descr hostname of every data source seen, so
// later flow samples can show "src=3:123456(web)".
class TextFormatter {
 public:
  // Stores the hostnames found in the datagram's host_descr records.
  void learn_names(const sflow::Datagram& datagram);

  // One header line for the datagram, one line per flow sample, and for each counter
  // sample one line plus one indented line per record. Ends with a newline.
  std::string format(const sflow::Datagram& datagram, const std::string& from) const;

  // "3:123456" or "3:123456(web)" when a hostname is known.
  std::string data_source(const sflow::DataSource& source) const;

 private:
  std::string flow_line(const sflow::FlowSample& sample) const;
  std::string counter_lines(const sflow::CounterSample& sample) const;

  std::map<std::pair<uint32_t, uint32_t>, std::string> names_;
};

// "internal", "unknown", "discard:258", "multiple:3" or the ifIndex.
std::string interface_text(const sflow::InterfaceRef& ref);

// Escapes a string taken from a datagram for the terminal: every byte outside printable ASCII,
// and the backslash, becomes \xNN, the same form the JSON output uses for hostnames.
std::string printable_text(std::string_view text);

// Formats a value that the sender encoded as a 32-bit float with the fewest digits that
// read back as the same float: 2.14, not 2.140000104904175.
std::string float_text(double value);

// Replaces every floating-point number in the JSON with the double nearest to float_text() of
// it, so dump() prints float precision. Every float in the decoded records is a 32-bit float.
void round_to_float_precision(nlohmann::json& json);

}  // namespace csflowd::tools
