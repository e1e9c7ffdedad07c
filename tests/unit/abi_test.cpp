// Pins the layout of the records shared with the BPF sampler. A failure here means the
// ABI changed: update both sides and bump CSFLOWD_ABI_VERSION.
#include <gtest/gtest.h>

#include <cstddef>

#include "csflowd/abi.h"

static_assert(CSFLOWD_ABI_VERSION == 2);
static_assert(CSFLOWD_MAX_HEADER_BYTES == 256);

static_assert(sizeof(csflowd_sampler_key) == 8);
static_assert(offsetof(csflowd_sampler_key, ifindex) == 0);
static_assert(offsetof(csflowd_sampler_key, direction) == 4);

static_assert(sizeof(csflowd_sampler_stats) == 32);
static_assert(offsetof(csflowd_sampler_stats, pool) == 0);
static_assert(offsetof(csflowd_sampler_stats, samples) == 8);
static_assert(offsetof(csflowd_sampler_stats, drops) == 16);
static_assert(offsetof(csflowd_sampler_stats, countdown) == 24);
static_assert(offsetof(csflowd_sampler_stats, sampling_rate) == 28);

static_assert(sizeof(csflowd_sample) == 32);
static_assert(offsetof(csflowd_sample, timestamp_ns) == 0);
static_assert(offsetof(csflowd_sample, ifindex) == 8);
static_assert(offsetof(csflowd_sample, ingress_ifindex) == 12);
static_assert(offsetof(csflowd_sample, frame_length) == 16);
static_assert(offsetof(csflowd_sample, sampling_rate) == 20);
static_assert(offsetof(csflowd_sample, header_length) == 24);
static_assert(offsetof(csflowd_sample, gso_segs) == 26);
static_assert(offsetof(csflowd_sample, vlan_tci) == 28);
static_assert(offsetof(csflowd_sample, direction) == 30);
static_assert(offsetof(csflowd_sample, flags) == 31);
static_assert(offsetof(csflowd_sample, header) == 32);

TEST(Abi, DirectionValues) {
  EXPECT_EQ(CSFLOWD_DIR_INGRESS, 0);
  EXPECT_EQ(CSFLOWD_DIR_EGRESS, 1);
}

TEST(Abi, RecordAlignment) {
  // The ring buffer hands out 8-byte aligned slots; the fixed part must keep header[]
  // at an offset the BPF side can write without padding surprises.
  EXPECT_EQ(alignof(csflowd_sample), 8U);
  EXPECT_EQ(sizeof(csflowd_sample) % 8, 0U);
}
