#!/usr/bin/env python3
"""Checks the flow samples that csflowd-dump --json printed against the known traffic.

The traffic is `ping -c PINGS` from container A to container B, sampled on both host-side
veths. Every check prints its expected and actual values; the exit status is 1 when any
check fails. Frames are parsed here from the sampled header bytes, independently of the
decoder's own summary.
"""

import argparse
import json
import math
import sys
from collections import Counter

ETHERTYPE_IPV4 = 0x0800
IPPROTO_ICMP = 1
ICMP_ECHO_REPLY = 0
ICMP_ECHO_REQUEST = 8
FCS_BYTES = 4
ETHERNET_HEADER_BYTES = 14


class Checker:
    def __init__(self):
        self.failures = 0

    def check(self, name, expected, actual, ok=None):
        passed = (expected == actual) if ok is None else ok
        status = "ok  " if passed else "FAIL"
        print(f"{status} {name}: expected {expected}, actual {actual}")
        if not passed:
            self.failures += 1
        return passed


def parse_veth(text):
    """Parses ROLE=IFINDEX:POOL_DELTA, e.g. a=12:2003."""
    role, rest = text.split("=", 1)
    ifindex, delta = rest.split(":", 1)
    return role, int(ifindex), int(delta)


def read_datagrams(path):
    datagrams = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line:
                continue
            try:
                datagrams.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}:{number}: not JSON ({error}): {line[:200]}")
    return datagrams


def parse_ipv4(header_hex):
    """Returns (icmp type, icmp sequence, IPv4 total length) of an Ethernet/IPv4 frame.

    Type and sequence are None for IPv4 that is not ICMP echo; returns None for non-IPv4.
    """
    frame = bytes.fromhex(header_hex)
    if len(frame) < ETHERNET_HEADER_BYTES + 20:
        return None
    if int.from_bytes(frame[12:14], "big") != ETHERTYPE_IPV4:
        return None
    ip = frame[ETHERNET_HEADER_BYTES:]
    ihl = (ip[0] & 0x0F) * 4
    total_length = int.from_bytes(ip[2:4], "big")
    icmp = ip[ihl:]
    if ip[9] != IPPROTO_ICMP or len(icmp) < 8 or icmp[0] not in (ICMP_ECHO_REQUEST,
                                                                  ICMP_ECHO_REPLY):
        return (None, None, total_length)
    return (icmp[0], int.from_bytes(icmp[6:8], "big"), total_length)


def flow_samples(datagrams):
    for datagram in datagrams:
        for sample in datagram.get("samples", []):
            if sample.get("type") == "flow_sample":
                yield sample


def direction_of(sample):
    """Ingress when the data source is the input interface, egress when it is the output."""
    index = sample["source"]["index"]
    is_input = sample["input"]["format"] == 0 and sample["input"]["value"] == index
    is_output = sample["output"]["format"] == 0 and sample["output"]["value"] == index
    if is_input == is_output:
        return "unknown"
    return "ingress" if is_input else "egress"


def sampled_header(sample):
    for record in sample.get("records", []):
        if record.get("type") == "sampled_header":
            return record
    return None


def check_datagram_sequence(checker, datagrams):
    """The collector got every datagram: sequence numbers run 1, 2, 3 ... with no gap."""
    numbers = [d["sequence_number"] for d in datagrams]
    checker.check("datagram count > 0", True, len(numbers) > 0)
    if numbers:
        expected = list(range(numbers[0], numbers[0] + len(numbers)))
        checker.check("datagram sequence numbers contiguous from first",
                      f"{numbers[0]}..{expected[-1]}", f"{numbers[0]}..{numbers[-1]}",
                      ok=numbers == expected)
        checker.check("first datagram sequence number", 1, numbers[0])


def check_per_sample(checker, samples, rate):
    wrong_rate = [s["sampling_rate"] for s in samples if s["sampling_rate"] != rate]
    checker.check("samples with a sampling_rate other than the configured one", 0,
                  len(wrong_rate))
    nonzero_drops = [s["drops"] for s in samples if s["drops"] != 0]
    checker.check("samples with drops != 0", 0, len(nonzero_drops))
    bad_length = []
    for sample in samples:
        header = sampled_header(sample)
        if header is None:
            bad_length.append("no sampled_header")
            continue
        parsed = parse_ipv4(header["header"])
        if parsed is None:
            continue
        expected = parsed[2] + ETHERNET_HEADER_BYTES + FCS_BYTES
        if header["frame_length"] != expected or header["stripped"] != FCS_BYTES:
            bad_length.append((header["frame_length"], header["stripped"], expected))
    checker.check("IPv4 samples whose frame_length != ip.len + 18 or stripped != 4", 0,
                  len(bad_length))
    if bad_length:
        print(f"     first mismatches (frame_length, stripped, expected): {bad_length[:5]}")


def check_flow_sequence(checker, samples, ifindex, role):
    """Flow sample sequence numbers of one data source run 1, 2, 3 ... with no gap."""
    numbers = [s["sequence_number"] for s in samples]
    expected = list(range(1, len(numbers) + 1))
    checker.check(f"veth {role}: flow sample sequence numbers 1..N", f"1..{len(numbers)}",
                  f"{numbers[:1]}..{numbers[-1:]}", ok=numbers == expected)


def count_icmp(samples):
    counts = Counter()
    for sample in samples:
        header = sampled_header(sample)
        parsed = parse_ipv4(header["header"]) if header else None
        if parsed and parsed[0] is not None:
            counts[(parsed[0], direction_of(sample))] += 1
    return counts


def check_pool_positions(checker, role, samples, pool_delta, first_seq):
    """Each sample_pool counts every packet up to and including the sampled one.

    The test pings every 5 ms and the RTT is ~0.1 ms, so reply k-1 is back before request k
    leaves. On either veth the ICMP packets come in the order request 0, reply 0, request 1,
    ... and echo k is ICMP packet number 2k + 1 (request) or 2k + 2 (reply); other packets
    (ARP) only push that position further. csflowd reads the per-CPU pool counters when it
    encodes a sample, a little after the packet. So the pool may be larger than the position
    but never smaller. It also never decreases from one sample to the next and never exceeds
    the rx+tx delta of the veth. An estimated pool (samples * rate, as hsflowd reports) falls
    below the position for about half the samples at any rate > 1.
    """
    below = []
    for sample in samples:
        header = sampled_header(sample)
        parsed = parse_ipv4(header["header"]) if header else None
        if not parsed or parsed[0] is None:
            continue
        k = parsed[1] - first_seq
        position = 2 * k + (1 if parsed[0] == ICMP_ECHO_REQUEST else 2)
        if sample["sample_pool"] < position:
            below.append((sample["sample_pool"], position))
    checker.check(f"veth {role}: ICMP samples whose sample_pool < their packet position", 0,
                  len(below))
    if below:
        print(f"     first (sample_pool, position): {below[:5]}")
    pools = [s["sample_pool"] for s in samples]
    decreasing = sum(1 for x, y in zip(pools, pools[1:]) if y < x)
    checker.check(f"veth {role}: sample_pool decreases between samples", 0, decreasing)
    too_big = [p for p in pools if p > pool_delta]
    checker.check(f"veth {role}: sample_pool values above the rx+tx delta {pool_delta}", 0,
                  len(too_big))


# Where each ICMP message of `ping A->B` crosses the host-side veths. The request leaves
# container A (A's veth ingress) and enters B (B's veth egress). The reply goes back.
EXPECTED_ICMP_PATH = {
    "a": {(ICMP_ECHO_REQUEST, "ingress"), (ICMP_ECHO_REPLY, "egress")},
    "b": {(ICMP_ECHO_REQUEST, "egress"), (ICMP_ECHO_REPLY, "ingress")},
}


# Packets the kernel may count on a veth outside csflowd's lifetime: an ARP request and reply
# on each side of the attached period, with room for one retry each.
ARP_OUTSIDE_CSFLOWD_SLACK = 6


def check_exact(checker, role, samples, counts, pool_delta, pings):
    for key in sorted(EXPECTED_ICMP_PATH[role]):
        name = "request" if key[0] == ICMP_ECHO_REQUEST else "reply"
        checker.check(f"veth {role}: ICMP echo {name} samples on {key[1]}", pings, counts[key])
    stray = {k: v for k, v in counts.items() if k not in EXPECTED_ICMP_PATH[role]}
    checker.check(f"veth {role}: ICMP samples in an unexpected direction", {}, stray)
    last_pool = samples[-1]["sample_pool"] if samples else 0
    checker.check(f"veth {role}: last sample_pool == number of samples (rate 1)", len(samples),
                  last_pool)
    # The kernel's rx+tx delta also counts packets (ARP) sent or received between the test's
    # read of `ip -s link` and csflowd's attach, or between its detach and the second read.
    # csflowd is not attached then, so the delta may exceed the pool by a few packets. The check
    # above already proves that the pool counts exactly the packets seen while attached.
    low, high = last_pool, last_pool + ARP_OUTSIDE_CSFLOWD_SLACK
    checker.check(f"veth {role}: rx+tx packet delta of ip -s link within last sample_pool "
                  f"+ {ARP_OUTSIDE_CSFLOWD_SLACK}", f"[{low}, {high}]", pool_delta,
                  ok=low <= pool_delta <= high)


def check_statistical(checker, role, samples, counts, pool_delta, rate):
    """At 1-in-N, the sample count of a veth is within 5 standard deviations of pool/N.

    The sampler may draw independently per packet (binomial) or draw a random skip between
    samples (geometric gaps). Either way the number of samples out of P packets has mean P/N
    and variance at most P * (1/N) * (1 - 1/N), because a random skip count has less
    variance than independent draws.
    A 5-sigma band is exceeded by chance with a probability below 1e-6 per check, so a
    failure means a biased sampler, not bad luck.
    """
    probability = 1.0 / rate
    mean = pool_delta * probability
    sigma = math.sqrt(pool_delta * probability * (1 - probability))
    low, high = mean - 5 * sigma, mean + 5 * sigma
    checker.check(f"veth {role}: samples within pool/{rate} +- 5 sigma",
                  f"[{low:.1f}, {high:.1f}]", len(samples), ok=low <= len(samples) <= high)
    for key in sorted(EXPECTED_ICMP_PATH[role]):
        name = "request" if key[0] == ICMP_ECHO_REQUEST else "reply"
        print(f"info veth {role}: ICMP echo {name} samples on {key[1]}: {counts[key]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dump", required=True, help="csflowd-dump --json output")
    parser.add_argument("--veth", action="append", required=True, type=parse_veth,
                        help="ROLE=IFINDEX:RXTX_DELTA for role a (pinger) and b")
    parser.add_argument("--rate", type=int, required=True)
    parser.add_argument("--pings", type=int, required=True)
    parser.add_argument("--first-seq", type=int, default=0,
                        help="ICMP sequence number of the first echo (busybox ping: 0)")
    parser.add_argument("--exact", action="store_true",
                        help="rate 1: every count must match exactly")
    args = parser.parse_args()

    checker = Checker()
    datagrams = read_datagrams(args.dump)
    check_datagram_sequence(checker, datagrams)
    unknown = [u for d in datagrams for u in d.get("unknown", [])]
    checker.check("records or samples the decoder skipped as unknown", [], unknown[:5])
    samples = list(flow_samples(datagrams))
    check_per_sample(checker, samples, args.rate)

    for role, ifindex, pool_delta in args.veth:
        own = [s for s in samples if s["source"] == {"class": 0, "index": ifindex}]
        print(f"info veth {role} (ifindex {ifindex}): {len(own)} samples, "
              f"rx+tx delta {pool_delta}")
        check_flow_sequence(checker, own, ifindex, role)
        counts = count_icmp(own)
        check_pool_positions(checker, role, own, pool_delta, args.first_seq)
        if args.exact:
            check_exact(checker, role, own, counts, pool_delta, args.pings)
        else:
            check_statistical(checker, role, own, counts, pool_delta, args.rate)
    known = {ifindex for _, ifindex, _ in args.veth}
    foreign = Counter(s["source"]["index"] for s in samples if s["source"]["index"] not in known)
    checker.check("flow samples from other data sources", {}, dict(foreign))

    print(f"{checker.failures} check(s) failed" if checker.failures else "all checks passed")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
