#!/usr/bin/env python3
"""Checks tshark's verbose (-V) decoding of an sFlow capture made with --header-only.

tshark 4.0 is an independent decoder for the datagram and flow sample headers and the
sampled_header record. For every flow sample it must report the configured sampling rate,
and for every sampled IPv4 frame the sFlow frame length must be the IPv4 total length plus
14 (Ethernet header) plus 4 (FCS). No packet may be flagged malformed or carry an expert
error. Prints expected and actual values; exits 1 when a check fails.
"""

import argparse
import re
import sys

FRAME_RE = re.compile(r"^Frame \d+:")
SFLOW_RE = re.compile(r"^InMon sFlow")
RATE_RE = re.compile(r"^\s+Sampling rate: 1 out of (\d+) packets|^\s+Sampling rate: (\d+)")
FRAME_LENGTH_RE = re.compile(r"^\s+Frame Length: (\d+)")
IP_TOTAL_LENGTH_RE = re.compile(r"^\s+Total Length: (\d+)")
FLOW_SAMPLE_RE = re.compile(r"^\s+(Expanded )?[Ff]low sample")
PROBLEM_RE = re.compile(r"Malformed|Expert Info \(Error")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--text", required=True, help="output of tshark -V")
    parser.add_argument("--rate", type=int, required=True)
    args = parser.parse_args()

    packets = flow_samples = 0
    rates = []
    pairs = []
    problems = []
    in_sflow = False
    frame_length = None
    with open(args.text, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if FRAME_RE.match(line):
                packets += 1
                in_sflow = False
                frame_length = None
                continue
            if PROBLEM_RE.search(line):
                problems.append(line.strip())
            if SFLOW_RE.match(line):
                in_sflow = True
            if not in_sflow:
                continue
            if FLOW_SAMPLE_RE.match(line):
                flow_samples += 1
            if match := RATE_RE.match(line):
                rates.append(int(match.group(1) or match.group(2)))
            if match := FRAME_LENGTH_RE.match(line):
                frame_length = int(match.group(1))
            elif (match := IP_TOTAL_LENGTH_RE.match(line)) and frame_length is not None:
                pairs.append((frame_length, int(match.group(1))))
                frame_length = None

    failures = 0

    def check(name, expected, actual, ok):
        nonlocal failures
        print(f"{'ok  ' if ok else 'FAIL'} {name}: expected {expected}, actual {actual}")
        failures += 0 if ok else 1

    check("packets decoded", "> 0", packets, packets > 0)
    check("malformed packets or expert errors", 0, len(problems), not problems)
    for problem in problems[:5]:
        print(f"     {problem}")
    check("flow samples", "> 0", flow_samples, flow_samples > 0)
    check("flow samples with a sampling rate", flow_samples, len(rates),
          len(rates) == flow_samples)
    wrong_rates = [r for r in rates if r != args.rate]
    check(f"sampling rates other than {args.rate}", 0, len(wrong_rates), not wrong_rates)
    check("IPv4 samples", "> 0", len(pairs), len(pairs) > 0)
    wrong = [p for p in pairs if p[0] != p[1] + 18]
    check("IPv4 samples whose frame length != ip.len + 18", 0, len(wrong), not wrong)
    if wrong:
        print(f"     first (frame length, ip.len): {wrong[:5]}")
    print(f"{failures} check(s) failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
