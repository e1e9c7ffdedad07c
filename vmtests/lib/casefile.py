"""Parser for vmtests/cases/*.case files.

A case file is a list of `KEY: value` (or `KEY=value`) lines. Lines that start
with whitespace continue the previous value on a new line, with the common
indentation removed, so SETUP/RUN/CLEANUP can hold multi-line shell scripts.
Blank lines and lines starting with `#` outside a value are ignored.
"""

import dataclasses
import re
import textwrap

REQUIRED_KEYS = ("NAME", "RUN", "TIMEOUT")
OPTIONAL_KEYS = (
    "MIN_KERNEL",
    "SETUP",
    "CLEANUP",
    "EXPECT_EXIT",
    "EXPECT_OUTPUT",
    "EXPECT_FAIL",
    "REQUIRES",
)
KNOWN_KEYS = REQUIRED_KEYS + OPTIONAL_KEYS
MAX_TIMEOUT_S = 600

_KEY_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)\s*(?::|=)\s?(.*)$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_KERNEL_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


class CaseError(Exception):
    """A case file that cannot be run, with the file and line at fault."""


@dataclasses.dataclass
class Case:
    name: str
    path: str
    timeout_s: int
    run: str
    setup: str = ""
    cleanup: str = ""
    min_kernel: tuple = (0, 0, 0)
    expect_exit: int = 0
    expect_output: str = ""
    expect_fail: bool = False
    requires: list = dataclasses.field(default_factory=list)

    def to_dict(self):
        return dataclasses.asdict(self)


def parse_kernel_version(text):
    """Return (major, minor, patch) from '6.1', '5.15.0' or '6.1.0-57-amd64'."""
    match = _KERNEL_VERSION.match(text.strip())
    if not match:
        raise ValueError(f"invalid kernel version '{text}', expected e.g. 5.15 or 6.1.0")
    return tuple(int(part or 0) for part in match.groups())


def _read_fields(path, text):
    """Split the file into {KEY: (value, line number)}."""
    fields = {}
    key = None
    block = []

    def finish():
        if key is not None:
            first, rest = block[0], textwrap.dedent("\n".join(block[1:]))
            value = "\n".join(part for part in (first, rest) if part).strip()
            fields[key] = (value, fields[key][1])

    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") and key is not None:
            block.append(line)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if key is not None and not stripped:
                block.append("")
            continue
        match = _KEY_LINE.match(line)
        if not match:
            raise CaseError(f"{path}:{number}: invalid line '{stripped}', expected 'KEY: value'")
        finish()
        key, value = match.group(1), match.group(2).strip()
        if key not in KNOWN_KEYS:
            raise CaseError(
                f"{path}:{number}: unknown key '{key}', expected one of {', '.join(KNOWN_KEYS)}"
            )
        if key in fields:
            raise CaseError(
                f"{path}:{number}: duplicate key '{key}' (first set on line {fields[key][1]})"
            )
        fields[key] = (value, number)
        block = [value]
    finish()
    return fields


def _parse_int(path, fields, key, low, high):
    value, number = fields[key]
    if not re.fullmatch(r"-?\d+", value) or not low <= int(value) <= high:
        raise CaseError(f"{path}:{number}: invalid {key} '{value}', expected an integer {low}..{high}")
    return int(value)


def _parse_bool(path, fields, key):
    value, number = fields[key]
    if value.lower() not in ("yes", "no", "true", "false"):
        raise CaseError(f"{path}:{number}: invalid {key} '{value}', expected yes or no")
    return value.lower() in ("yes", "true")


def parse_case(path, text, substitutions):
    """Parse one case file and replace @KEY@ placeholders; raises CaseError."""
    for key, value in substitutions.items():
        text = text.replace(f"@{key}@", value)
    leftover = re.search(r"@[A-Z_]+@", text)
    if leftover:
        raise CaseError(f"{path}: unknown placeholder '{leftover.group(0)}', expected @BUILD@ or @SRC@")

    fields = _read_fields(path, text)
    for key in REQUIRED_KEYS:
        if key not in fields or not fields[key][0]:
            raise CaseError(f"{path}: missing required key '{key}'")
    name, number = fields["NAME"]
    if not _NAME.match(name):
        raise CaseError(f"{path}:{number}: invalid NAME '{name}', use lowercase letters, digits, '_', '.', '-'")

    case = Case(name=name, path=path, timeout_s=_parse_int(path, fields, "TIMEOUT", 1, MAX_TIMEOUT_S),
                run=fields["RUN"][0])
    case.setup = fields.get("SETUP", ("", 0))[0]
    case.cleanup = fields.get("CLEANUP", ("", 0))[0]
    case.expect_output = fields.get("EXPECT_OUTPUT", ("", 0))[0]
    case.requires = fields.get("REQUIRES", ("", 0))[0].split()
    if "EXPECT_EXIT" in fields:
        case.expect_exit = _parse_int(path, fields, "EXPECT_EXIT", 0, 255)
    if "EXPECT_FAIL" in fields:
        case.expect_fail = _parse_bool(path, fields, "EXPECT_FAIL")
    if "MIN_KERNEL" in fields:
        value, number = fields["MIN_KERNEL"]
        try:
            case.min_kernel = parse_kernel_version(value)
        except ValueError as error:
            raise CaseError(f"{path}:{number}: {error}") from None
    if case.expect_output:
        try:
            re.compile(case.expect_output)
        except re.error as error:
            raise CaseError(f"{path}: invalid EXPECT_OUTPUT regex: {error}") from None
    return case


def load_case(path, substitutions):
    """Read and parse one case file; raises CaseError, also for an unreadable file."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise CaseError(f"{path}: cannot read case file: {error}") from None
    return parse_case(path, text, substitutions)
