"""Unit tests of the vmtests runner: case parser, verdicts and initramfs helpers."""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
VMTESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(VMTESTS, "lib"))
import casefile  # noqa: E402
import guest  # noqa: E402
import initramfs  # noqa: E402

SUBSTITUTIONS = {"BUILD": "/nonexistent/build", "SRC": os.path.dirname(VMTESTS)}


class CaseParserTest(unittest.TestCase):
    BAD_FILES = {
        "missing_run.case": "missing required key 'RUN'",
        "unknown_key.case": ":4: unknown key 'RUNN'",
        "duplicate_key.case": ":4: duplicate key 'RUN' (first set on line 3)",
        "bad_timeout.case": ":2: invalid TIMEOUT 'soon'",
        "bad_min_kernel.case": ":4: invalid kernel version 'six'",
        "bad_regex.case": "invalid EXPECT_OUTPUT regex",
        "bad_placeholder.case": "unknown placeholder '@BIULD@'",
        "bad_line.case": ":3: invalid line 'this is not a key'",
        "bad_name.case": ":1: invalid NAME 'Bad Name'",
        "bad_bool.case": ":4: invalid EXPECT_FAIL 'maybe', expected yes or no",
    }

    def test_bad_files_raise_clear_errors(self):
        for name, message in self.BAD_FILES.items():
            path = os.path.join(HERE, "bad", name)
            with self.subTest(file=name):
                with self.assertRaises(casefile.CaseError) as raised:
                    casefile.load_case(path, SUBSTITUTIONS)
                self.assertIn(path, str(raised.exception))
                self.assertIn(message, str(raised.exception))

    def test_every_bad_file_is_covered(self):
        self.assertEqual(sorted(os.listdir(os.path.join(HERE, "bad"))), sorted(self.BAD_FILES))

    def test_unreadable_file_is_an_error(self):
        with self.assertRaises(casefile.CaseError) as raised:
            casefile.load_case("/nonexistent/x.case", SUBSTITUTIONS)
        self.assertIn("cannot read case file", str(raised.exception))

    def test_indented_lines_continue_a_value(self):
        text = "NAME=multi\nTIMEOUT=5\nRUN: first\n    second\n\n      third\n# comment\nCLEANUP: done\n"
        case = casefile.parse_case("multi.case", text, SUBSTITUTIONS)
        self.assertEqual(case.run, "first\nsecond\n\n  third")
        self.assertEqual(case.cleanup, "done")

    def test_defaults_and_substitutions(self):
        text = "NAME: d\nTIMEOUT: 7\nRUN: @BUILD@/bin\nREQUIRES: @SRC@/a @BUILD@/b\nMIN_KERNEL: 5.15\n"
        case = casefile.parse_case("d.case", text, SUBSTITUTIONS)
        self.assertEqual(case.run, "/nonexistent/build/bin")
        self.assertEqual(case.requires, [SUBSTITUTIONS["SRC"] + "/a", "/nonexistent/build/b"])
        self.assertEqual(case.min_kernel, (5, 15, 0))
        self.assertEqual(case.timeout_s, 7)
        self.assertEqual(case.expect_exit, 0)
        self.assertFalse(case.expect_fail)

    def test_kernel_version_with_debian_suffix(self):
        self.assertEqual(casefile.parse_kernel_version("6.1.0-57-amd64"), (6, 1, 0))
        self.assertEqual(casefile.parse_kernel_version("6.18.44-fc-v1272"), (6, 18, 44))


class VerdictTest(unittest.TestCase):
    EXPECTED = {
        "pass": ("pass", ""),
        "expected_exit": ("pass", ""),
        "wrong_exit": ("fail", "RUN exited 3, expected 0"),
        "wrong_output": ("fail", "does not match EXPECT_OUTPUT"),
        "timeout": ("fail", "RUN timed out after 1 s"),
        "setup_fails": ("fail", "SETUP exited 1"),
        "cleanup_fails": ("fail", "CLEANUP exited 4"),
        "expect_fail_passes": ("fail", "case passed but EXPECT_FAIL is set"),
        "future_kernel": ("skip", "older than MIN_KERNEL 99.0.0"),
        "missing_binary": ("skip", "missing /nonexistent/build/no/such/binary"),
    }

    def test_each_case_gets_its_verdict(self):
        judge_dir = os.path.join(HERE, "judge")
        self.assertEqual(sorted(os.listdir(judge_dir)), sorted(f"{name}.case" for name in self.EXPECTED))
        with tempfile.TemporaryDirectory() as out_dir:
            # Failed cases keep their scratch folders, so create those in out_dir.
            self.addCleanup(setattr, tempfile, "tempdir", tempfile.tempdir)
            tempfile.tempdir = out_dir
            for name, (status, detail) in self.EXPECTED.items():
                case = casefile.load_case(os.path.join(judge_dir, f"{name}.case"), SUBSTITUTIONS)
                with self.subTest(case=name):
                    result = guest.run_case(case.to_dict(), out_dir, os.uname().release, dict(os.environ))
                    self.assertEqual(result["status"], status, result)
                    self.assertIn(detail, result["detail"])

    def test_cli_exits_nonzero_when_a_case_fails(self):
        with tempfile.TemporaryDirectory() as out_dir:
            done = subprocess.run(
                [os.path.join(VMTESTS, "run.sh"), "--local", "--cases-dir", os.path.join(HERE, "judge"),
                 "--build", "/nonexistent/build", "--out", out_dir], capture_output=True, text=True, timeout=60,
                env=dict(os.environ, TMPDIR=out_dir))
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("local: 2 passed, 6 failed, 2 skipped", done.stdout)

    def test_cli_strict_fails_missing_requires(self):
        with tempfile.TemporaryDirectory() as out_dir:
            done = subprocess.run(
                [os.path.join(VMTESTS, "run.sh"), "--local", "--strict", "--case", "missing_binary",
                 "--case", "future_kernel", "--cases-dir", os.path.join(HERE, "judge"),
                 "--build", "/nonexistent/build", "--out", out_dir], capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("FAIL missing_binary: missing /nonexistent/build/no/such/binary (--strict)", done.stdout)
        self.assertIn("SKIP future_kernel", done.stdout)

    def test_cli_rejects_bad_case_folder(self):
        done = subprocess.run([os.path.join(VMTESTS, "run.sh"), "--list", "--cases-dir", os.path.join(HERE, "bad")],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 2)
        self.assertIn("vmtests: ", done.stderr)


class InitramfsTest(unittest.TestCase):
    def test_dependencies_load_first_and_builtins_are_skipped(self):
        with tempfile.TemporaryDirectory() as modules_dir:
            with open(os.path.join(modules_dir, "modules.dep"), "w", encoding="utf-8") as handle:
                handle.write("kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/netfs/netfs.ko\n"
                             "kernel/net/9p/9pnet.ko:\nkernel/fs/netfs/netfs.ko:\n"
                             "kernel/net/bridge/bridge.ko.xz: kernel/net/802/stp.ko.xz\n"
                             "kernel/net/802/stp.ko.xz:\n")
            with open(os.path.join(modules_dir, "modules.builtin"), "w", encoding="utf-8") as handle:
                handle.write("kernel/drivers/net/veth.ko\n")
            order = initramfs.module_load_order(modules_dir, ("9p", "veth", "bridge", "9pnet"))
        self.assertEqual(order, ["kernel/net/9p/9pnet.ko", "kernel/fs/netfs/netfs.ko", "kernel/fs/9p/9p.ko",
                                 "kernel/net/802/stp.ko.xz", "kernel/net/bridge/bridge.ko.xz"])

    def test_release_comes_from_the_bzimage_header(self):
        header = bytearray(0x400)
        header[0x202:0x206] = b"HdrS"
        header[0x20E:0x210] = (0x300 - 0x200).to_bytes(2, "little")
        header[0x300:0x320] = b"6.1.0-57-amd64 (debian) #1 SMP\0"
        with tempfile.NamedTemporaryFile(prefix="vmlinuz-other-") as image:
            image.write(bytes(header))
            image.flush()
            self.assertEqual(initramfs.kernel_release(image.name), "6.1.0-57-amd64")


if __name__ == "__main__":
    unittest.main()
