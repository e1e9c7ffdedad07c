#include "agent/poll_schedule.h"

namespace csflowd::agent {

PollSchedule::PollSchedule(uint32_t interval_s, uint64_t seed)
    : interval_s_(interval_s), random_(seed) {}

void PollSchedule::add(const sflow::DataSource& source, uint64_t now_s) {
  if (interval_s_ == 0 || due_s_.contains(key(source))) {
    return;
  }
  std::uniform_int_distribution<uint64_t> phase(1, interval_s_);
  due_s_[key(source)] = now_s + phase(random_);
}

void PollSchedule::add_soon(const sflow::DataSource& source, uint64_t now_s) {
  if (interval_s_ != 0) {
    due_s_[key(source)] = now_s + 1;
  }
}

void PollSchedule::remove(const sflow::DataSource& source) { due_s_.erase(key(source)); }

bool PollSchedule::contains(const sflow::DataSource& source) const {
  return due_s_.contains(key(source));
}

std::vector<sflow::DataSource> PollSchedule::take_due(uint64_t now_s) {
  std::vector<sflow::DataSource> due;
  for (auto& [source_key, deadline] : due_s_) {
    if (deadline > now_s) {
      continue;
    }
    due.push_back({static_cast<sflow::DsClass>(source_key >> 32),
                   static_cast<uint32_t>(source_key & 0xFFFFFFFF)});
    // A loop stalled for several intervals polls once, not once per missed interval.
    deadline += ((now_s - deadline) / interval_s_ + 1) * interval_s_;
  }
  return due;
}

}  // namespace csflowd::agent
