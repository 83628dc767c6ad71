"""disk and unix-char devices through the Python package, on real containers: a host directory
bind mounted (read-only, and shifted so host root's files are the container root's), a host
character device usable inside, and bad values or a missing source refused naming the key."""

from __future__ import annotations

import os
import tempfile
from typing import Callable, Iterator

import pytest

import libinstance


@pytest.fixture
def host_dir() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="li-py-devsrc-", dir="/tmp")
    os.chmod(path, 0o755)
    with open(os.path.join(path, "hello"), "w") as f:
        f.write("from-host\n")
    os.chmod(os.path.join(path, "hello"), 0o644)
    yield path
    for name in os.listdir(path):
        os.unlink(os.path.join(path, name))
    os.rmdir(path)


def sh(inst: libinstance.Instance, script: str):
    return inst.execute(["sh", "-c", script])


def test_disk_and_unix_char_devices(make_instance: Callable[..., libinstance.Instance], host_dir: str) -> None:
    inst = make_instance("dev", devices={
        "data": {"type": "disk", "source": host_dir, "path": "/mnt/data", "readonly": "true"},
        "shifted": {"type": "disk", "source": host_dir, "path": "/mnt/shifted", "shift": "true"},
        "z": {"type": "unix-char", "source": "/dev/zero", "path": "/dev/myzero"},
    })
    assert sh(inst, "cat /mnt/data/hello").stdout == "from-host\n"
    assert "Read-only file system" in sh(inst, "touch /mnt/data/new 2>&1").stdout
    assert not os.path.exists(os.path.join(host_dir, "new"))
    assert sh(inst, "stat -c %u /mnt/data/hello").stdout == "65534\n"
    assert sh(inst, "stat -c %u /mnt/shifted/hello").stdout == "0\n"
    assert sh(inst, "echo in > /mnt/shifted/made").exit_code == 0
    assert os.stat(os.path.join(host_dir, "made")).st_uid == 0
    assert sh(inst, "head -c 10 /dev/myzero | wc -c").stdout.strip() == "10"
    inst.stop(force=True, wait=True)


@pytest.mark.parametrize("device,key,word", [
    ({"type": "disk", "source": "/srv", "path": "/mnt", "readonly": "maybe"}, "devices.d.readonly", "maybe"),
    ({"type": "disk", "source": "/srv", "path": "relative"}, "devices.d.path", "relative"),
    ({"type": "unix-char", "source": "/dev/zero", "mode": "rwx"}, "devices.d.mode", "rwx"),
    ({"type": "gpu", "vendorid": "nvidia"}, "devices.d.vendorid", "nvidia"),
    ({"type": "usb", "productid": "5567"}, "devices.d.vendorid", "vendorid"),
])
def test_bad_device_values_are_refused(client: libinstance.Client, device: dict, key: str, word: str) -> None:
    with pytest.raises(libinstance.InvalidConfig) as err:
        client.instances.create({"name": "pybaddev", "source": {"type": "image", "alias": "busybox"},
                                 "devices": {"d": device}}, wait=True)
    assert err.value.key == key
    assert word in str(err.value)
    assert not client.instances.exists("pybaddev")


def test_missing_required_source_fails_the_start(make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("miss", start=False,
                         devices={"m": {"type": "disk", "source": "/nonexistent-li-py", "path": "/mnt/m"}})
    with pytest.raises(libinstance.NotFound) as err:
        inst.start(wait=True)
    # The ABI gives keys only with InvalidConfig: the message names the device and the source.
    assert 'device "m"' in str(err.value) and "/nonexistent-li-py" in str(err.value)
    assert inst.state().status == "Stopped"


def test_disk_hot_plug_and_unplug(make_instance: Callable[..., libinstance.Instance], host_dir: str) -> None:
    inst = make_instance("hot")
    inst.device_add("data", {"type": "disk", "source": host_dir, "path": "/mnt/hot"})
    assert inst.devices["data"]["path"] == "/mnt/hot"
    assert sh(inst, "cat /mnt/hot/hello").stdout == "from-host\n"
    inst.device_add("z", {"type": "unix-char", "major": "1", "minor": "5", "path": "/dev/hotzero"})
    assert sh(inst, "head -c 7 /dev/hotzero | wc -c").stdout.strip() == "7"
    inst.device_remove("data")
    inst.device_remove("z")
    assert "data" not in inst.devices
    assert sh(inst, "test -e /mnt/hot/hello").exit_code != 0
    assert sh(inst, "test -e /dev/hotzero").exit_code != 0
    # A missing source is refused on the running instance, naming the key; nothing is stored.
    with pytest.raises(libinstance.NotFound) as err:
        inst.device_add("m", {"type": "disk", "source": "/nonexistent-li-py", "path": "/mnt/m"})
    assert 'device "m"' in str(err.value) and "/nonexistent-li-py" in str(err.value)
    inst.sync()
    assert "m" not in inst.devices


@pytest.fixture
def delegated_id_1000() -> Iterator[None]:
    """Delegates host id 1000 to root in /etc/subuid and /etc/subgid (shadow's newuidmap, which
    liblxc uses when installed, maps nothing else), restoring both files afterwards."""
    saved = {}
    for path in ("/etc/subuid", "/etc/subgid"):
        with open(path) as f:
            saved[path] = f.read()
        with open(path, "a") as f:
            f.write("root:1000:1\n")
    yield
    for path, text in saved.items():
        with open(path, "w") as f:
            f.write(text)


def test_raw_idmap_makes_host_1000_the_container_1000(make_instance: Callable[..., libinstance.Instance],
                                                       host_dir: str, delegated_id_1000: None) -> None:
    os.chown(host_dir, 1000, 1000)
    os.chown(os.path.join(host_dir, "hello"), 1000, 1000)
    inst = make_instance("rawid", config={"raw.idmap": "both 1000 1000"},
                         devices={"home": {"type": "disk", "source": host_dir, "path": "/mnt/home"}})
    assert sh(inst, "stat -c %u:%g /mnt/home/hello").stdout == "1000:1000\n"
    assert sh(inst, "touch /mnt/home/made && chown 1000:1000 /mnt/home/made").exit_code == 0
    made = os.stat(os.path.join(host_dir, "made"))
    assert (made.st_uid, made.st_gid) == (1000, 1000)
    assert "1000 1000 1" in [" ".join(line.split()) for line in sh(inst, "cat /proc/self/uid_map").stdout.splitlines()]
    inst.files.put("/root/pushed", b"x", uid=1000, gid=1000)
    assert sh(inst, "stat -c %u:%g /root/pushed").stdout == "1000:1000\n"
    with pytest.raises(libinstance.InvalidConfig) as err:
        inst.config_set("raw.idmap", "both 1000")
    assert err.value.key == "config.raw.idmap"
    assert '"both 1000"' in str(err.value)
    inst.stop(force=True, wait=True)
