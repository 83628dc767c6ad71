"""Storage pools through Python: create/all/get/exists/delete, defaults, bad input, in-use refusal."""

from __future__ import annotations

import os

import pytest

import libinstance


def pool_names(client: libinstance.Client) -> list:
    return sorted(p.name for p in client.storage_pools.all())


def test_default_pool_is_listed_in_lxd_shape(client: libinstance.Client) -> None:
    pool = client.storage_pools.get("default")
    assert pool.driver == "dir"
    assert pool.status == "Created"
    assert pool.locations == ["none"]
    assert pool.config["source"].endswith("/storage-pools/default")
    assert "/1.0/profiles/default" in pool.used_by
    assert client.storage_pools.exists("default")
    assert not client.storage_pools.exists("nope")
    with pytest.raises(libinstance.NotFound):
        client.storage_pools.get("nope")
    with pytest.raises(libinstance.Busy, match="/1.0/profiles/default"):
        client.storage_pools.get("default").delete()


def test_btrfs_pool_create_launch_delete(client: libinstance.Client, make_instance) -> None:  # type: ignore[no-untyped-def]
    pool = client.storage_pools.create({"name": "pybtrfs", "driver": "btrfs", "config": {"size": "1GiB"}})
    try:
        assert pool.config["size"] == "1GiB"
        assert pool.config["source"] == os.path.join(client.state_dir, "disks", "pybtrfs.img")
        assert os.path.ismount(os.path.join(client.state_dir, "storage-pools", "pybtrfs"))
        inst = make_instance("bt", devices={"root": {"type": "disk", "path": "/", "pool": "pybtrfs"}})
        assert inst.execute(["sh", "-c", "echo hi > /f && cat /f"]).stdout == "hi\n"
        assert f"/1.0/instances/{inst.name}" in client.storage_pools.get("pybtrfs").used_by
        with pytest.raises(libinstance.Busy, match=inst.name):
            client.storage_pools.get("pybtrfs").delete()
        inst.delete(force=True)
    finally:
        client.storage_pools.get("pybtrfs").delete()
    assert not client.storage_pools.exists("pybtrfs")
    assert not os.path.exists(os.path.join(client.state_dir, "disks", "pybtrfs.img"))


def test_bad_pools_are_refused_naming_the_key(client: libinstance.Client) -> None:
    before = pool_names(client)
    with pytest.raises(libinstance.InvalidArgument) as e:
        client.storage_pools.create(name="p1", driver="dir", config={"bogus.key": "1"})
    assert e.value.key == "bogus.key"
    with pytest.raises(libinstance.InvalidArgument) as e:
        client.storage_pools.create(name="p1", driver="btrfs", config={"size": "huge"})
    assert e.value.key == "size" and "huge" in str(e.value)
    with pytest.raises(libinstance.InvalidArgument) as e:
        client.storage_pools.create(name="bad/name", driver="dir")
    assert e.value.key == "name"
    with pytest.raises(libinstance.NotSupported) as e:
        client.storage_pools.create(name="p1", driver="zfs")
    assert "zfs" in str(e.value)
    with pytest.raises(libinstance.AlreadyExists):
        client.storage_pools.create(name="default", driver="dir")
    assert pool_names(client) == before
