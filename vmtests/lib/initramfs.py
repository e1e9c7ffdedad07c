"""Build (and cache) the busybox initramfs that boots a vmtests guest.

The image holds busybox-static, vmtests/lib/init.sh as /init and the kernel
modules the tests need, copied from /lib/modules/<release>/ together with
their dependencies from modules.dep, in load order.
"""

import gzip
import hashlib
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

# Modules the guest loads before the tests start. On Debian's 6.1 kernels all
# of these are modules; a module that is built in (modules.builtin) is skipped.
MODULES = (
    "virtio_pci", "9pnet_virtio", "9p",  # host root and output share
    "overlay",  # writable layers for cases that need them
    "veth", "bridge",  # test topologies
    "sch_ingress", "cls_bpf", "act_bpf",  # clsact qdisc and tc BPF programs
    "cls_u32",  # the foreign filter of tc_attach_test
)
BUSYBOX = "/bin/busybox"


def kernel_release(vmlinuz):
    """Return the release string stored in a bzImage header, else the one in its file name."""
    with open(vmlinuz, "rb") as handle:
        header = handle.read(0x400)
        if header[0x202:0x206] == b"HdrS":
            offset = int.from_bytes(header[0x20E:0x210], "little") + 0x200
            handle.seek(offset)
            text = handle.read(256).split(b"\0")[0].decode("ascii", errors="replace")
            if text.split():
                return text.split()[0]
    name = os.path.basename(vmlinuz)
    if name.startswith("vmlinuz-"):
        return name[len("vmlinuz-"):]
    raise SystemExit(f"vmtests: cannot find the kernel release of '{vmlinuz}'")


def _normalize(name):
    base = os.path.basename(name)
    return base.split(".ko")[0].replace("-", "_")


def _read_modules_dep(modules_dir):
    deps = {}
    with open(os.path.join(modules_dir, "modules.dep"), encoding="utf-8") as handle:
        for line in handle:
            path, _, rest = line.partition(":")
            deps[_normalize(path)] = (path, [_normalize(dep) for dep in rest.split()])
    builtin = set()
    builtin_path = os.path.join(modules_dir, "modules.builtin")
    if os.path.exists(builtin_path):
        with open(builtin_path, encoding="utf-8") as handle:
            builtin = {_normalize(line.strip()) for line in handle if line.strip()}
    return deps, builtin


def module_load_order(modules_dir, wanted=MODULES):
    """Return module paths (relative to modules_dir) with every dependency before its user."""
    if not os.path.exists(os.path.join(modules_dir, "modules.dep")):
        raise SystemExit(f"vmtests: '{modules_dir}/modules.dep' not found; install the kernel's modules "
                         "(the linux-image package of that release)")
    deps, builtin = _read_modules_dep(modules_dir)
    order = []

    def visit(name):
        if name in builtin or deps[name][0] in order:
            return
        for dep in deps[name][1]:
            visit(dep)
        order.append(deps[name][0])

    for name in wanted:
        if name in deps:
            visit(name)
        elif name not in builtin:
            print(f"vmtests: warning: module '{name}' is neither in modules.dep nor built in", file=sys.stderr)
    return order


def _copy_module(source, target):
    """Copy a module, decompressing .ko.xz/.ko.gz/.ko.zst because busybox insmod takes plain .ko."""
    if source.endswith(".xz"):
        with lzma.open(source) as packed, open(target, "wb") as plain:
            shutil.copyfileobj(packed, plain)
    elif source.endswith(".gz"):
        with gzip.open(source) as packed, open(target, "wb") as plain:
            shutil.copyfileobj(packed, plain)
    elif source.endswith(".zst"):
        subprocess.run(["zstd", "-q", "-d", source, "-o", target], check=True)
    else:
        shutil.copyfile(source, target)


def _cache_key(release, modules_dir, order, init_script):
    digest = hashlib.sha256(release.encode())
    for path in [init_script, BUSYBOX] + [os.path.join(modules_dir, module) for module in order]:
        stat = os.stat(path)
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def _write_tree(root, modules_dir, order, init_script):
    for folder in ("bin", "proc", "sys", "dev", "newroot", "modules"):
        os.makedirs(os.path.join(root, folder))
    shutil.copy(BUSYBOX, os.path.join(root, "bin", "busybox"))
    shutil.copy(init_script, os.path.join(root, "init"))
    os.chmod(os.path.join(root, "init"), 0o755)
    names = []
    for module in order:
        name = os.path.basename(module).split(".ko")[0] + ".ko"
        _copy_module(os.path.join(modules_dir, module), os.path.join(root, "modules", name))
        names.append(name)
    with open(os.path.join(root, "modules.load"), "w", encoding="utf-8") as handle:
        handle.write("".join(name + "\n" for name in names))


def build(vmlinuz, release, cache_dir, lib_dir):
    """Return the path of a cached initramfs for this kernel, building it if needed."""
    del vmlinuz  # The image is keyed by release: modules come from /lib/modules/<release>.
    if not os.access(BUSYBOX, os.X_OK):
        raise SystemExit(f"vmtests: '{BUSYBOX}' not found; install busybox-static")
    modules_dir = f"/lib/modules/{release}"
    order = module_load_order(modules_dir)
    init_script = os.path.join(lib_dir, "init.sh")
    os.makedirs(cache_dir, exist_ok=True)
    target = os.path.join(cache_dir, f"initramfs-{release}-{_cache_key(release, modules_dir, order, init_script)}.gz")
    if os.path.exists(target):
        return target
    for stale in os.listdir(cache_dir):
        if stale.startswith(f"initramfs-{release}-"):
            os.remove(os.path.join(cache_dir, stale))
    with tempfile.TemporaryDirectory(prefix="csfv-initramfs-") as root:
        _write_tree(root, modules_dir, order, init_script)
        partial = target + ".partial"
        with open(partial, "wb") as output:
            files = subprocess.run(["find", ".", "-print0"], cwd=root, capture_output=True, check=True).stdout
            archive = subprocess.run(["cpio", "--null", "-o", "-H", "newc", "--quiet"], cwd=root, input=files,
                                     capture_output=True, check=True).stdout
            output.write(gzip.compress(archive, compresslevel=6))
        os.replace(partial, target)
    print(f"vmtests: built {target} ({len(order)} modules)", flush=True)
    return target
