"""disk and unix-char devices through `inst config device add/remove`, as with lxc: a host
directory hot-plugged into a running container (read-only refused writes) and unplugged, a
character device usable inside, and bad values or missing sources refused naming the key."""

import os
import shutil
import tempfile

import pytest

from conftest import assert_error


@pytest.fixture
def host_dir():
    path = tempfile.mkdtemp(prefix="inst-devsrc-", dir="/tmp")
    os.chmod(path, 0o755)
    with open(os.path.join(path, "hello"), "w") as f:
        f.write("from-host\n")
    os.chmod(os.path.join(path, "hello"), 0o644)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def sh(inst, name, script):
    return inst.run("exec", name, "--", "sh", "-c", script)


def test_disk_device_hot_plug_and_unplug(inst, c1, host_dir):
    inst.ok("config", "device", "add", c1, "data", "disk", f"source={host_dir}", "path=/mnt/x")
    assert sh(inst, c1, "cat /mnt/x/hello").stdout == "from-host\n"
    inst.ok("config", "device", "add", c1, "ro", "disk", f"source={host_dir}", "path=/mnt/ro", "readonly=true")
    assert "Read-only file system" in sh(inst, c1, "touch /mnt/ro/new 2>&1").stdout
    assert not os.path.exists(os.path.join(host_dir, "new"))
    inst.ok("config", "device", "remove", c1, "data", "ro")
    assert sh(inst, c1, "test -e /mnt/x/hello").returncode != 0


def test_unix_char_device(inst, c1):
    inst.ok("config", "device", "add", c1, "z", "unix-char", "source=/dev/zero", "path=/dev/myzero")
    assert sh(inst, c1, "head -c 10 /dev/myzero | wc -c").stdout.strip() == "10"
    inst.ok("config", "device", "add", c1, "n", "unix-char", "major=1", "minor=3", "path=/dev/mynull", "mode=0666")
    assert sh(inst, c1, "stat -c '%a %t:%T' /dev/mynull").stdout == "666 1:3\n"
    inst.ok("config", "device", "remove", c1, "n")
    assert sh(inst, c1, "test -e /dev/mynull").returncode != 0


def test_bad_devices_are_refused(inst, c1, host_dir):
    assert_error(inst.run("config", "device", "add", c1, "d", "disk", f"source={host_dir}", "path=/mnt/d", "readonly=maybe"),
                 "maybe", "readonly")
    assert_error(inst.run("config", "device", "add", c1, "m", "disk", "source=/nonexistent-inst-src", "path=/mnt/m"),
                 "/nonexistent-inst-src", "\"m\"")
    assert_error(inst.run("config", "device", "add", c1, "v", "disk", "pool=default", "source=vol1", "path=/mnt/v"),
                 'storage volume "vol1" not found')
    assert sh(inst, c1, "test -e /mnt/m").returncode != 0
