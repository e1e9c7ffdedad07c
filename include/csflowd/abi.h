/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records and map layouts shared by the BPF sampler (bpf/sampler.bpf.c) and the
 * csflowd daemon. This header is the only definition of them: both sides include it,
 * and tests/unit/abi_test.cpp pins every offset with static_assert.
 */
#ifndef CSFLOWD_ABI_H
#define CSFLOWD_ABI_H

#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a layout below changes. The daemon refuses an object built for another. */
#define CSFLOWD_ABI_VERSION 2

/* Largest number of frame bytes a sample can carry (sFlow headerBytes limit). */
#define CSFLOWD_MAX_HEADER_BYTES 256

/* Direction of a packet relative to the interface that the program is attached to. */
enum csflowd_direction {
	CSFLOWD_DIR_INGRESS = 0, /* received by the interface (tc ingress) */
	CSFLOWD_DIR_EGRESS = 1,	 /* sent by the interface (tc egress) */
};

/* csflowd_sample.flags bits. */
#define CSFLOWD_SAMPLE_F_VLAN                                                                      \
	0x1 /* vlan_tci holds a tag that the kernel removed from the frame                         \
	     */

/* Key of the per-CPU sampler state map "if_stats": one entry per interface and direction. */
struct csflowd_sampler_key {
	__u32 ifindex;	 /* interface in the daemon's network namespace */
	__u32 direction; /* enum csflowd_direction */
};

/*
 * Value of "if_stats", one copy per CPU. The daemon creates an interface's entries with the
 * same sampling_rate in every copy, and an entry's presence makes the interface sampled.
 * The program only updates the counters, so one lookup per packet finds rate and counters.
 * The daemon sums pool and drops over all CPUs and both directions to get sFlow's
 * sample_pool and drops.
 */
struct csflowd_sampler_stats {
	__u64 pool;	     /* packets seen by the hook (sFlow sample_pool) */
	__u64 samples;	     /* packets selected for sampling */
	__u64 drops;	     /* selected packets lost because the ring buffer was full */
	__u32 countdown;     /* packets left before the next sample; 0 = draw a new skip */
	__u32 sampling_rate; /* take 1 packet in N on average; 1 = every packet, 0 = none */
};

/*
 * Ring buffer record for one sampled packet. The record is followed by header_length
 * bytes of the frame, starting at the MAC header. The ring slot is sized for the
 * configured header bytes, so header[] is a flexible array.
 */
struct csflowd_sample {
	__u64 timestamp_ns;    /* bpf_ktime_get_ns() at the hook (CLOCK_MONOTONIC) */
	__u32 ifindex;	       /* interface whose hook took the sample */
	__u32 ingress_ifindex; /* skb->ingress_ifindex: where the packet entered the host, or 0 */
	__u32 frame_length;    /* skb->len: bytes from the MAC header on, without the FCS */
	__u32 sampling_rate;   /* the N that applied when this packet was selected */
	__u16 header_length;   /* bytes of header[] that hold frame data */
	__u16 gso_segs;	       /* skb->gso_segs: segments in a GSO/GRO super-frame, else 0 or 1 */
	__u16 vlan_tci;	       /* stripped 802.1Q TCI when flags has CSFLOWD_SAMPLE_F_VLAN */
	__u8 direction;	       /* enum csflowd_direction */
	__u8 flags;	       /* CSFLOWD_SAMPLE_F_* */
	__u8 header[];	       /* first header_length bytes of the frame */
};

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CSFLOWD_ABI_H */
