"""Run parsed vmtests cases and record one verdict per case.

Runs inside the guest (started by the initramfs /init after it chroots into
the host's root filesystem), or on the host with `vmrun.py --local` for the
runner's own self test. Reads plan.json from the output folder and writes
results.jsonl plus one <case>.log per case into it.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import casefile  # noqa: E402

CLEANUP_TIMEOUT_S = 30


def run_shell(script, timeout_s, env, log):
    """Run a bash script in its own process group; return (exit code or None on timeout, output)."""
    process = subprocess.Popen(["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout_s)
        code = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        code = None
    text = output.decode("utf-8", errors="replace")
    log.write(text)
    log.flush()
    return code, text


def skip_reason(case, release):
    if tuple(case["min_kernel"]) > casefile.parse_kernel_version(release):
        required = ".".join(str(part) for part in case["min_kernel"])
        return f"kernel {release} is older than MIN_KERNEL {required}"
    missing = [path for path in case["requires"] if not os.path.exists(path)]
    if missing:
        return "missing " + ", ".join(missing)
    return ""


def judge(case, log, env):
    """Run SETUP and RUN within the case's TIMEOUT; return the failure reason or ''."""
    deadline = time.monotonic() + case["timeout_s"]
    if case["setup"]:
        log.write("--- SETUP\n")
        code, _ = run_shell(case["setup"], case["timeout_s"], env, log)
        if code is None:
            return f"SETUP timed out after {case['timeout_s']} s"
        if code != 0:
            return f"SETUP exited {code}"
    log.write("--- RUN\n")
    remaining = max(1.0, deadline - time.monotonic())
    code, output = run_shell(case["run"], remaining, env, log)
    if code is None:
        return f"RUN timed out after {case['timeout_s']} s"
    if code != case["expect_exit"]:
        return f"RUN exited {code}, expected {case['expect_exit']}"
    if case["expect_output"] and not re.search(case["expect_output"], output, re.MULTILINE):
        return f"RUN output does not match EXPECT_OUTPUT '{case['expect_output']}'"
    return ""


def run_case(case, out_dir, release, base_env):
    """Run one case with its CLEANUP; return a result dict."""
    started = time.monotonic()
    result = {"name": case["name"], "status": "skip", "detail": skip_reason(case, release)}
    if result["detail"]:
        return result
    scratch = tempfile.mkdtemp(prefix=f"csfv-{case['name']}-")
    env = dict(base_env, CSFV_CASE_DIR=scratch, CSFV_CASE_NAME=case["name"])
    with open(os.path.join(out_dir, f"{case['name']}.log"), "w", encoding="utf-8") as log:
        failure = judge(case, log, env)
        if case["cleanup"]:
            log.write("--- CLEANUP\n")
            code, _ = run_shell(case["cleanup"], CLEANUP_TIMEOUT_S, env, log)
            if code != 0 and not failure:
                failure = f"CLEANUP exited {code}" if code is not None else "CLEANUP timed out"
        log.write(f"--- VERDICT {failure or 'ok'}\n")
    if case["expect_fail"]:
        result["detail"] = f"failed as expected ({failure})" if failure else ""
        failure = "" if failure else "case passed but EXPECT_FAIL is set"
    result["status"] = "fail" if failure else "pass"
    result["detail"] = failure or result["detail"]
    if failure:
        result["detail"] += f" (scratch folder {scratch} kept)"
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def format_result(result):
    line = f"{result['status'].upper()} {result['name']}"
    if "seconds" in result:
        line += f" ({result['seconds']} s)"
    if result["detail"]:
        line += f": {result['detail']}"
    return line


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: guest.py OUT_DIR (containing plan.json)")
    out_dir = sys.argv[1]
    with open(os.path.join(out_dir, "plan.json"), encoding="utf-8") as handle:
        plan = json.load(handle)
    release = os.uname().release
    env = dict(os.environ, PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               CSFV_KERNEL=release, BUILD=plan["build"], SRC=plan["src"])
    print(f"csfv: running {len(plan['cases'])} cases on kernel {release}", flush=True)
    with open(os.path.join(out_dir, "results.jsonl"), "w", encoding="utf-8") as results:
        for case in plan["cases"]:
            print(f"csfv: start {case['name']}", flush=True)
            result = run_case(case, out_dir, release, env)
            results.write(json.dumps(result) + "\n")
            results.flush()
            os.fsync(results.fileno())
            print("csfv: " + format_result(result), flush=True)
    print("csfv: done", flush=True)


if __name__ == "__main__":
    main()
