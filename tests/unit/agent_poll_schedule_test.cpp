#include <gtest/gtest.h>

#include "agent/poll_schedule.h"

namespace csflowd::agent {
namespace {

constexpr sflow::DataSource kInterface{sflow::DsClass::kIfIndex, 7};

TEST(PollSchedule, FirstPollWithinOneInterval) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    PollSchedule schedule(30, seed);
    schedule.add(kInterface, 100);
    EXPECT_TRUE(schedule.take_due(100).empty()) << "never due in the second it was added";
    uint64_t first = 0;
    for (uint64_t now = 101; now <= 130 && first == 0; ++now) {
      if (!schedule.take_due(now).empty()) {
        first = now;
      }
    }
    EXPECT_GE(first, 101U);
    EXPECT_LE(first, 130U);
  }
}

TEST(PollSchedule, ThenEveryInterval) {
  PollSchedule schedule(10, 1);
  schedule.add(kInterface, 0);
  std::vector<uint64_t> polls;
  for (uint64_t now = 0; now <= 60; ++now) {
    if (!schedule.take_due(now).empty()) {
      polls.push_back(now);
    }
  }
  ASSERT_GE(polls.size(), 5U);
  for (size_t i = 1; i < polls.size(); ++i) {
    EXPECT_EQ(polls[i] - polls[i - 1], 10U);
  }
}

TEST(PollSchedule, StalledLoopPollsOnce) {
  PollSchedule schedule(5, 1);
  schedule.add(kInterface, 0);
  EXPECT_EQ(schedule.take_due(100).size(), 1U);
  EXPECT_TRUE(schedule.take_due(100).empty());
}

TEST(PollSchedule, ZeroIntervalDisablesPolling) {
  PollSchedule schedule(0, 1);
  schedule.add(kInterface, 0);
  EXPECT_FALSE(schedule.contains(kInterface));
  EXPECT_TRUE(schedule.take_due(1000).empty());
}

TEST(PollSchedule, RemoveStopsPolls) {
  PollSchedule schedule(2, 1);
  schedule.add(kInterface, 0);
  schedule.add(sflow::kHostDataSource, 0);
  schedule.remove(kInterface);
  auto due = schedule.take_due(10);
  ASSERT_EQ(due.size(), 1U);
  EXPECT_EQ(due[0], sflow::kHostDataSource);
}

}  // namespace
}  // namespace csflowd::agent
