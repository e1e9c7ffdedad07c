#!/usr/bin/env python3
"""Checks container counter samples (data source class 3) and flow sample entities.

Subcommands:
  dsindex ID_OR_UUID_HEX   prints hsflowd's dsIndex for the first 16 bytes (32 hex digits)
  docker STAMPED FACTS ... checks the containers_docker.sh run
  netns STAMPED FACTS ...  checks the containers_netns.sh run

STAMPED is check_counters.py stamp output; FACTS has one "EPOCH NAME VALUE" line per value
the test read from the kernel, with the time it read it.
"""
import argparse
import sys

from check_counters import Checks, first_after, last_before, load, records, samples

FIRST_DS_INDEX = 100000
DS_INDEX_RANGE = 50000
MIB = 1024 * 1024
# virt_cpu.state values (virDomainState).
RUNNING, SHUTDOWN = 1, 4


def fnv1a_signed(data):
    """FNV-1a 32 as hsflowd computes it on x86-64: each byte XORed as a signed char."""
    value = 2166136261
    for byte in data:
        signed = byte - 256 if byte >= 128 else byte
        value ^= signed & 0xFFFFFFFF
        value = (value * 16777619) & 0xFFFFFFFF
    return value


def ds_index(uuid_bytes):
    return FIRST_DS_INDEX + fnv1a_signed(uuid_bytes) % DS_INDEX_RANGE


def uuid_text(hex32):
    return "%s-%s-%s-%s-%s" % (hex32[0:8], hex32[8:12], hex32[12:16], hex32[16:20], hex32[20:32])


def load_facts(path):
    """Returns {name: [(t, value)]}."""
    facts = {}
    with open(path) as lines:
        for line in lines:
            t, name, value = line.split(None, 2)
            facts.setdefault(name, []).append((float(t), value.strip()))
    return facts


def fact(facts, name, index=0):
    return facts[name][index]


class Container:
    """NAME,ID,MAC,VETH_IFINDEX from the command line."""

    def __init__(self, text):
        self.name, self.id, self.mac, veth = text.split(",")
        self.veth = int(veth)
        self.uuid_hex = self.id[:32]
        self.ds = ds_index(bytes.fromhex(self.uuid_hex))

    def counters(self, entries):
        return samples(entries, "counter_sample", (3, self.ds))


def check_identity(checks, c, sample, host_cpus=None):
    r = records(sample)
    checks.equal("%s: host_descr.hostname" % c.name, c.name, r["host_descr"]["hostname"])
    checks.equal("%s: host_descr.uuid (first 32 hex of the id)" % c.name, uuid_text(c.uuid_hex),
                 r["host_descr"]["uuid"])
    checks.expect(FIRST_DS_INDEX <= c.ds < FIRST_DS_INDEX + DS_INDEX_RANGE,
                  "%s: dsIndex in range" % c.name, "100000..149999", c.ds)
    parent = r.get("host_parent", {})
    checks.equal("%s: host_parent" % c.name, (2, 1),
                 (parent.get("container_type"), parent.get("container_index")))
    macs = [mac for adapter in r.get("host_adapters", {}).get("adapters", [])
            for mac in adapter["macs"]]
    checks.expect(c.mac in macs, "%s: host_adapters lists its interface's MAC" % c.name, c.mac,
                  macs)


def check_ds_index(checks, c, entries):
    """Every class 3 sample named c.name uses the dsIndex of hsflowd's formula."""
    named = {s["source"]["index"] for _, s in samples(entries, "counter_sample")
             if s["source"]["class"] == 3 and records(s)["host_descr"]["hostname"] == c.name}
    checks.equal("%s: dsIndex of its class 3 samples (FNV-1a formula)" % c.name, [c.ds],
                 sorted(named))


def check_net(checks, c, sample, proc_net_dev, pings):
    """virt_net_io against /proc/<pid>/net/dev read just before the sample, and the pings."""
    io = records(sample)["virt_net_io"]
    rx_bytes, rx_packets, tx_bytes, tx_packets = (int(v) for v in proc_net_dev.split(","))
    # The containers are idle after the pings: at most a few ARP packets may come between
    # the reading and the sample.
    for label, decoded, kernel in (("pkts_in", io["pkts_in"], rx_packets),
                                  ("pkts_out", io["pkts_out"], tx_packets)):
        checks.expect(kernel <= decoded <= kernel + 4,
                      "%s: virt_net_io %s vs /proc/<pid>/net/dev" % (c.name, label),
                      "%d..%d" % (kernel, kernel + 4), decoded)
        checks.expect(decoded >= pings, "%s: virt_net_io %s vs pings" % (c.name, label),
                      ">= %d" % pings, decoded)
    checks.expect(rx_bytes <= io["bytes_in"] <= rx_bytes + 4 * 100,
                  "%s: virt_net_io bytes_in vs /proc/<pid>/net/dev" % c.name,
                  "%d..%d" % (rx_bytes, rx_bytes + 400), io["bytes_in"])
    checks.expect(tx_bytes <= io["bytes_out"] <= tx_bytes + 4 * 100,
                  "%s: virt_net_io bytes_out vs /proc/<pid>/net/dev" % c.name,
                  "%d..%d" % (tx_bytes, tx_bytes + 400), io["bytes_out"])


def check_limits(checks, lim, entries, facts):
    found = lim.counters(entries)
    t_read, cpu_ms = fact(facts, "lim_cpu_ms")
    _, sample = first_after(found, t_read)
    r = records(sample)
    checks.equal("%s: virt_cpu.nr_virt_cpu for --cpus 1.5" % lim.name, 2, r["virt_cpu"]["nr_virt_cpu"])
    checks.equal("%s: virt_memory.max_memory for --memory 256m" % lim.name, 256 * MIB,
                 r["virt_memory"]["max_memory"])
    # Read after the cgroup file, from an idle container: equal give or take 100 ms.
    decoded = r["virt_cpu"]["cpu_time_ms"]
    checks.expect(int(cpu_ms) - 1 <= decoded <= int(cpu_ms) + 100,
                  "%s: virt_cpu.cpu_time_ms vs the cgroup file" % lim.name,
                  "%d..%d" % (int(cpu_ms) - 1, int(cpu_ms) + 100), decoded)
    _, memory = fact(facts, "lim_memory")
    memory, decoded = int(memory), r["virt_memory"]["memory"]
    bound = max(4 * MIB, memory // 10)
    checks.expect(abs(decoded - memory) <= bound,
                  "%s: virt_memory.memory vs memory.usage_in_bytes/memory.current" % lim.name,
                  "%d +- %d" % (memory, bound), decoded)


def docker_size(text):
    """Bytes of a docker stats size such as '1.2MiB', '256MiB', '512KiB' or '900B'."""
    units = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "kB": 1000, "MB": 10**6,
             "GB": 10**9}
    number = text.rstrip("BKMGikb")
    return int(float(number) * units[text[len(number):]])


def check_docker_stats(checks, lim, entries, facts):
    t_read, text = fact(facts, "lim_docker_stats_memory")
    usage_text, limit_text = (part.strip() for part in text.split("/"))
    usage, limit = docker_size(usage_text), docker_size(limit_text)
    _, sample = first_after(lim.counters(entries), t_read)
    r = records(sample)
    checks.equal("%s: virt_memory.max_memory vs docker stats limit" % lim.name, limit,
                 r["virt_memory"]["max_memory"])
    # docker stats subtracts inactive page cache, which here is at most the 8 MiB file the
    # test wrote plus a little. The cgroup counter that csflowd reports includes it.
    decoded = r["virt_memory"]["memory"]
    low, high = usage - 2 * MIB, usage + 8 * MIB + 4 * MIB
    checks.expect(low <= decoded <= high,
                  "%s: virt_memory.memory vs docker stats usage %s" % (lim.name, usage_text),
                  "%d..%d" % (low, high), decoded)


def check_burn(checks, lim, entries, facts):
    found = lim.counters(entries)
    t0, cpu0 = fact(facts, "burn_start_cpu_ms")
    t1, cpu1 = fact(facts, "burn_end_cpu_ms")
    burned = int(cpu1) - int(cpu0)
    _, before = last_before(found, t0)
    _, after = first_after(found, t1)
    grown = records(after)["virt_cpu"]["cpu_time_ms"] - records(before)["virt_cpu"]["cpu_time_ms"]
    # The two samples enclose the burn, so they see at least what the cgroup counted.
    checks.expect(grown >= burned - 1 and grown >= 2000,
                  "%s: virt_cpu.cpu_time_ms growth over the burn" % lim.name,
                  ">= %d ms (the cgroup's count for the burn) and >= 2000 ms" % burned, grown)


def check_disk(checks, lim, entries, facts, file_bytes):
    t, written = fact(facts, "lim_blkio_write_bytes")
    written = int(written)
    _, sample = first_after(lim.counters(entries), t)
    decoded = records(sample)["virt_disk_io"]["wr_bytes"]
    if written >= file_bytes:
        checks.expect(decoded >= file_bytes, "%s: virt_disk_io.wr_bytes" % lim.name,
                      ">= %d (the file written)" % file_bytes, decoded)
    else:
        print("note the blkio/io controller counted %d bytes for the %d-byte file: this kernel "
              "does not account the write, so wr_bytes must equal its count" % (written, file_bytes))
        checks.equal("%s: virt_disk_io.wr_bytes vs the cgroup's count" % lim.name, written, decoded)


def entities_of(sample):
    """((source class, index), (destination class, index)) of a flow sample, or None."""
    entities = next((r for r in sample["records"] if r["type"] == "extended_entities"), None)
    if entities is None:
        return None
    return ((entities["source"]["class"], entities["source"]["index"]),
            (entities["destination"]["class"], entities["destination"]["index"]))


def icmp_type(sample):
    summary = next((r["summary"] for r in sample["records"] if r["type"] == "sampled_header"), {})
    return summary.get("icmp_type")


def count_entities(checks, label, flows, expected, pings):
    """flows: the entities of each matching flow sample; all must equal expected."""
    wrong = [got for got in flows if got != expected]
    checks.expect(not wrong, "%s: extended_entities" % label, "all %s" % (expected,),
                  "%d right, wrong ones: %s" % (len(flows) - len(wrong), wrong[:3]))
    checks.equal("%s: flow samples (rate 1)" % label, pings, len(flows))


def check_entities(checks, free, lim, entries, pings):
    """Echo requests free -> lim: on free's veth ingress the sender is free; on lim's veth
    egress the receiver is lim and the sender is free (it entered at free's veth)."""
    ingress, egress = [], []
    for _, s in samples(entries, "flow_sample"):
        if icmp_type(s) != 8:
            continue
        if s["source"]["index"] == free.veth and s["input"]["value"] == free.veth:
            ingress.append(entities_of(s))
        elif s["source"]["index"] == lim.veth and s["output"]["value"] == lim.veth:
            egress.append(entities_of(s))
    count_entities(checks, "echo requests at %s's veth ingress" % free.name, ingress,
                   ((3, free.ds), (0, 0)), pings)
    count_entities(checks, "echo requests at %s's veth egress" % lim.name, egress,
                   ((3, free.ds), (3, lim.ds)), pings)


def check_lifecycle(checks, free, lim, entries, facts):
    found = free.counters(entries)
    t_run, _ = fact(facts, "free_run_returned")
    t_first, _ = first_after(found, t_run - 5)
    checks.expect(t_first is not None and t_first - t_run <= 2.0,
                  "%s: first counter sample after docker run returned" % free.name, "<= 2.0 s",
                  None if t_first is None else "%.3f s" % (t_first - t_run))
    t_stop, _ = fact(facts, "free_stop")
    states = [records(s)["virt_cpu"]["state"] for _, s in found]
    checks.equal("%s: virt_cpu.state of every sample, the last one after docker stop" % free.name,
                 [RUNNING] * (len(found) - 1) + [SHUTDOWN], states)
    t_final = found[-1][0]
    checks.expect(t_final > t_stop, "%s: final sample after docker stop" % free.name,
                  "> %.3f" % t_stop, "%.3f" % t_final)
    hosts = samples(entries, "counter_sample", (2, 1))
    later = [t for t, _ in hosts if t > t_final]
    checks.expect(len(later) >= 2, "host samples after %s's final sample (it then stops)"
                  % free.name, ">= 2", len(later))
    domains = [records(s)["virt_node"]["num_domains"] for t, s in hosts if t_first <= t < t_stop]
    checks.expect(domains and set(domains) == {2}, "virt_node.num_domains while both run",
                  "all 2", domains)
    t_restart, _ = fact(facts, "lim_restart")
    domains = [records(s)["virt_node"]["num_domains"] for t, s in hosts if t_final <= t < t_restart]
    checks.expect(domains and set(domains) == {1}, "virt_node.num_domains after %s stopped"
                  % free.name, "all 1", domains)
    after = [(records(s)["virt_cpu"]["state"], s["sequence_number"])
             for t, s in lim.counters(entries) if t > t_restart]
    # A regular poll may come between `docker restart` and the container's exit.
    final = next((i for i, (state, _) in enumerate(after) if state == SHUTDOWN), None)
    checks.expect(final is not None and after[final + 1:final + 2] == [(RUNNING, 1)],
                  "%s: samples after docker restart (state, sequence)" % lim.name,
                  "a final (4, n), then (1, 1)", after[:4])


def cmd_docker(args):
    checks = Checks()
    entries = load(args.stamped)
    facts = load_facts(args.facts)
    lim, free = Container(args.lim), Container(args.free)
    for c in (lim, free):
        check_ds_index(checks, c, entries)
        found = c.counters(entries)
        if not checks.expect(len(found) >= 2, "%s: counter samples of 3:%d" % (c.name, c.ds),
                             ">= 2", len(found)):
            return checks.finish()
        check_identity(checks, c, found[0][1])
        t, value = fact(facts, c.name + "_net")
        check_net(checks, c, first_after(found, t)[1], value, args.pings)
    check_limits(checks, lim, entries, facts)
    check_docker_stats(checks, lim, entries, facts)
    check_burn(checks, lim, entries, facts)
    check_disk(checks, lim, entries, facts, args.file_bytes)
    check_entities(checks, free, lim, entries, args.pings)
    check_lifecycle(checks, free, lim, entries, facts)
    return checks.finish()


def netns_uuid_hex(inode):
    return "6e65746e73000000" + "%016x" % inode  # "netns", 3 zero bytes, the inode big-endian


def cmd_netns(args):
    checks = Checks()
    entries = load(args.stamped)
    facts = load_facts(args.facts)
    uuid_hex = netns_uuid_hex(args.inode)
    c = Container("%s,%s,%s,%d" % (args.name, uuid_hex, args.mac, args.veth))
    check_ds_index(checks, c, entries)
    found = c.counters(entries)
    if not checks.expect(len(found) >= 2, "counter samples of 3:%d" % c.ds, ">= 2", len(found)):
        return checks.finish()
    check_identity(checks, c, found[0][1])
    t, value = fact(facts, "net")
    check_net(checks, c, first_after(found, t)[1], value, args.pings)
    if "cpu_ms" in facts:
        t, cpu_ms = fact(facts, "cpu_ms")
        decoded = records(first_after(found, t)[1]).get("virt_cpu", {}).get("cpu_time_ms")
        checks.expect(decoded is not None and int(cpu_ms) - 1 <= decoded <= int(cpu_ms) + 100,
                      "virt_cpu.cpu_time_ms vs the cgroup2 cpu.stat", "%s..%d" % (cpu_ms,
                      int(cpu_ms) + 100), decoded)
    replies, requests = [], []
    for _, s in samples(entries, "flow_sample", (0, c.veth)):
        if icmp_type(s) == 0 and s["input"]["value"] == c.veth:
            replies.append(entities_of(s))
        elif icmp_type(s) == 8 and s["output"]["value"] == c.veth:
            requests.append(entities_of(s))
    count_entities(checks, "echo replies at the veth ingress", replies, ((3, c.ds), (0, 0)),
                   args.pings)
    count_entities(checks, "echo requests at the veth egress", requests, ((0, 0), (3, c.ds)),
                   args.pings)
    return checks.finish()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ds = sub.add_parser("dsindex")
    ds.add_argument("id")
    docker = sub.add_parser("docker")
    docker.add_argument("stamped")
    docker.add_argument("facts")
    docker.add_argument("--lim", required=True, help="NAME,ID,MAC,VETH_IFINDEX")
    docker.add_argument("--free", required=True, help="NAME,ID,MAC,VETH_IFINDEX")
    docker.add_argument("--pings", type=int, required=True)
    docker.add_argument("--file-bytes", type=int, required=True)
    netns = sub.add_parser("netns")
    netns.add_argument("stamped")
    netns.add_argument("facts")
    netns.add_argument("--name", required=True)
    netns.add_argument("--inode", type=int, required=True)
    netns.add_argument("--mac", required=True)
    netns.add_argument("--veth", type=int, required=True)
    netns.add_argument("--pings", type=int, required=True)
    args = parser.parse_args()
    if args.command == "dsindex":
        print(ds_index(bytes.fromhex(args.id[:32])))
        return 0
    return cmd_docker(args) if args.command == "docker" else cmd_netns(args)


if __name__ == "__main__":
    sys.exit(main())
