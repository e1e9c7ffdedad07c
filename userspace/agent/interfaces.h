// The interfaces csflowd samples: which ones, their sFlow state and their counters.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datapath/sampler.h"
#include "datapath/tc_attach.h"
#include "net/link.h"
#include "sflow/records.h"

namespace csflowd::agent {

// Returns true when the interface should be sampled: it matches one of the glob
// patterns, or, with no patterns, it is a container's host-side veth, docker0 or a br-*
// bridge.
bool is_selected(const net::Link& link, const std::vector<std::string>& patterns);

// Speed and duplex of an interface, as ethtool reports them through sysfs.
struct LinkSpeed {
  uint64_t bits_per_second = 0;  // 0 = unknown
  uint32_t direction = 0;        // sFlow ifDirection: 0 unknown, 1 full, 2 half
};

// Reads /sys/class/net/<name>/speed and duplex under sys_root; unknown values stay 0.
LinkSpeed read_link_speed(const std::string& sys_root, const std::string& name);

// Builds if_counters from the interface's own statistics (rx = received by it).
sflow::IfCounters make_if_counters(const net::Link& link, const LinkSpeed& speed);

// One sampled interface and its sFlow data source (0, ifindex).
struct WatchedInterface {
  WatchedInterface(net::Link link_in, uint32_t rate_in, datapath::TcAttachment attachment_in)
      : link(std::move(link_in)), rate(rate_in), attachment(std::move(attachment_in)) {}

  net::Link link;
  uint32_t rate = 0;
  datapath::TcAttachment attachment;
  uint32_t flow_sequence = 0;
  uint32_t counter_sequence = 0;
  datapath::SamplerCounters counters;  // cached per ring-buffer batch
  uint64_t counters_batch = 0;         // batch number the cache was read in
  uint64_t samples_received = 0;       // ring records received for this interface
};

}  // namespace csflowd::agent
