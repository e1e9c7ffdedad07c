"""Host side of vmtests: boot each kernel in QEMU and run the cases in it.

The guest sees the host's root filesystem read-only over 9p and chroots into
it, so the build folder, python3, iproute2 and tshark are available at the
same paths as on the host. Results come back through a second, writable 9p
share (vmtests/out/<kernel release>/).
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import casefile  # noqa: E402
import guest  # noqa: E402
import initramfs  # noqa: E402

LIB_DIR = os.path.dirname(os.path.abspath(__file__))
VMTESTS_DIR = os.path.dirname(LIB_DIR)
SRC_DIR = os.path.dirname(VMTESTS_DIR)
KVM_PROBE_TIMEOUT_S = 20
BOOT_MARGIN_S = 90
CASE_MARGIN_S = guest.CLEANUP_TIMEOUT_S + 5


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="vmtests/run.sh", description=__doc__.splitlines()[0])
    parser.add_argument("--kernel", action="append", default=[],
                        help="vmlinuz path, kernel release (/boot/vmlinuz-RELEASE) or 'host'; repeatable")
    parser.add_argument("--all", action="store_true", help="boot every /boot/vmlinuz-*")
    parser.add_argument("--local", action="store_true",
                        help="run the cases on this host without a VM (for the runner's self test)")
    parser.add_argument("--build", default=os.environ.get("CSFLOWD_BUILD_DIR", os.path.join(SRC_DIR, "build")),
                        help="build folder substituted for @BUILD@ (default: $CSFLOWD_BUILD_DIR or build/)")
    parser.add_argument("--cases-dir", default=os.path.join(VMTESTS_DIR, "cases"),
                        help="folder with the *.case files (default: vmtests/cases)")
    parser.add_argument("--case", action="append", default=[], help="run only this case NAME; repeatable")
    parser.add_argument("--out", default=os.path.join(VMTESTS_DIR, "out"),
                        help="folder for results and logs (default: vmtests/out)")
    parser.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto",
                        help="auto probes KVM for %d s and falls back to TCG" % KVM_PROBE_TIMEOUT_S)
    parser.add_argument("--memory", type=int, default=1024, help="guest memory in MiB (default: 1024)")
    parser.add_argument("--smp", type=int, default=2, help="guest CPUs (default: 2)")
    parser.add_argument("--vm-timeout", type=int, default=0,
                        help="seconds before QEMU is killed (default: sum of case TIMEOUTs + margins)")
    parser.add_argument("--list", action="store_true", help="print the cases and exit")
    parser.add_argument("--strict", action="store_true",
                        help="fail, instead of skip, a case whose REQUIRES path is missing (e.g. a test not built)")
    args = parser.parse_args(argv)
    if not args.local and not args.list and not args.kernel and not args.all:
        parser.error("give --kernel, --all or --local")
    args.build = os.path.abspath(args.build)
    args.out = os.path.abspath(args.out)
    return args


def load_cases(args):
    paths = sorted(glob.glob(os.path.join(args.cases_dir, "*.case")))
    if not paths:
        raise casefile.CaseError(f"no *.case files in '{args.cases_dir}'")
    substitutions = {"BUILD": args.build, "SRC": SRC_DIR}
    cases = [casefile.load_case(path, substitutions) for path in paths]
    names = [case.name for case in cases]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise casefile.CaseError(f"duplicate case NAME {', '.join(duplicates)} in '{args.cases_dir}'")
    unknown = sorted(set(args.case) - set(names))
    if unknown:
        raise casefile.CaseError(f"unknown case {', '.join(unknown)}; known: {', '.join(names)}")
    return [case for case in cases if not args.case or case.name in args.case]


def resolve_kernels(args):
    """Return a list of (vmlinuz path, kernel release)."""
    paths = []
    if args.all:
        paths += sorted(glob.glob("/boot/vmlinuz-*"))
        if not paths:
            raise SystemExit("vmtests: no /boot/vmlinuz-* installed; install e.g. linux-image-6.1.0-57-amd64-unsigned")
    for kernel in args.kernel:
        release = os.uname().release if kernel == "host" else kernel
        path = release if os.sep in release else f"/boot/vmlinuz-{release}"
        if not os.path.isfile(path):
            hint = "; the running kernel has no image to boot, so ctest covers it" if kernel == "host" else ""
            raise SystemExit(f"vmtests: kernel image '{path}' not found (for --kernel {kernel}){hint}")
        paths.append(path)
    return [(os.path.abspath(path), initramfs.kernel_release(path)) for path in dict.fromkeys(paths)]


def write_plan(out_dir, args, cases):
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    plan = {"build": args.build, "src": SRC_DIR, "cases": [case.to_dict() for case in cases]}
    with open(os.path.join(out_dir, "plan.json"), "w", encoding="utf-8") as handle:
        json.dump(plan, handle, indent=1)


def qemu_command(accel, vmlinuz, initrd, args, append, out_dir=None):
    command = [
        "qemu-system-x86_64", "-accel", accel, "-m", str(args.memory), "-smp", str(args.smp),
        "-cpu", "host" if accel == "kvm" else "max", "-display", "none", "-monitor", "none",
        "-serial", "stdio", "-no-reboot", "-nic", "none", "-kernel", vmlinuz, "-initrd", initrd,
        "-append", "console=ttyS0 panic=-1 quiet " + append,
    ]
    if out_dir:
        command += [
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
            "-virtfs", f"local,path={out_dir},mount_tag=results,security_model=none,multidevs=remap",
        ]
    return command


def probe_kvm(vmlinuz, initrd, args):
    """Boot a probe guest with KVM; return (True, '') or (False, the reason it failed)."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False, "/dev/kvm is not accessible"
    command = qemu_command("kvm", vmlinuz, initrd, args, "csfv.probe=1")
    try:
        done = subprocess.run(command, capture_output=True, timeout=KVM_PROBE_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return False, f"no boot within {KVM_PROBE_TIMEOUT_S} s"
    if b"csfv-init: probe ok" in done.stdout:
        return True, ""
    lines = (done.stdout + done.stderr).decode("utf-8", errors="replace").strip().splitlines()
    return False, f"QEMU exited {done.returncode}: {lines[-1] if lines else 'no output'}"


def choose_accel(vmlinuz, initrd, args):
    if args.accel != "auto":
        return args.accel, f"--accel {args.accel}"
    started = time.monotonic()
    usable, reason = probe_kvm(vmlinuz, initrd, args)
    seconds = time.monotonic() - started
    if usable:
        return "kvm", f"KVM probe booted in {seconds:.1f} s"
    return "tcg", f"KVM probe failed after {seconds:.1f} s: {reason}"


def boot(accel, vmlinuz, initrd, out_dir, vm_timeout_s, args):
    """Run QEMU, echo the guest's csfv lines; return a note when QEMU had to be killed."""
    append = f"csfv.src={SRC_DIR}"
    command = qemu_command(accel, vmlinuz, initrd, args, append, out_dir)
    console_path = os.path.join(out_dir, "console.log")
    with open(console_path, "wb") as console, open(console_path, "rb") as reader:
        process = subprocess.Popen(command, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + vm_timeout_s
        note = ""
        try:
            while process.poll() is None:
                if time.monotonic() > deadline:
                    note = f"QEMU killed after the {vm_timeout_s} s VM timeout"
                    break
                echo_progress(reader)
                time.sleep(0.5)
        finally:
            # Also reached on Ctrl-C or a closed stdout: never leave QEMU running.
            if process.poll() is None:
                process.kill()
            process.wait()
        echo_progress(reader)
    return note


def echo_progress(reader):
    for line in reader.read().decode("utf-8", errors="replace").splitlines():
        if line.startswith("csfv"):
            print("  " + line.strip(), flush=True)


def collect_results(out_dir, cases, note):
    results = {}
    path = os.path.join(out_dir, "results.jsonl")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                result = json.loads(line)
                results[result["name"]] = result
    missing_detail = note or "no result from the guest (see console.log)"
    return [results.get(case.name, {"name": case.name, "status": "fail", "detail": missing_detail})
            for case in cases]


def apply_strict(results):
    """Turn skips for a missing REQUIRES path into failures (--strict)."""
    for result in results:
        if result["status"] == "skip" and result["detail"].startswith("missing "):
            result["status"] = "fail"
            result["detail"] += " (--strict)"
    return results


def report(label, results):
    """Print one line per case and the summary; return the number of failed cases."""
    for result in results:
        print(guest.format_result(result))
    counts = {status: sum(r["status"] == status for r in results) for status in ("pass", "fail", "skip")}
    print(f"{label}: {counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped", flush=True)
    return counts["fail"]


def run_kernel(vmlinuz, release, cases, args):
    started = time.monotonic()
    initrd = initramfs.build(vmlinuz, release, os.path.join(VMTESTS_DIR, "cache"), LIB_DIR)
    out_dir = os.path.join(args.out, release)
    write_plan(out_dir, args, cases)
    accel, reason = choose_accel(vmlinuz, initrd, args)
    print(f"vmtests: kernel {release}: using {accel.upper()} ({reason})", flush=True)
    vm_timeout_s = args.vm_timeout or BOOT_MARGIN_S + sum(case.timeout_s + CASE_MARGIN_S for case in cases)
    note = boot(accel, vmlinuz, initrd, out_dir, vm_timeout_s, args)
    results = collect_results(out_dir, cases, note)
    failed = report(f"kernel {release}", apply_strict(results) if args.strict else results)
    print(f"vmtests: kernel {release} took {time.monotonic() - started:.0f} s; logs in {out_dir}", flush=True)
    return failed


def run_local(cases, args):
    out_dir = os.path.join(args.out, "local")
    write_plan(out_dir, args, cases)
    env = dict(os.environ, CSFV_KERNEL=os.uname().release, BUILD=args.build, SRC=SRC_DIR)
    results = [guest.run_case(case.to_dict(), out_dir, os.uname().release, env) for case in cases]
    return report("local", apply_strict(results) if args.strict else results)


def main(argv):
    args = parse_args(argv)
    try:
        cases = load_cases(args)
    except casefile.CaseError as error:
        print(f"vmtests: {error}", file=sys.stderr)
        return 2
    if args.list:
        for case in cases:
            print(f"{case.name}\t{os.path.relpath(case.path, SRC_DIR)}")
        return 0
    if args.local:
        return 1 if run_local(cases, args) else 0
    kernels = resolve_kernels(args)
    failed = sum(run_kernel(vmlinuz, release, cases, args) for vmlinuz, release in kernels)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
