"""Bodies larger than any in-memory bound, both ways, through instanced: Debian's `lxc` and pylxd
push and pull a file bigger than 64 MiB, import and export an image bigger than 64 MiB, export and
import a backup of a container holding one; `inst` does the same against the daemon over HTTPS.
Each transfer must arrive intact, and neither the daemon nor `inst` may hold it in memory: their
peak RSS stays below the size of what they moved."""
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
import time

import pytest

from conftest import pylxd
from remote_support import remote_client

BIG = 96 << 20  # over the 64 MiB both sides used to hold in memory


def big_file(directory, name="big.bin", size=BIG):
    """A file of random bytes (incompressible, so archives of it stay big); returns (path, sha256)."""
    path = os.path.join(directory, name)
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            block = os.urandom(min(left, 1 << 20))
            digest.update(block)
            f.write(block)
            left -= len(block)
    return path, digest.hexdigest()


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def peak_rss(pid):
    """The process's peak resident set (VmHWM), in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def daemon_pid(state):
    out = subprocess.run(["pgrep", "-f", f"instanced --state-dir {state}$"], capture_output=True, text=True).stdout.split()
    assert out, "the daemon's pid was not found"
    return int(out[0])


@pytest.fixture(scope="module")
def work():
    d = tempfile.mkdtemp(prefix="large-")
    yield d
    subprocess.run(["rm", "-rf", d])


def test_lxc_pushes_and_pulls_a_big_file(lxd, work):
    state, lxc, _ = lxd
    lxc.ok("launch", "busybox", "big1")
    src, digest = big_file(work)
    lxc.ok("file", "push", src, "big1/root/big.bin", timeout=300)
    out = lxc.ok("exec", "big1", "--", "sha256sum", "/root/big.bin")
    assert out.split()[0] == digest
    back = os.path.join(work, "back.bin")
    lxc.ok("file", "pull", "big1/root/big.bin", back, timeout=300)
    assert sha256_of(back) == digest
    # Streamed both ways: the daemon never held the file.
    assert peak_rss(daemon_pid(state)) < BIG
    os.unlink(back)


def test_pylxd_puts_and_gets_a_big_file_without_a_content_type(lxd, work):
    state, lxc, _ = lxd
    src, digest = big_file(work, "pylxd.bin", 70 << 20)
    out = pylxd(state, f"""
import hashlib
c = client.containers.get("big1")
c.files.put("/root/pylxd.bin", open({src!r}, "rb").read())
print(hashlib.sha256(c.files.get("/root/pylxd.bin")).hexdigest())
""", timeout=300)
    assert out.strip() == digest
    assert lxc.ok("exec", "big1", "--", "sha256sum", "/root/pylxd.bin").split()[0] == digest
    assert peak_rss(daemon_pid(state)) < BIG


def big_image(lxc, work):
    """The busybox image with a big random file added to its rootfs, as one uncompressed tarball."""
    base = os.path.join(work, "base")
    lxc.ok("image", "export", "busybox", base)
    exported = [f for f in os.listdir(work) if f.startswith("base")]
    assert len(exported) == 1, exported
    src, digest = big_file(work, "payload.bin")
    target = os.path.join(work, "big-image.tar")
    with tarfile.open(os.path.join(work, exported[0])) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            new.addfile(member, old.extractfile(member) if member.isfile() else None)
        new.add(src, arcname="rootfs/payload.bin")
    os.unlink(src)
    os.unlink(os.path.join(work, exported[0]))
    return target, digest


def test_lxc_imports_and_exports_an_image_over_64_mib(lxd, work):
    state, lxc, _ = lxd
    image, digest = big_image(lxc, work)
    assert os.path.getsize(image) > BIG
    lxc.ok("image", "import", image, "--alias", "bigimg", timeout=300)
    lxc.ok("launch", "bigimg", "big2", timeout=300)
    assert lxc.ok("exec", "big2", "--", "sha256sum", "/payload.bin").split()[0] == digest
    out_dir = os.path.join(work, "exported")
    os.mkdir(out_dir)
    lxc.ok("image", "export", "bigimg", os.path.join(out_dir, "img"), timeout=300)
    (name,) = os.listdir(out_dir)
    assert sha256_of(os.path.join(out_dir, name)) == sha256_of(image)
    assert peak_rss(daemon_pid(state)) < BIG
    lxc.ok("delete", "--force", "big2")


def test_lxc_exports_and_imports_a_backup_over_64_mib(lxd, work):
    state, lxc, _ = lxd
    backup = os.path.join(work, "big1.tar.gz")
    lxc.ok("export", "big1", backup, "--compression", "none", timeout=300)
    assert os.path.getsize(backup) > BIG
    lxc.ok("import", backup, "big1-copy", timeout=300)
    lxc.ok("start", "big1-copy")
    assert lxc.ok("exec", "big1-copy", "--", "sha256sum", "/root/big.bin").split()[0] == \
        lxc.ok("exec", "big1", "--", "sha256sum", "/root/big.bin").split()[0]
    assert peak_rss(daemon_pid(state)) < BIG
    lxc.ok("delete", "--force", "big1-copy")
    os.unlink(backup)


def run_measured(me, *args):
    """`inst args` under /usr/bin/time: (stdout, peak RSS in bytes)."""
    r = subprocess.run(["/usr/bin/time", "-f", "%M", os.environ["INST"], "--state-dir", me.state, *args], env=me.env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"inst {' '.join(args)} failed: {r.stdout}{r.stderr}"
    return r.stdout, int(r.stderr.strip().splitlines()[-1]) * 1024


def test_inst_moves_big_files_images_and_backups_to_and_from_a_remote(served, work):
    _, lxc, _, url = served
    me = remote_client(lxc, url, "large")
    src, digest = big_file(work, "inst.bin")
    _, rss = run_measured(me, "file", "push", src, "r:big1/root/inst.bin")
    assert rss < BIG
    assert lxc.ok("exec", "big1", "--", "sha256sum", "/root/inst.bin").split()[0] == digest
    back = os.path.join(work, "inst-back.bin")
    _, rss = run_measured(me, "file", "pull", "r:big1/root/inst.bin", back)
    assert rss < BIG and sha256_of(back) == digest
    os.unlink(back)

    backup = os.path.join(work, "inst-backup.tar")
    _, rss = run_measured(me, "export", "r:big1", backup, "--compression", "none")
    assert rss < BIG and os.path.getsize(backup) > BIG
    _, rss = run_measured(me, "import", "r:", backup, "big1-inst")
    assert rss < BIG
    assert "big1-inst" in lxc.ok("list", "--format", "csv", "-c", "n")
    lxc.ok("delete", "--force", "big1-inst")
    os.unlink(backup)

    image, image_digest = big_image(lxc, work)
    _, rss = run_measured(me, "image", "import", image, "r:", "--alias", "bigimg2")
    assert rss < BIG
    out_dir = os.path.join(work, "inst-exported")
    os.mkdir(out_dir)
    _, rss = run_measured(me, "image", "export", "r:bigimg2", os.path.join(out_dir, "img"))
    assert rss < BIG
    (name,) = os.listdir(out_dir)
    assert sha256_of(os.path.join(out_dir, name)) == sha256_of(image)
