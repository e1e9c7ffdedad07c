"""Check csflowd-dump JSON output for the samples of one ping run.

Reads the datagrams that `csflowd-dump --json` printed (one JSON document per
datagram, one after another) and checks the flow samples whose data source is
the interface --ifindex:
  - exactly --pings ICMP echo requests and --pings echo replies were sampled,
  - each of them has frame_length == --frame-length,
  - the last sample_pool equals the number of samples (true at sampling rate 1).
Prints every check and exits 1 if any fails.
"""

import argparse
import json
import sys

ICMP_ECHO_REPLY = 0
ICMP_ECHO_REQUEST = 8


def read_datagrams(path):
    """Return every JSON document in the file, whether one per line or concatenated."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    decoder = json.JSONDecoder()
    documents, position = [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return documents
        document, position = decoder.raw_decode(text, position)
        documents.extend(document if isinstance(document, list) else [document])


def flow_samples(datagrams, ifindex):
    samples = []
    for datagram in datagrams:
        for sample in datagram.get("samples", []):
            if sample.get("type") == "flow_sample" and sample["source"]["index"] == ifindex:
                samples.append(sample)
    return samples


def sampled_header(sample):
    for record in sample["records"]:
        if record.get("type") == "sampled_header":
            return record
    return None


def check(name, ok, detail):
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", required=True, help="file with csflowd-dump --json output")
    parser.add_argument("--ifindex", type=int, required=True, help="data source index of the sampled veth")
    parser.add_argument("--pings", type=int, required=True, help="echo requests sent")
    parser.add_argument("--frame-length", type=int, required=True, help="expected frame_length of the pings")
    args = parser.parse_args()

    datagrams = read_datagrams(args.dump)
    samples = flow_samples(datagrams, args.ifindex)
    print(f"{len(datagrams)} datagrams, {len(samples)} flow samples on ifindex {args.ifindex}")
    icmp = {ICMP_ECHO_REQUEST: [], ICMP_ECHO_REPLY: []}
    for sample in samples:
        record = sampled_header(sample)
        summary = record["summary"] if record else {}
        if summary.get("ip_protocol") == 1 and summary.get("icmp_type") in icmp:
            icmp[summary["icmp_type"]].append(record["frame_length"])

    results = [
        check("echo requests", len(icmp[ICMP_ECHO_REQUEST]) == args.pings,
              f"{len(icmp[ICMP_ECHO_REQUEST])} sampled, expected {args.pings}"),
        check("echo replies", len(icmp[ICMP_ECHO_REPLY]) == args.pings,
              f"{len(icmp[ICMP_ECHO_REPLY])} sampled, expected {args.pings}"),
    ]
    lengths = sorted(set(icmp[ICMP_ECHO_REQUEST] + icmp[ICMP_ECHO_REPLY]))
    results.append(check("frame_length", lengths == [args.frame_length],
                         f"values {lengths}, expected [{args.frame_length}]"))
    last_pool = samples[-1]["sample_pool"] if samples else None
    results.append(check("last sample_pool", last_pool == len(samples),
                         f"{last_pool}, expected {len(samples)} (the sample count at rate 1)"))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
