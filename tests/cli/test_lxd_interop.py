"""Interoperability with Debian's LXD 5.0.2, when it is installed: an image published by
libinstance is imported and launched by a throwaway LXD daemon, and an image published and
exported by LXD is imported and launched by libinstance. The daemon has its own LXD_DIR under
/tmp and is shut down (and its directory removed) whatever happens."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

LXD = shutil.which("lxd")
LXC = shutil.which("lxc")

pytestmark = pytest.mark.skipif(
    LXD is None or LXC is None,
    reason="LXD is not installed (apt-get install lxd lxd-client): the LXD interop tests need Debian's LXD 5.0.2")

PRESEED = """config: {}
networks: []
storage_pools:
- {name: default, driver: dir}
profiles:
- name: default
  devices: {root: {path: /, pool: default, type: disk}}
"""


class Lxd:
    def __init__(self, lxd_dir):
        self.dir = lxd_dir
        self.env = dict(os.environ, LXD_DIR=lxd_dir, LXD_SOCKET=os.path.join(lxd_dir, "unix.socket"))
        self.env.pop("LXD_CONF", None)
        self.env["LXD_CONF"] = os.path.join(lxd_dir, "client")  # its own client config, no remotes
        self.proc = None

    def start(self):
        log = os.path.join(self.dir, "lxd.log")
        self.proc = subprocess.Popen([LXD, "--group", "root", "--logfile", log], env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        subprocess.run([LXD, "waitready", "--timeout=60"], env=self.env, check=True, timeout=90)
        subprocess.run([LXD, "init", "--preseed"], input=PRESEED, text=True, env=self.env, check=True, timeout=120)

    def lxc(self, *args, timeout=300, check=True):
        r = subprocess.run([LXC, *args], capture_output=True, text=True, env=self.env, timeout=timeout)
        if check:
            assert r.returncode == 0, f"lxc {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
        return r

    def stop(self):
        if self.proc is None:
            return
        try:
            subprocess.run([LXD, "shutdown", "--timeout=60"], env=self.env, timeout=90,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


def unmount_below(path):
    with open("/proc/self/mounts") as f:
        targets = [line.split()[1] for line in f if line.split()[1].startswith(path + "/")]
    for t in sorted(targets, key=len, reverse=True):
        subprocess.run(["umount", "-l", t], stderr=subprocess.DEVNULL)


@pytest.fixture
def lxd():
    lxd_dir = tempfile.mkdtemp(prefix="li-lxd-", dir="/tmp")
    os.chmod(lxd_dir, 0o711)
    daemon = Lxd(lxd_dir)
    try:
        daemon.start()
        yield daemon
    finally:
        daemon.stop()
        unmount_below(lxd_dir)
        shutil.rmtree(lxd_dir, ignore_errors=True)


def wait_running_in_lxd(lxd, name):
    for _ in range(60):
        state = json.loads(lxd.lxc("list", name, "--format", "json").stdout)
        if state and state[0]["status"] == "Running":
            return
        time.sleep(1)
    pytest.fail(f"{name} is not running in LXD")


def test_lxd_launches_an_image_published_by_libinstance(fresh, lxd, tmp_path):
    fresh.ok("image", "build", "busybox", "--alias", "busybox")
    fresh.ok("launch", "busybox", "li-src")
    fresh.ok("exec", "li-src", "--", "sh", "-c", "echo made-by-libinstance > /root/marker")
    out = fresh.ok("publish", "li-src", "--alias", "for-lxd", "--force", "description=for LXD").stdout
    fingerprint = out.strip().split()[-1]
    # The store keeps the unified tarball under images/<fingerprint>, as LXD does.
    tarball = os.path.join(fresh.state_dir, "images", fingerprint)
    shutil.copy(tarball, tmp_path / "published.tar.gz")

    lxd.lxc("image", "import", str(tmp_path / "published.tar.gz"), "--alias", "from-li")
    info = json.loads(lxd.lxc("image", "list", "from-li", "--format", "json").stdout)[0]
    assert info["fingerprint"] == fingerprint  # LXD computes the same fingerprint
    assert info["properties"]["description"] == "for LXD"
    assert info["properties"]["os"] == "busybox"
    lxd.lxc("launch", "from-li", "li-interop-a")
    try:
        wait_running_in_lxd(lxd, "li-interop-a")
        assert lxd.lxc("exec", "li-interop-a", "--", "cat", "/root/marker").stdout == "made-by-libinstance\n"
        # LXD applied the image's create template.
        assert lxd.lxc("exec", "li-interop-a", "--", "cat", "/etc/hostname").stdout == "li-interop-a\n"
    finally:
        lxd.lxc("delete", "--force", "li-interop-a", check=False)


def test_lxd_launches_an_image_published_from_a_snapshot_and_exported(fresh, lxd, tmp_path):
    fresh.ok("image", "build", "busybox", "--alias", "busybox")
    fresh.ok("launch", "busybox", "li-snapsrc")
    fresh.ok("exec", "li-snapsrc", "--", "sh", "-c", "echo at-snapshot > /root/marker")
    fresh.ok("snapshot", "li-snapsrc", "s0")
    fresh.ok("exec", "li-snapsrc", "--", "sh", "-c", "echo later > /root/marker")
    out = fresh.ok("publish", "li-snapsrc/s0", "--alias", "snap-for-lxd", "--compression", "xz").stdout
    fingerprint = out.strip().split()[-1]
    # `inst image export` writes the file a user would hand to LXD.
    fresh.ok("image", "export", "snap-for-lxd", str(tmp_path / "snap"))
    files = [f for f in os.listdir(tmp_path) if f.startswith("snap")]
    assert len(files) == 1, files

    lxd.lxc("image", "import", str(tmp_path / files[0]), "--alias", "from-li-snap")
    info = json.loads(lxd.lxc("image", "list", "from-li-snap", "--format", "json").stdout)[0]
    assert info["fingerprint"] == fingerprint
    lxd.lxc("launch", "from-li-snap", "li-interop-s")
    try:
        wait_running_in_lxd(lxd, "li-interop-s")
        assert lxd.lxc("exec", "li-interop-s", "--", "cat", "/root/marker").stdout == "at-snapshot\n"
    finally:
        lxd.lxc("delete", "--force", "li-interop-s", check=False)


def test_libinstance_launches_an_image_published_and_exported_by_lxd(fresh, lxd, tmp_path):
    # LXD's own container from the libinstance busybox image, changed, then published by LXD.
    fresh.ok("image", "build", "busybox", "--alias", "busybox", "--output", str(tmp_path / "bb.tar.gz"))
    lxd.lxc("image", "import", str(tmp_path / "bb.tar.gz"), "--alias", "bb")
    lxd.lxc("launch", "bb", "li-interop-b")
    try:
        wait_running_in_lxd(lxd, "li-interop-b")
        lxd.lxc("exec", "li-interop-b", "--", "sh", "-c", "echo made-by-lxd > /root/marker")
        lxd.lxc("stop", "--force", "li-interop-b")
        lxd.lxc("publish", "li-interop-b", "--alias", "from-lxd", "origin=lxd")
    finally:
        lxd.lxc("delete", "--force", "li-interop-b", check=False)
    export_dir = tmp_path / "export"
    export_dir.mkdir()
    lxd.lxc("image", "export", "from-lxd", str(export_dir / "from-lxd"))
    files = sorted(os.listdir(export_dir))
    assert len(files) == 1, files  # a published image is a unified tarball
    lxd_fp = json.loads(lxd.lxc("image", "list", "from-lxd", "--format", "json").stdout)[0]["fingerprint"]

    out = fresh.ok("image", "import", str(export_dir / files[0]), "--alias", "from-lxd").stdout
    assert lxd_fp in out
    img = [i for i in json.loads(fresh.ok("image", "list", "--format", "json").stdout)
           if any(a["name"] == "from-lxd" for a in i["aliases"])][0]
    assert img["properties"]["origin"] == "lxd"
    fresh.ok("launch", "from-lxd", "li-from-lxd")
    assert fresh.instance("li-from-lxd")["status"] == "Running"
    assert fresh.ok("exec", "li-from-lxd", "--", "cat", "/root/marker").stdout == "made-by-lxd\n"
    assert fresh.ok("exec", "li-from-lxd", "--", "cat", "/etc/hostname").stdout == "li-from-lxd\n"
