#!/usr/bin/env python3
"""Reads csflowd-dump --json output with receive times and checks counter samples.

Subcommands:
  stamp IN OUT            copies each JSON line of IN (a FIFO) to OUT as {"t": epoch, "d": ...}
  wait FILE SOURCE ...    waits until a counter sample of SOURCE arrives after a given time
  interface FILE ...      checks the if_counters of one interface against kernel counters
  host FILE ...           checks the host sample (2,1) against /proc and uname

Each check prints "ok   ..." or "FAIL ...: expected X, actual Y" and exits 1 on a failure.
check_containers.py imports the loading and reporting helpers from here.
"""
import argparse
import json
import subprocess
import sys
import time


class Checks:
    """Counts failed assertions and prints each result with expected and actual values."""

    def __init__(self):
        self.failures = 0

    def expect(self, condition, label, expected, actual):
        if condition:
            print("ok   %s: %s" % (label, actual))
        else:
            print("FAIL %s: expected %s, actual %s" % (label, expected, actual))
            self.failures += 1
        return condition

    def equal(self, label, expected, actual):
        return self.expect(expected == actual, label, expected, actual)

    def finish(self):
        if self.failures:
            print("%d check(s) failed" % self.failures)
            return 1
        print("all checks passed")
        return 0


def parse_source(text):
    ds_class, ds_index = text.split(":")
    return int(ds_class), int(ds_index)


def load(path):
    """Returns [(receive time, datagram)] from a stamped file."""
    entries = []
    with open(path) as stamped:
        for line in stamped:
            line = line.strip()
            if line:
                entry = json.loads(line)
                entries.append((entry["t"], entry["d"]))
    return entries


def samples(entries, kind, source=None):
    """Returns [(t, sample)] of one kind ("counter_sample" or "flow_sample"), optionally of
    one (class, index) data source, in arrival order."""
    found = []
    for t, datagram in entries:
        for sample in datagram.get("samples", []):
            if sample["type"] != kind:
                continue
            ds = (sample["source"]["class"], sample["source"]["index"])
            if source is None or ds == source:
                found.append((t, sample))
    return found


def records(sample):
    """Returns {record type: record} of a counter sample."""
    return {record["type"]: record for record in sample["records"]}


def first_after(found, t):
    return next(((ts, s) for ts, s in found if ts > t), (None, None))


def last_before(found, t):
    before = [(ts, s) for ts, s in found if ts < t]
    return before[-1] if before else (None, None)


def cmd_stamp(args):
    with open(args.input) as source, open(args.output, "w") as out:
        for line in source:
            line = line.strip()
            if not line.startswith("{"):
                continue
            out.write(json.dumps({"t": time.time(), "d": json.loads(line)}) + "\n")
            out.flush()
    return 0


def matches(sample, args):
    if args.sequence is not None and sample["sequence_number"] != args.sequence:
        return False
    if args.state is not None:
        cpu = records(sample).get("virt_cpu")
        return cpu is not None and cpu["state"] == args.state
    return True


def cmd_wait(args):
    """Prints the receive time of the args.count-th matching sample received after args.after."""
    source = parse_source(args.source)
    deadline = time.time() + args.timeout
    while True:
        try:
            found = [(t, s) for t, s in samples(load(args.file), "counter_sample", source)
                     if t > args.after and matches(s, args)]
        except (OSError, ValueError):
            found = []  # the file is being written: read it again
        if len(found) >= args.count:
            print("%.6f" % found[args.count - 1][0])
            return 0
        if time.time() > deadline:
            print("no counter sample of %s after %.3f (count %d) within %ss"
                  % (args.source, args.after, args.count, args.timeout), file=sys.stderr)
            return 1
        time.sleep(0.1)


def kernel_stats(text):
    """rx/tx packets and bytes from `ip -s -j link show DEV`."""
    stats = json.loads(text)[0]["stats64"]
    return {"rx_packets": stats["rx"]["packets"], "rx_bytes": stats["rx"]["bytes"],
            "tx_packets": stats["tx"]["packets"], "tx_bytes": stats["tx"]["bytes"]}


def sample_stats(counters):
    """The same four values as decoded from an if_counters record."""
    return {"rx_packets": counters["in_ucast_pkts"] + counters["in_multicast_pkts"],
            "rx_bytes": counters["in_octets"],
            "tx_packets": counters["out_ucast_pkts"],
            "tx_bytes": counters["out_octets"]}


def tshark_counters(path, port, ifindex):
    """if_counters fields of ifindex as decoded by tshark, as a set of value tuples."""
    fields = ["sflow_245.ifindex", "sflow_245.ifinoct", "sflow_245.ifoutoct",
              "sflow_245.ifinpkt", "sflow_245.ifoutpkt", "sflow_245.ifspeed"]
    command = ["tshark", "-n", "-r", path, "-d", "udp.port==%d,sflow" % port, "-T", "fields",
               "-E", "occurrence=a", "-E", "separator=/t"]
    for field in fields:
        command += ["-e", field]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    found = set()
    for line in output.splitlines():
        columns = [column.split(",") for column in line.split("\t")]
        if len(columns) != len(fields) or columns[0] == [""]:
            continue
        for values in zip(*columns):
            if int(values[0]) == ifindex:
                found.add(tuple(int(v) for v in values[1:]))
    return found


def cmd_interface(args):
    checks = Checks()
    found = samples(load(args.file), "counter_sample", (0, args.ifindex))
    checks.expect(len(found) >= 2, "counter samples of ifindex %d" % args.ifindex, ">= 2",
                  len(found))
    before_t, before = first_after(found, args.t_before)
    after_t, after = first_after(found, args.t_after)
    if before is None or after is None:
        print("FAIL no sample after the kernel readings")
        return 1
    kernel_before, kernel_after = kernel_stats(args.kernel_before), kernel_stats(args.kernel_after)
    counters_before = records(before)["if_counters"]
    counters = records(after)["if_counters"]
    # The link is idle outside the pings, so a sample taken after a reading equals it.
    for key in kernel_before:
        checks.equal("before pings: decoded %s" % key, kernel_before[key],
                     sample_stats(counters_before)[key])
        delta_kernel = kernel_after[key] - kernel_before[key]
        delta_sample = sample_stats(counters)[key] - sample_stats(counters_before)[key]
        checks.equal("%s delta over the pings (kernel vs decoded)" % key, delta_kernel,
                     delta_sample)
    checks.expect(kernel_after["tx_packets"] - kernel_before["tx_packets"] >= args.pings,
                  "kernel tx packet delta", ">= %d pings" % args.pings,
                  kernel_after["tx_packets"] - kernel_before["tx_packets"])
    checks.equal("if_status", 3, counters["if_status"])
    checks.equal("if_index", args.ifindex, counters["if_index"])
    checks.equal("if_speed (bit/s)", args.speed_mbps * 1000000, counters["if_speed"])
    checks.equal("port_name", args.name, records(after).get("port_name", {}).get("name"))
    if args.pcap:
        decoded = tshark_counters(args.pcap, args.port, args.ifindex)
        ours = set()
        for _, sample in found:
            c = records(sample)["if_counters"]
            ours.add((c["in_octets"], c["out_octets"], c["in_ucast_pkts"], c["out_ucast_pkts"],
                      c["if_speed"]))
        checks.expect(len(decoded) > 0, "tshark decoded if_counters of ifindex %d" % args.ifindex,
                      "> 0 samples", len(decoded))
        checks.equal("if_counters values, tshark vs csflowd-dump", sorted(ours), sorted(decoded))
    return checks.finish()


def icmp_delta(before, after, index):
    return after["host_icmp"]["values"][index] - before["host_icmp"]["values"][index]


# Indexes into host_icmp values (sFlow host_icmp order).
ICMP_FIELDS = {"icmpInEchos": 7, "icmpInEchoReps": 8, "icmpOutEchos": 19, "icmpOutEchoReps": 20}


def check_host_static(checks, host, args):
    checks.equal("host_memory.mem_total", args.mem_total, host["host_memory"]["mem_total"])
    checks.equal("host_cpu.cpu_num", args.cpus, host["host_cpu"]["cpu_num"])
    checks.equal("host_descr.hostname", args.hostname, host["host_descr"]["hostname"])
    checks.equal("host_descr.os_release", args.release, host["host_descr"]["os_release"])
    checks.equal("host_descr.os_name (linux)", 2, host["host_descr"]["os_name"])
    if args.machine == "x86_64":
        checks.equal("host_descr.machine_type (x86_64)", 3, host["host_descr"]["machine_type"])
    for kind in ("host_ip", "host_icmp", "host_tcp", "host_udp", "host_net_io", "host_cpu"):
        checks.expect(kind in host, "%s record present" % kind, "present", kind in host)
    checks.expect("host_parent" not in host, "no host_parent in the host sample", "absent",
                  "host_parent" in host)


def cmd_host(args):
    checks = Checks()
    found = samples(load(args.file), "counter_sample", (2, 1))
    if not checks.expect(len(found) >= 3, "host counter samples", ">= 3", len(found)):
        return checks.finish()
    check_host_static(checks, records(found[-1][1]), args)
    # Burst over the csfx veth pair: csfx0's own counters see it, host_net_io must not.
    _, before = last_before(found, args.burst_start)
    _, after = first_after(found, args.burst_end)
    if before is None or after is None:
        print("FAIL no host samples around the burst")
        return 1
    before, after = records(before), records(after)
    for direction in ("in", "out"):
        grown = after["host_net_io"]["bytes_" + direction] - before["host_net_io"]["bytes_" + direction]
        checks.expect(grown < args.burst_bytes // 2,
                      "host_net_io bytes_%s growth over the veth burst" % direction,
                      "< %d (half the %d burst bytes: veths are excluded)"
                      % (args.burst_bytes // 2, args.burst_bytes), grown)
    _, before = last_before(found, args.ping_start)
    _, after = first_after(found, args.ping_end)
    if before is None or after is None:
        print("FAIL no host samples around the pings to 127.0.0.1")
        return 1
    before, after = records(before), records(after)
    for name, index in ICMP_FIELDS.items():
        checks.expect(icmp_delta(before, after, index) >= args.pings,
                      "host_icmp %s growth over %d pings to 127.0.0.1" % (name, args.pings),
                      ">= %d" % args.pings, icmp_delta(before, after, index))
    return checks.finish()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    stamp = sub.add_parser("stamp")
    stamp.add_argument("input")
    stamp.add_argument("output")
    wait = sub.add_parser("wait")
    wait.add_argument("file")
    wait.add_argument("source", help="CLASS:INDEX")
    wait.add_argument("--after", type=float, default=0.0, help="epoch seconds")
    wait.add_argument("--count", type=int, default=1)
    wait.add_argument("--sequence", type=int)
    wait.add_argument("--state", type=int, help="virt_cpu.state to wait for")
    wait.add_argument("--timeout", type=float, default=10.0)
    iface = sub.add_parser("interface")
    iface.add_argument("file")
    for name in ("--kernel-before", "--kernel-after", "--name"):
        iface.add_argument(name, required=True)
    for name in ("--t-before", "--t-after"):
        iface.add_argument(name, type=float, required=True)
    for name in ("--ifindex", "--speed-mbps", "--pings"):
        iface.add_argument(name, type=int, required=True)
    iface.add_argument("--pcap")
    iface.add_argument("--port", type=int, default=6343, help="collector port in the capture")
    host = sub.add_parser("host")
    host.add_argument("file")
    for name in ("--hostname", "--release", "--machine"):
        host.add_argument(name, required=True)
    for name in ("--mem-total", "--cpus", "--burst-bytes", "--pings"):
        host.add_argument(name, type=int, required=True)
    for name in ("--burst-start", "--burst-end", "--ping-start", "--ping-end"):
        host.add_argument(name, type=float, required=True)
    args = parser.parse_args()
    handlers = {"stamp": cmd_stamp, "wait": cmd_wait, "interface": cmd_interface,
                "host": cmd_host}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
