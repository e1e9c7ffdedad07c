// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tc packet sampler. Attached to ingress and egress of each watched interface, it
 * counts every packet in a per-CPU pool and sends 1 packet in N (on average) to
 * user space through a ring buffer. A selected packet that finds the ring buffer
 * full is counted as a drop. Packets always continue unchanged.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "csflowd/abi.h"

/* Frame bytes copied into each sample; set by the loader before the object loads. */
const volatile __u32 header_bytes = 128;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct csflowd_sampler_key);
	__type(value, struct csflowd_sampler_stats);
} if_stats SEC(".maps");

/* The loader sets the size; 1 MiB has room for about 6000 samples of 128 frame bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} samples SEC(".maps");

/* Draws a skip uniformly from 1..2N-1, whose mean is N. */
static __always_inline __u32 draw_skip(__u32 rate)
{
	if (rate <= 1)
		return 1;
	return 1 + bpf_get_prandom_u32() % (2 * rate - 1);
}

/* Returns 1 when this packet is selected, and counts it in the pool either way. */
static __always_inline int count_and_select(struct csflowd_sampler_stats *stats, __u32 rate)
{
	stats->pool++;
	if (rate == 0)
		return 0;
	if (stats->countdown == 0 || stats->countdown > 2 * rate)
		stats->countdown = draw_skip(rate);
	if (--stats->countdown > 0)
		return 0;
	stats->countdown = draw_skip(rate);
	stats->samples++;
	return 1;
}

/* Copies the first bytes of the frame into dst and returns how many were copied. */
static __always_inline __u32 copy_header(struct __sk_buff *skb, __u8 *dst)
{
	__u32 length = skb->len < header_bytes ? skb->len : header_bytes;
	/* The helper's size must be provably 1..header_bytes. A 64-bit last avoids a
	 * zero-extended copy that loses the bounds, and the empty asm hides that
	 * last + 1 == length, so clang cannot pass the unchecked length instead. */
	__u64 last = (__u64)length - 1;

	asm volatile("" : "+r"(last));
	if (last >= header_bytes || last >= CSFLOWD_MAX_HEADER_BYTES)
		return 0;
	if (bpf_skb_load_bytes(skb, 0, dst, last + 1) < 0)
		return 0;
	return last + 1;
}

static __always_inline void emit_sample(struct __sk_buff *skb, struct csflowd_sampler_stats *stats,
					__u32 rate, __u8 direction)
{
	struct csflowd_sample *rec;

	rec = bpf_ringbuf_reserve(&samples, sizeof(*rec) + header_bytes, 0);
	if (!rec) {
		stats->drops++;
		return;
	}
	rec->timestamp_ns = bpf_ktime_get_ns();
	rec->ifindex = skb->ifindex;
	rec->ingress_ifindex = skb->ingress_ifindex;
	rec->frame_length = skb->len;
	rec->sampling_rate = rate;
	rec->gso_segs = skb->gso_segs;
	rec->direction = direction;
	rec->flags = skb->vlan_present ? CSFLOWD_SAMPLE_F_VLAN : 0;
	rec->vlan_tci = skb->vlan_present ? skb->vlan_tci : 0;
	rec->header_length = copy_header(skb, rec->header);
	bpf_ringbuf_submit(rec, 0);
}

static __always_inline int sample_packet(struct __sk_buff *skb, __u8 direction)
{
	struct csflowd_sampler_key key = {.ifindex = skb->ifindex, .direction = direction};
	struct csflowd_sampler_stats *stats;

	/* No entry: the daemon does not sample this interface (or stopped a moment ago). */
	stats = bpf_map_lookup_elem(&if_stats, &key);
	if (!stats)
		return TC_ACT_UNSPEC;
	if (count_and_select(stats, stats->sampling_rate))
		emit_sample(skb, stats, stats->sampling_rate, direction);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int sflow_ingress(struct __sk_buff *skb)
{
	return sample_packet(skb, CSFLOWD_DIR_INGRESS);
}

SEC("tc")
int sflow_egress(struct __sk_buff *skb)
{
	return sample_packet(skb, CSFLOWD_DIR_EGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
