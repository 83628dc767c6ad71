"""A stopped VM's disk seen from the host, shared by the Python and CLI test suites: root.img is an
ext4 image, read and written with debugfs (e2fsprogs) so that no VM has to boot."""

import os
import shutil
import subprocess
import tempfile

HAVE_DEBUGFS = shutil.which("debugfs") is not None


def root_img(state_dir, name, snapshot="", pool="default"):
    """The disk of instance (or snapshot) ``name`` on a dir pool of the state directory."""
    base = os.path.join(state_dir, "storage-pools", pool)
    if snapshot:
        return os.path.join(base, "containers-snapshots", name, snapshot, "root.img")
    return os.path.join(base, "containers", name, "root.img")


def disk_read(raw, path):
    """A file of the ext4 disk image ("" when absent)."""
    return subprocess.run(["debugfs", "-R", f"cat {path}", raw], capture_output=True, text=True, check=True).stdout


def disk_write(raw, path, content):
    # debugfs's write refuses an existing file (and still exits 0): remove it first, check after.
    with tempfile.NamedTemporaryFile("w", prefix="li-vmdisk-", dir="/tmp") as src:
        src.write(content)
        src.flush()
        subprocess.run(["debugfs", "-w", "-f", "-", raw], input=f"rm {path}\nwrite {src.name} {path}\n",
                       capture_output=True, text=True, check=True)
    assert disk_read(raw, path) == content, f"{path} not written to {raw}"
