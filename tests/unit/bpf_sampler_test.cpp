// Runs the tc sampler programs on crafted frames with BPF_PROG_TEST_RUN and checks the
// ring-buffer records and per-CPU counters. Needs root (CAP_BPF, CAP_NET_ADMIN).
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/pkt_cls.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "datapath/sampler.h"
#include "support/frames.h"

namespace csflowd::datapath {
namespace {

// BPF_PROG_TEST_RUN gives the skb the loopback device when the context names none.
constexpr int kLoopbackIfindex = 1;

std::vector<uint8_t> make_frame(size_t size) { return test_support::make_udp_frame(size); }

class BpfSamplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      GTEST_SKIP() << "needs root to load BPF programs";
    }
  }

  void load(SamplerOptions options = {}) {
    auto loaded = Sampler::load(options);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    sampler_ = std::move(loaded.value());
    auto status = sampler_->set_sample_handler([this](const SampleView& view) {
      records_.push_back(*view.record);
      headers_.emplace_back(view.header.begin(), view.header.end());
    });
    ASSERT_TRUE(status.ok()) << status.error().message();
  }

  // Runs one program `repeat` times on the frame and checks it let the packet through.
  void run(bool egress, const std::vector<uint8_t>& frame, uint32_t repeat = 1) {
    int fd = egress ? sampler_->egress_program_fd() : sampler_->ingress_program_fd();
    std::vector<uint8_t> out(frame.size() + 256);
    bpf_test_run_opts opts{};
    opts.sz = sizeof(opts);
    opts.data_in = frame.data();
    opts.data_size_in = static_cast<uint32_t>(frame.size());
    opts.data_out = out.data();
    opts.data_size_out = static_cast<uint32_t>(out.size());
    opts.repeat = repeat;
    ASSERT_EQ(bpf_prog_test_run_opts(fd, &opts), 0) << std::strerror(errno);
    EXPECT_EQ(static_cast<int>(opts.retval), TC_ACT_UNSPEC);
    ASSERT_EQ(opts.data_size_out, frame.size());
    EXPECT_EQ(0, std::memcmp(out.data(), frame.data(), frame.size())) << "frame was changed";
  }

  SamplerCounters counters() {
    auto result = sampler_->read_counters(kLoopbackIfindex);
    EXPECT_TRUE(result.ok()) << result.error().message();
    return result.ok() ? *result : SamplerCounters{};
  }

  size_t drain() {
    auto consumed = sampler_->consume();
    EXPECT_TRUE(consumed.ok()) << consumed.error().message();
    return records_.size();
  }

  std::unique_ptr<Sampler> sampler_;
  std::vector<csflowd_sample> records_;
  std::vector<std::vector<uint8_t>> headers_;
};

TEST_F(BpfSamplerTest, RateOneSamplesEveryFrame) {
  load();
  ASSERT_TRUE(sampler_->set_rate(kLoopbackIfindex, 1).ok());
  auto frame = make_frame(100);
  for (int i = 0; i < 10; ++i) {
    run(false, frame);
  }
  for (int i = 0; i < 5; ++i) {
    run(true, frame);
  }
  EXPECT_EQ(drain(), 15U);
  SamplerCounters sum = counters();
  EXPECT_EQ(sum.pool, 15U);
  EXPECT_EQ(sum.samples, 15U);
  EXPECT_EQ(sum.drops, 0U);
}

TEST_F(BpfSamplerTest, RecordDescribesFrame) {
  load();
  ASSERT_TRUE(sampler_->set_rate(kLoopbackIfindex, 1).ok());
  auto frame = make_frame(100);
  run(true, frame);
  ASSERT_EQ(drain(), 1U);
  const csflowd_sample& record = records_[0];
  EXPECT_EQ(record.ifindex, static_cast<uint32_t>(kLoopbackIfindex));
  EXPECT_EQ(record.frame_length, 100U);
  EXPECT_EQ(record.header_length, 100U);
  EXPECT_EQ(record.sampling_rate, 1U);
  EXPECT_EQ(record.direction, CSFLOWD_DIR_EGRESS);
  EXPECT_EQ(record.flags, 0);
  EXPECT_GT(record.timestamp_ns, 0U);
  EXPECT_EQ(headers_[0], frame);
}

TEST_F(BpfSamplerTest, HeaderTruncatedAtConfiguredBytes) {
  load(SamplerOptions{.header_bytes = 64});
  ASSERT_TRUE(sampler_->set_rate(kLoopbackIfindex, 1).ok());
  auto frame = make_frame(1000);
  run(false, frame);
  ASSERT_EQ(drain(), 1U);
  EXPECT_EQ(records_[0].frame_length, 1000U);
  EXPECT_EQ(records_[0].header_length, 64U);
  EXPECT_EQ(records_[0].direction, CSFLOWD_DIR_INGRESS);
  EXPECT_EQ(headers_[0], std::vector<uint8_t>(frame.begin(), frame.begin() + 64));
}

TEST_F(BpfSamplerTest, MaximumHeaderBytes) {
  load(SamplerOptions{.header_bytes = CSFLOWD_MAX_HEADER_BYTES});
  ASSERT_TRUE(sampler_->set_rate(kLoopbackIfindex, 1).ok());
  auto frame = make_frame(1500);
  run(false, frame);
  ASSERT_EQ(drain(), 1U);
  EXPECT_EQ(records_[0].header_length, CSFLOWD_MAX_HEADER_BYTES);
  EXPECT_EQ(headers_[0], std::vector<uint8_t>(frame.begin(), frame.begin() + 256));
}

TEST_F(BpfSamplerTest, UnconfiguredInterfaceIsIgnored) {
  load();
  run(false, make_frame(80));
  EXPECT_EQ(drain(), 0U);
  EXPECT_FALSE(sampler_->read_counters(kLoopbackIfindex).ok());
}

TEST_F(BpfSamplerTest, RateZeroCountsButNeverSamples) {
  load();
  ASSERT_TRUE(sampler_->set_rate(kLoopbackIfindex, 0).ok());
  run(false, make_frame(80), 500);
  EXPECT_EQ(drain(), 0U);
  EXPECT_EQ(counters().pool, 500U);
  EXPECT_EQ(counters().samples, 0U);
}

TEST_F(BpfSamplerTest, FullRingBufferCountsDrops) {
  // One page of ring has room for about 20 records of 128 + 32 bytes (+ 8 of ring header).
  load(SamplerOptions{.header_bytes = 128, .ring_bytes = static_cast<uint32_t>(getpagesize())});
  ASSERT_TRUE(sampler_->set_rate(kLoopbackIfindex, 1).ok());
  run(false, make_frame(200), 100);
  size_t received = drain();
  SamplerCounters sum = counters();
  EXPECT_EQ(sum.pool, 100U);
  EXPECT_EQ(sum.samples, 100U);
  EXPECT_GT(sum.drops, 0U);
  EXPECT_LT(received, 100U);
  EXPECT_EQ(received + sum.drops, 100U) << "every selected packet is either received or a drop";
}

TEST_F(BpfSamplerTest, RateNSamplesNearOneInN) {
  load();
  constexpr uint32_t kRate = 50;
  constexpr uint32_t kFrames = 100000;
  ASSERT_TRUE(sampler_->set_rate(kLoopbackIfindex, kRate).ok());
  run(false, make_frame(64), kFrames);
  size_t received = drain();
  SamplerCounters sum = counters();
  EXPECT_EQ(sum.pool, kFrames);
  EXPECT_EQ(sum.drops, 0U);
  EXPECT_EQ(sum.samples, received);
  // Skips are uniform on 1..2N-1 (mean N, variance about N^2/3), so over kFrames packets the
  // count is near kFrames/N = 2000 with a standard deviation of about
  // sqrt(kFrames/N * 1/3) = 26. Five deviations either way keeps false failures negligible.
  EXPECT_NEAR(static_cast<double>(received), kFrames / kRate, 5 * 26.0);
  for (const auto& record : records_) {
    ASSERT_EQ(record.sampling_rate, kRate);
  }
}

TEST_F(BpfSamplerTest, ForgetStopsSampling) {
  load();
  ASSERT_TRUE(sampler_->set_rate(kLoopbackIfindex, 1).ok());
  run(false, make_frame(80));
  ASSERT_TRUE(sampler_->forget(kLoopbackIfindex).ok());
  run(false, make_frame(80));
  EXPECT_EQ(drain(), 1U);
  EXPECT_FALSE(sampler_->read_counters(kLoopbackIfindex).ok());
}

TEST_F(BpfSamplerTest, SetRateAgainRestartsCounters) {
  load();
  ASSERT_TRUE(sampler_->set_rate(kLoopbackIfindex, 1).ok());
  run(false, make_frame(80), 10);
  ASSERT_EQ(counters().pool, 10U);
  ASSERT_TRUE(sampler_->set_rate(kLoopbackIfindex, 0).ok());
  EXPECT_EQ(counters().pool, 0U);
  run(false, make_frame(80), 10);
  EXPECT_EQ(counters().pool, 10U);
  EXPECT_EQ(counters().samples, 0U) << "rate 0 from the second call on";
}

TEST(SamplerOptions, RejectsBadSizes) {
  EXPECT_FALSE(Sampler::load(SamplerOptions{.header_bytes = 0}).ok());
  EXPECT_FALSE(Sampler::load(SamplerOptions{.header_bytes = 257}).ok());
  EXPECT_FALSE(Sampler::load(SamplerOptions{.header_bytes = 128, .ring_bytes = 5000}).ok());
}

}  // namespace
}  // namespace csflowd::datapath
