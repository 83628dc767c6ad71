"""The root disk's ``size`` through the bindings: enforced inside a container on a real
loop-backed btrfs pool, raised by saving the devices, refused on the dir pool (NotSupported naming
devices.root.size, nothing changed)."""

from __future__ import annotations

from typing import Iterator

import pytest

import libinstance

from conftest import unique_name


@pytest.fixture
def btrfs_pool(client: libinstance.Client) -> Iterator[str]:
    name = unique_name("rsz")[:12].replace("-", "")
    client.storage_pools.create({"name": name, "driver": "btrfs", "config": {"size": "512MiB"}})
    yield name
    client.storage_pools.get(name).delete()


def root_disk(pool: str, size: str = "") -> dict:
    device = {"type": "disk", "path": "/", "pool": pool}
    if size:
        device["size"] = size
    return device


def write_mib(inst: libinstance.Instance, mib: int) -> "libinstance.ExecuteResult":
    return inst.execute(["sh", "-c", f"dd if=/dev/zero of=/big bs=1M count={mib} conv=fsync 2>&1 && sync; "
                                     "rc=$?; rm -f /big; sync; exit $rc"])


def test_btrfs_root_size_is_enforced_and_raised(btrfs_pool: str, make_instance) -> None:  # type: ignore[no-untyped-def]
    inst = make_instance("rsz", devices={"root": root_disk(btrfs_pool, "32MiB")})
    small = write_mib(inst, 8)
    assert small.exit_code == 0, small.stdout
    big = write_mib(inst, 64)
    assert big.exit_code != 0
    assert "No space left" in big.stdout or "Disk quota exceeded" in big.stdout, big.stdout

    inst.devices["root"] = root_disk(btrfs_pool, "128MiB")
    inst.save()
    raised = write_mib(inst, 64)
    assert raised.exit_code == 0, raised.stdout


def test_dir_root_size_is_not_supported(make_instance) -> None:  # type: ignore[no-untyped-def]
    inst = make_instance("rszdir", start=False)
    before = dict(inst.devices)
    inst.devices["root"] = root_disk("default", "32MiB")
    with pytest.raises(libinstance.NotSupported) as err:
        inst.save()
    assert err.value.key == "devices.root.size"
    assert "devices.root.size" in str(err.value)
    inst.sync()
    assert inst.devices == before


def test_dir_create_with_root_size_leaves_nothing(client: libinstance.Client) -> None:
    name = unique_name("rszdc")
    with pytest.raises(libinstance.NotSupported) as err:
        client.instances.create({"name": name, "source": {"type": "image", "alias": "busybox"},
                                 "devices": {"root": root_disk("default", "32MiB")}}, wait=True)
    assert err.value.key == "devices.root.size"
    assert name not in [i.name for i in client.instances.all()]
