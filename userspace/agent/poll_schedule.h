// When each data source's counter sample is due.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "sflow/records.h"

namespace csflowd::agent {

// Keeps one deadline per data source, in whole seconds of agent time. A new data source
// is first due at a random second within one interval, so that polls spread over the
// interval instead of arriving together. After that it is due every interval.
class PollSchedule {
 public:
  explicit PollSchedule(uint32_t interval_s, uint64_t seed = std::random_device{}());

  // Adds a data source (no-op when present or when polling is disabled).
  void add(const sflow::DataSource& source, uint64_t now_s);
  // Adds a data source due at the next second, for one that appeared after start-up.
  void add_soon(const sflow::DataSource& source, uint64_t now_s);
  void remove(const sflow::DataSource& source);
  [[nodiscard]] bool contains(const sflow::DataSource& source) const;
  // Returns the data sources due at now_s and moves their deadlines one interval on.
  std::vector<sflow::DataSource> take_due(uint64_t now_s);
  [[nodiscard]] uint32_t interval_s() const { return interval_s_; }

 private:
  static uint64_t key(const sflow::DataSource& source) {
    return (static_cast<uint64_t>(source.ds_class) << 32) | source.ds_index;
  }
  uint32_t interval_s_;
  std::mt19937_64 random_;
  std::map<uint64_t, uint64_t> due_s_;  // data source key -> next deadline
};

}  // namespace csflowd::agent
