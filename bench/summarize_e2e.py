#!/usr/bin/env python3
"""Print the table of bench/e2e_bench.sh from its per-run lines.

Each input line has tab-separated fields: round, variant ("none" or a sampling rate), sender
packets/s, packets received, receiver packets/s, then csflowd's CPU clock ticks during the
flood, its peak RSS in KiB, sFlow datagrams and flow samples ("-" when csflowd did not run).
"""
import argparse
import statistics
import sys
from collections import defaultdict


def read_runs(path):
    runs = []
    with open(path, encoding="utf-8") as results:
        for line in results:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 9:
                sys.exit(f"summarize_e2e: malformed line in {path}: {line!r}")
            runs.append(fields)
    return runs


def number(text):
    return None if text == "-" else float(text)


def spread(values):
    return f"{min(values) / 1e3:.0f}..{max(values) / 1e3:.0f}"


def summarize(runs, packets, clock_ticks):
    baseline_by_round = {r[0]: float(r[2]) for r in runs if r[1] == "none"}
    by_variant = defaultdict(list)
    for run in runs:
        by_variant[run[1]].append(run)
    header = (
        f"{'csflowd':<10} {'sent kpps':>9} {'min..max':>11} {'ratio':>6} {'recv kpps':>9} "
        f"{'loss %':>7} {'cpu s/Mpkt':>10} {'peak MiB':>8} {'datagrams':>9} "
        f"{'flow samples':>12} {'expected':>9}"
    )
    print(f"# {packets} UDP datagrams per run, {len(baseline_by_round)} rounds; "
          "medians over rounds, ratio = sent pps / same round's pps without csflowd")
    print(header)
    for variant, rows in by_variant.items():
        sent = [float(r[2]) for r in rows]
        ratios = [float(r[2]) / baseline_by_round[r[0]] for r in rows if r[0] in baseline_by_round]
        received = [float(r[4]) for r in rows]
        loss = [100.0 * (1 - float(r[3]) / packets) for r in rows]
        name = "off" if variant == "none" else f"rate {variant}"
        line = (f"{name:<10} {statistics.median(sent) / 1e3:>9.0f} {spread(sent):>11} "
                f"{statistics.median(ratios):>6.3f} {statistics.median(received) / 1e3:>9.0f} "
                f"{statistics.median(loss):>7.2f}")
        if variant == "none":
            print(line)
            continue
        cpu = [number(r[5]) / clock_ticks / (packets / 1e6) for r in rows]
        peak = max(number(r[6]) for r in rows) / 1024
        datagrams = statistics.median(number(r[7]) for r in rows)
        samples = statistics.median(number(r[8]) for r in rows)
        expected = 2 * packets / int(variant) if int(variant) > 0 else 0
        print(f"{line} {statistics.median(cpu):>10.3f} {peak:>8.1f} {datagrams:>9.0f} "
              f"{samples:>12.0f} {expected:>9.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packets", type=int, required=True, help="datagrams sent per run")
    parser.add_argument("--clock-ticks", type=int, default=100, help="clock ticks per second")
    parser.add_argument("results", help="file written by e2e_bench.sh")
    args = parser.parse_args()
    summarize(read_runs(args.results), args.packets, args.clock_ticks)


if __name__ == "__main__":
    main()
